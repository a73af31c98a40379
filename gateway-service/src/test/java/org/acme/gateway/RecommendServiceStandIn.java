package org.acme.gateway;

import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedService;
import org.acme.videosite.proto.video.VideoSummary;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** Stands in for recommend-service's gRPC API in tests, served by the test application's gRPC server. */
@GrpcService
public class RecommendServiceStandIn implements HomeFeedService {

    static final long FEED_FAILS = 66;
    /** The feed fails at once, while user-service takes 300 ms over the profile. */
    static final long FEED_FAILS_PROFILE_SLOW = 65;
    static final long FEED_IS_SLOW = 77;
    /** recommend-service says the gateway's request was invalid: the platform's failure, not the user's. */
    static final long FEED_REFUSED = 88;

    @Override
    public Uni<HomeFeedReply> getHomeFeed(HomeFeedRequest request) {
        if (request.getUserId() == FEED_FAILS || request.getUserId() == FEED_FAILS_PROFILE_SLOW) {
            return Uni.createFrom().failure(Status.UNAVAILABLE
                    .withDescription("video-service: unavailable (io exception: Connection refused)").asRuntimeException());
        }
        if (request.getUserId() == FEED_REFUSED) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("feed size must be between 1 and 50, got 51").asRuntimeException());
        }
        HomeFeedReply reply = HomeFeedReply.newBuilder()
                .setUserId(request.getUserId())
                .addVideos(VideoSummary.newBuilder().setId(12).setTitle("48 hours in Kyoto").setCategory("Travel").setDurationSeconds(600))
                .addVideos(VideoSummary.newBuilder().setId(7).setTitle("Ramen in 15 minutes").setCategory("Cooking").setDurationSeconds(300))
                .build();
        if (request.getUserId() == FEED_IS_SLOW) {
            return Uni.createFrom().item(reply).onItem().delayIt().by(java.time.Duration.ofMillis(4_000));
        }
        if (request.getUserId() == UserServiceStandIn.SLOW_USER) {
            return Uni.createFrom().item(reply).onItem().delayIt().by(java.time.Duration.ofMillis(300));
        }
        return Uni.createFrom().item(reply);
    }
}
