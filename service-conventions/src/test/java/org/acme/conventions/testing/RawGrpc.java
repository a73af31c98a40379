package org.acme.conventions.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;

/**
 * One gRPC call whose body is any bytes, as a client that does not play by the rules sends it (the services' tests
 * use it through this module's test jar).
 */
public final class RawGrpc {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private RawGrpc() {
    }

    /** A unary method whose request and answer are bytes, as they travel. */
    public static MethodDescriptor<byte[], byte[]> method(String fullName) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    /** The status the call to {@code method} with {@code body} ends with; {@code traceId}, if not null, is sent as its traceparent. */
    public static Status call(int port, String method, byte[] body, String traceId) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            MethodDescriptor<byte[], byte[]> descriptor = method(method);
            io.grpc.Channel target = channel;
            if (traceId != null) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + traceId + "-00f067aa0ba902b7-01");
                target = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
            }
            ClientCalls.blockingUnaryCall(target, descriptor, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        } finally {
            channel.shutdownNow();
        }
    }
}
