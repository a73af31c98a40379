package org.acme.recommend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.Budget;
import org.acme.videosite.proto.video.VideoSummary;
import org.jboss.logging.Logger;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CompositeCacheKey;
import io.smallrye.mutiny.TimeoutException;

/**
 * A user's home feed, served from the {@code home-feed} cache when it can be. Quarkus counts
 * every lookup in {@code cache_gets_total{cache="home-feed",result="hit"|"miss"}}.
 */
@ApplicationScoped
public class HomeFeed {

    public record Feed(List<VideoSummary> videos, boolean fromCache) {
    }

    /** Scenario flag: the cache is off, every lookup a miss. */
    static final String CACHE_OFF = "cache-off:home-feed";
    /** Scenario flag: a staircase of spans with this step in milliseconds before the feed (lab 0); 0 is none. */
    static final String STAIRCASE = "staircase:home-feed";

    private static final Logger LOG = Logger.getLogger(HomeFeed.class);

    @Inject
    @CacheName("home-feed")
    Cache cache;

    @Inject
    Recommendations recommendations;

    @Inject
    Staircase staircase;

    // Scenario flags through OpenFeature: off (their default) unless a provider says otherwise.
    private final Client flags = OpenFeatureAPI.getInstance().getClient();

    /** Computing a missing feed happens on this thread, each of its calls bounded by {@code budget}. */
    public Feed forUser(long userId, int size, Budget budget) {
        AtomicBoolean computed = new AtomicBoolean();
        CompositeCacheKey feedKey = new CompositeCacheKey(userId, size);
        if (flags.getBooleanValue(CACHE_OFF, false)) {
            cache.invalidate(feedKey).await().atMost(timeLeft(budget, userId)); // the lookup below is then a miss, and counted as one
        }
        int staircaseStep = flags.getIntegerValue(STAIRCASE, 0);
        if (staircaseStep > 0) {
            staircase.descend(Duration.ofMillis(staircaseStep));
        }
        List<VideoSummary> videos;
        try {
            videos = cache.<CompositeCacheKey, List<VideoSummary>> get(feedKey, key -> {
                computed.set(true);
                return recommendations.compute(userId, size, budget);
            }).await().atMost(timeLeft(budget, userId)); // bounds the wait for another request computing the same feed
        } catch (TimeoutException e) {
            throw Status.DEADLINE_EXCEEDED.withDescription("home feed of user " + userId + " not ready within this request's budget")
                    .withCause(e).asRuntimeException();
        }
        boolean hit = !computed.get();
        Span.current()
                .setAttribute("app.user.id", userId)
                .setAttribute("app.feed.size", videos.size())
                .setAttribute("app.cache.hit", hit);
        LOG.infof("Home feed for user %d: cache %s, %d videos", userId, hit ? "hit" : "miss", videos.size());
        return new Feed(videos, hit);
    }

    /** What is left of the budget to wait in; a 504 when nothing is (Mutiny refuses a zero wait). */
    private static Duration timeLeft(Budget budget, long userId) {
        Duration left = budget.remaining();
        if (left.isZero()) {
            throw Status.DEADLINE_EXCEEDED.withDescription("home feed of user " + userId + ": no time left in this request's budget")
                    .asRuntimeException();
        }
        return left;
    }
}
