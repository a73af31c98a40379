package org.acme.recommend;

import jakarta.inject.Inject;

import org.acme.conventions.GrpcFailures;
import org.acme.conventions.ProblemException;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import org.jboss.logging.Logger;

import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** The home feed, as the gateway asks for it over gRPC. */
@GrpcService
public class HomeFeedGrpcService implements HomeFeedService {

    static final int MAX_SIZE = 50;

    private static final Logger LOG = Logger.getLogger(HomeFeedGrpcService.class);

    @Inject
    HomeFeed homeFeed;

    @ConfigProperty(name = "app.feed.size", defaultValue = "12")
    int defaultSize;

    @Override
    @Blocking
    public Uni<HomeFeedReply> getHomeFeed(HomeFeedRequest request) {
        return Uni.createFrom().item(() -> {
            if (request.getUserId() <= 0) {
                throw ProblemException.badRequest("user id must be a positive integer, got " + request.getUserId());
            }
            int size = request.getSize() == 0 ? defaultSize : request.getSize();
            if (size < 0 || size > MAX_SIZE) {
                throw ProblemException.badRequest("feed size must be between 1 and " + MAX_SIZE + ", got " + size);
            }
            HomeFeed.Feed feed = homeFeed.forUser(request.getUserId(), size);
            return HomeFeedReply.newBuilder()
                    .setUserId(request.getUserId())
                    .addAllVideos(feed.videos())
                    .setFromCache(feed.fromCache())
                    .build();
        }).onFailure().invoke(e -> LOG.warnf("Home feed for user %d failed: %s", request.getUserId(), e.getMessage()))
                .onFailure().transform(GrpcFailures::toStatus);
    }
}
