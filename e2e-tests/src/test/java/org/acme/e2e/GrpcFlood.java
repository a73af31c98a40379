package org.acme.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.acme.conventions.testing.RawGrpc;

import com.google.common.util.concurrent.ListenableFuture;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;

/**
 * Raw gRPC calls to the services' servers, without their generated stubs, many at once on one connection (a
 * client that opens as many streams as the server lets it); one call alone is {@link RawGrpc#call}.
 */
final class GrpcFlood {

    static final String LIST_VIDEOS = "videosite.video.v1.VideoCatalogService/ListVideos";
    static final String GET_HOME_FEED = "videosite.recommend.v1.HomeFeedService/GetHomeFeed";
    /** ListVideosRequest{limit: 5}: field 3, varint 5. */
    static final byte[] LIMIT_5 = { 0x18, 0x05 };
    /** HomeFeedRequest{user_id: 1}: field 1, varint 1. */
    static final byte[] USER_1 = { 0x08, 0x01 };

    /** How the calls ended, by status code. */
    record Result(Map<Status.Code, Integer> codes) {
        int count(Status.Code code) {
            return codes.getOrDefault(code, 0);
        }
    }

    private GrpcFlood() {
    }

    /**
     * The flood as a program, for the container check (scripts/containers/check-site.py): {@code GrpcFlood <port>
     * video|recommend [calls]} floods the server published on 127.0.0.1:port with the memory test's calls, then makes
     * one call alone; prints {@code flood {OK=.., RESOURCE_EXHAUSTED=..} after OK}.
     */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        boolean video = args[1].equals("video");
        String method = video ? LIST_VIDEOS : GET_HOME_FEED;
        byte[] request = video ? LIMIT_5 : USER_1;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : MemoryLimitsIT.FLOOD_CALLS;
        Result flood = at(port, method, request, calls, Duration.ofSeconds(30));
        System.out.println("flood " + flood.codes() + " after " + RawGrpc.call(port, method, request, null).getCode());
    }

    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    /** {@code calls} calls at once on one connection, each with {@code deadline}; waits for all to end. */
    static Result at(int port, String method, byte[] request, int calls, Duration deadline) {
        ManagedChannel channel = channel(port);
        try {
            MethodDescriptor<byte[], byte[]> descriptor = RawGrpc.method(method);
            List<ListenableFuture<byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                answers.add(ClientCalls.futureUnaryCall(channel.newCall(descriptor,
                        CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)), request));
            }
            Map<Status.Code, Integer> codes = new TreeMap<>();
            for (ListenableFuture<byte[]> answer : answers) {
                codes.merge(codeOf(answer), 1, Integer::sum);
            }
            return new Result(codes);
        } finally {
            channel.shutdownNow();
        }
    }

    private static Status.Code codeOf(ListenableFuture<byte[]> answer) {
        try {
            answer.get();
            return Status.Code.OK;
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
