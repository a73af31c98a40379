package org.acme.gateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.Downstream;
import org.acme.conventions.GrpcFailures;
import org.acme.conventions.Ids;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedServiceGrpc.HomeFeedServiceBlockingStub;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.quarkus.grpc.GrpcClient;

/** The home page: the signature request that touches all four services. */
@Path("/api/home")
public class HomeResource {

    private static final Logger LOG = Logger.getLogger(HomeResource.class);

    @Inject
    @RestClient
    UserClient users;

    @GrpcClient("recommend-service")
    HomeFeedServiceBlockingStub recommendations;

    // Applied per call: quarkus.grpc.clients.*.deadline is fixed once per injected stub (see docs/ARCHITECTURE.md).
    @ConfigProperty(name = "app.grpc.recommend-service.deadline")
    Duration recommendDeadline;

    @GET
    public HomePage home(@QueryParam("userId") String userIdParam) {
        long userId = Ids.parse("userId", userIdParam);
        Span.current().setAttribute("app.user.id", userId);

        UserClient.UserProfile user = Downstream.call("user-service", () -> users.profile(userId));
        HomeFeedReply feed = GrpcFailures.call("recommend-service",
                () -> recommendations.withDeadlineAfter(recommendDeadline.toMillis(), TimeUnit.MILLISECONDS)
                        .getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build()));
        Span.current().setAttribute("app.feed.size", feed.getVideosCount());
        LOG.infof("Home page for user %d: %d videos (feed from cache: %s)", userId, feed.getVideosCount(),
                feed.getFromCache());

        return new HomePage(user,
                feed.getVideosList().stream()
                        .map(v -> new HomePage.FeedItem(v.getId(), v.getTitle(), v.getCategory(), v.getDurationSeconds()))
                        .toList(),
                feed.getFromCache());
    }
}
