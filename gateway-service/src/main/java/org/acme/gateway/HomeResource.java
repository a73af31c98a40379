package org.acme.gateway;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.Budget;
import org.acme.conventions.Downstream;
import org.acme.conventions.Downstream.Request;
import org.acme.conventions.Ids;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.tuples.Tuple2;

/** The home page: the signature request that touches all four services. */
@Path("/api/home")
public class HomeResource {

    private static final Logger LOG = Logger.getLogger(HomeResource.class);

    @Inject
    @RestClient
    UserClient users;

    @Inject
    RecommendClient recommendations;

    @Inject
    Bounds bounds;

    @GET
    public HomePage home(@QueryParam("userId") String userIdParam) {
        long userId = Ids.parse("userId", userIdParam);
        Span.current().setAttribute("app.user.id", userId);
        Budget budget = Budget.of(bounds.request());

        // The profile and the feed do not need each other: both calls are in flight at once.
        Tuple2<UserClient.Profile, HomeFeedReply> page = Downstream.awaitBoth(
                Downstream.call("user-service", budget.bound(bounds.userService()), Request.CARRIES_USER_ID,
                        () -> users.profile(userId)),
                recommendations.homeFeed(userId, budget.bound(bounds.recommendService())));
        UserClient.Profile user = page.getItem1();
        HomeFeedReply feed = page.getItem2();

        Span.current().setAttribute("app.feed.size", feed.getVideosCount());
        LOG.infof("Home page for user %d: %d videos (feed from cache: %s)", userId, feed.getVideosCount(),
                feed.getFromCache());
        return new HomePage(UserProfile.of(user),
                feed.getVideosList().stream()
                        .map(v -> new HomePage.FeedItem(v.getId(), v.getTitle(), v.getCategory(), v.getDurationSeconds()))
                        .toList(),
                feed.getFromCache());
    }
}
