package org.acme.recommend;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.Budget;
import org.acme.conventions.Downstream;
import org.acme.conventions.Downstream.Request;
import org.acme.videosite.proto.video.VideoSummary;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.tuples.Tuple2;

/**
 * Computes a home feed: the newest unwatched videos of the categories a user watches most,
 * topped up with the newest videos of any category.
 */
@ApplicationScoped
public class Recommendations {

    static final int HISTORY_SIZE = 20;
    static final int TOP_CATEGORIES = 3;
    /** Scenario flag: rank each feed the expensive way, burning this many milliseconds of CPU; 0 is the cheap way. */
    static final String EXPENSIVE = "expensive:recommendations";

    private static final Logger LOG = Logger.getLogger(Recommendations.class);

    @Inject
    @RestClient
    UserClient users;

    @Inject
    VideoClient videos;

    @Inject
    Bounds bounds;

    // Scenario flags through OpenFeature: off (their default) unless a provider says otherwise.
    private final Client flags = OpenFeatureAPI.getInstance().getClient();

    /** At most three calls one after another (history; watched videos; favourites), each within {@code budget}. */
    @WithSpan
    public List<VideoSummary> compute(@SpanAttribute("app.user.id") long userId, int size, Budget budget) {
        // The user's id came from the caller: an unknown user is their 404.
        List<Long> watchedIds = Downstream.await("user-service", budget.bound(bounds.userService()), Request.CARRIES_USER_ID,
                () -> users.history(userId, HISTORY_SIZE)).videoIds();

        // What the user watched and the newest videos overall do not need each other: both asked at once.
        Tuple2<List<VideoSummary>, List<VideoSummary>> watchedAndNewest = Downstream.awaitBoth(
                videos.byIds(watchedIds, budget),
                videos.newest(List.of(), watchedIds, size, budget));
        List<VideoSummary> watched = watchedAndNewest.getItem1();
        List<String> favourites = favouriteCategories(watched);

        List<VideoSummary> feed = new ArrayList<>(favourites.isEmpty() ? List.of()
                : Downstream.await(videos.newest(favourites, watchedIds, size, budget)));
        Set<Long> inFeed = feed.stream().map(VideoSummary::getId).collect(Collectors.toCollection(HashSet::new));
        for (VideoSummary video : watchedAndNewest.getItem2()) {
            if (feed.size() >= size) {
                break;
            }
            if (inFeed.add(video.getId())) {
                feed.add(video);
            }
        }
        int expensiveCpuMillis = flags.getIntegerValue(EXPENSIVE, 0);
        if (expensiveCpuMillis > 0) {
            rankTheExpensiveWay(feed, Duration.ofMillis(expensiveCpuMillis), budget);
        }
        LOG.infof("Computed a home feed of %d videos for user %d from %d watched videos (favourite categories %s)",
                feed.size(), userId, watched.size(), favourites);
        return feed;
    }

    /**
     * The {@code expensive:recommendations} scenario: a ranking that burns {@code cpu} of this thread's CPU
     * time (hashing, as a heavy scoring model would compute), so a surge turns recommend-service CPU-bound.
     * It stops early when the request's budget is spent: nobody waits for the answer any more.
     */
    @WithSpan("rank the expensive way")
    void rankTheExpensiveWay(List<VideoSummary> feed, Duration cpu, Budget budget) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + cpu.toNanos();
        byte[] score = ByteBuffer.allocate(Long.BYTES * 2).putLong(feed.size()).putLong(System.nanoTime()).array();
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            while (threads.getCurrentThreadCpuTime() < until && !budget.remaining().isZero()) {
                for (int i = 0; i < 1_000; i++) {
                    score = sha.digest(score);
                }
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Span.current().setAttribute("app.ranking.score", score[0]);
    }

    static List<String> favouriteCategories(List<VideoSummary> watched) {
        Map<String, Long> counts = watched.stream()
                .collect(Collectors.groupingBy(VideoSummary::getCategory, Collectors.counting()));
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long> comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP_CATEGORIES)
                .map(Map.Entry::getKey)
                .toList();
    }
}
