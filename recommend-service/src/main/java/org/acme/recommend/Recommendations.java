package org.acme.recommend;

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
import org.acme.conventions.Downstream.Forward;
import org.acme.videosite.proto.video.VideoSummary;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;

/**
 * Computes a home feed: the newest unwatched videos of the categories a user watches most,
 * topped up with the newest videos of any category.
 */
@ApplicationScoped
public class Recommendations {

    static final int HISTORY_SIZE = 20;
    static final int TOP_CATEGORIES = 3;

    private static final Logger LOG = Logger.getLogger(Recommendations.class);

    @Inject
    @RestClient
    UserClient users;

    @Inject
    VideoClient videos;

    @Inject
    Bounds bounds;

    /** At most three calls one after another (history; watched videos; favourites), each within {@code budget}. */
    @WithSpan
    public List<VideoSummary> compute(@SpanAttribute("app.user.id") long userId, int size, Budget budget) {
        // The user's id came from the caller: an unknown user is their 404.
        List<Long> watchedIds = Downstream.await("user-service", budget.bound(bounds.userService()), Forward.NOT_FOUND,
                () -> users.history(userId, HISTORY_SIZE)).videoIds();

        // What the user watched and the newest videos overall do not need each other: both asked at once.
        Tuple2<List<VideoSummary>, List<VideoSummary>> watchedAndNewest = Downstream.await(Uni.combine().all().unis(
                videos.byIds(watchedIds, budget),
                videos.newest(List.of(), watchedIds, size, budget))
                .asTuple());
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
        LOG.infof("Computed a home feed of %d videos for user %d from %d watched videos (favourite categories %s)",
                feed.size(), userId, watched.size(), favourites);
        return feed;
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
