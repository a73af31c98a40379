package org.acme.recommend;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.acme.conventions.Budget;
import org.acme.conventions.MalformedGrpcRequests;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.MutinyHomeFeedServiceGrpc;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** The home feed, as the gateway asks for it over gRPC. Failures become statuses in {@link GrpcServerStatuses}. */
@GrpcService
public class HomeFeedGrpcService extends MutinyHomeFeedServiceGrpc.HomeFeedServiceImplBase {

    /** A body that is not a valid request message answers INVALID_ARGUMENT (see {@link MalformedGrpcRequests}). */
    @Override
    public ServerServiceDefinition bindService() {
        return MalformedGrpcRequests.answered(super.bindService());
    }

    static final int MAX_SIZE = 50;

    @Inject
    HomeFeed homeFeed;

    @Inject
    Bounds bounds;

    @ConfigProperty(name = "app.feed.size")
    int defaultSize;

    @Override
    @Blocking
    public Uni<HomeFeedReply> getHomeFeed(HomeFeedRequest request) {
        Budget budget = budget();
        return Uni.createFrom().item(() -> {
            if (request.getUserId() <= 0) {
                throw Status.INVALID_ARGUMENT.withDescription("user id must be a positive integer, got " + request.getUserId()).asRuntimeException();
            }
            int size = request.getSize() == 0 ? defaultSize : request.getSize();
            if (size < 0 || size > MAX_SIZE) {
                throw Status.INVALID_ARGUMENT.withDescription("feed size must be between 1 and " + MAX_SIZE + ", got " + size).asRuntimeException();
            }
            HomeFeed.Feed feed = homeFeed.forUser(request.getUserId(), size, budget);
            return HomeFeedReply.newBuilder()
                    .setUserId(request.getUserId())
                    .addAllVideos(feed.videos())
                    .setFromCache(feed.fromCache())
                    .build();
        });
    }

    /** This request's budget: ours, or less if the caller's deadline (which gRPC carries over) leaves less. */
    private Budget budget() {
        Budget budget = Budget.of(bounds.feed());
        Deadline callers = Context.current().getDeadline();
        return callers == null ? budget
                : budget.atMost(Duration.ofNanos(callers.timeRemaining(TimeUnit.NANOSECONDS)), bounds.reply());
    }
}
