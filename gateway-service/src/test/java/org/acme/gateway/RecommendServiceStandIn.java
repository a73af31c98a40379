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
    static final long FEED_IS_SLOW = 77;

    @Override
    public Uni<HomeFeedReply> getHomeFeed(HomeFeedRequest request) {
        if (request.getUserId() == FEED_FAILS) {
            return Uni.createFrom().failure(Status.UNAVAILABLE
                    .withDescription("video-service: unavailable (io exception: Connection refused)").asRuntimeException());
        }
        HomeFeedReply reply = HomeFeedReply.newBuilder()
                .setUserId(request.getUserId())
                .addVideos(VideoSummary.newBuilder().setId(12).setTitle("48 hours in Kyoto").setCategory("Travel").setDurationSeconds(600))
                .addVideos(VideoSummary.newBuilder().setId(7).setTitle("Ramen in 15 minutes").setCategory("Cooking").setDurationSeconds(300))
                .build();
        if (request.getUserId() == FEED_IS_SLOW) {
            return Uni.createFrom().item(reply).onItem().delayIt().by(java.time.Duration.ofMillis(1_500));
        }
        return Uni.createFrom().item(reply);
    }
}
