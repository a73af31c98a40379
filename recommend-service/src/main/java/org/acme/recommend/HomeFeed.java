package org.acme.recommend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.Budget;
import org.acme.conventions.ProblemException;
import org.acme.conventions.faults.Fault;
import org.acme.conventions.faults.FaultSwitches;
import org.acme.videosite.proto.video.VideoSummary;
import org.jboss.logging.Logger;

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

    /** The fault switch that turns the cache off: every lookup a miss ({@code cache-off:home-feed}). */
    static final String CACHE_OFF = "cache-off";

    private static final Logger LOG = Logger.getLogger(HomeFeed.class);

    @Inject
    @CacheName("home-feed")
    Cache cache;

    @Inject
    Recommendations recommendations;

    @Inject
    Staircase staircase;

    @Inject
    FaultSwitches faults;

    /** Computing a missing feed happens on this thread, each of its calls bounded by {@code budget}. */
    public Feed forUser(long userId, int size, Budget budget) {
        AtomicBoolean computed = new AtomicBoolean();
        CompositeCacheKey feedKey = new CompositeCacheKey(userId, size);
        if (faults.touching(CACHE_OFF, "home-feed") != null) {
            cache.invalidate(feedKey).await().atMost(timeLeft(budget, userId)); // the lookup below is then a miss, and counted as one
        }
        Fault staircase = faults.touching(FaultSwitches.STAIRCASE, "home-feed");
        if (staircase != null) {
            this.staircase.descend(staircase.delay());
        }
        List<VideoSummary> videos;
        try {
            videos = cache.<CompositeCacheKey, List<VideoSummary>> get(feedKey, key -> {
                computed.set(true);
                return recommendations.compute(userId, size, budget);
            }).await().atMost(timeLeft(budget, userId)); // bounds the wait for another request computing the same feed
        } catch (TimeoutException e) {
            throw new ProblemException(504, "Gateway Timeout",
                    "home feed of user " + userId + " not ready within this request's budget", e);
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
            throw new ProblemException(504, "Gateway Timeout", "home feed of user " + userId + ": no time left in this request's budget");
        }
        return left;
    }
}
