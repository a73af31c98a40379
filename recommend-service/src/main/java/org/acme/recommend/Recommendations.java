package org.acme.recommend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.Downstream;
import org.acme.conventions.GrpcFailures;
import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.VideoCatalogServiceGrpc.VideoCatalogServiceBlockingStub;
import org.acme.videosite.proto.video.VideoSummary;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.grpc.GrpcClient;

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

    @GrpcClient("video-service")
    VideoCatalogServiceBlockingStub videos;

    // Applied per call: quarkus.grpc.clients.*.deadline is fixed once per injected stub (see docs/ARCHITECTURE.md).
    @ConfigProperty(name = "app.grpc.video-service.deadline")
    Duration videoDeadline;

    @WithSpan
    public List<VideoSummary> compute(@SpanAttribute("app.user.id") long userId, int size) {
        List<Long> watchedIds = Downstream.call("user-service", () -> users.history(userId, HISTORY_SIZE)).videoIds();
        List<VideoSummary> watched = GrpcFailures.call("video-service",
                () -> catalog().getVideos(GetVideosRequest.newBuilder().addAllIds(watchedIds).build()).getVideosList());
        List<String> favourites = favouriteCategories(watched);

        Set<Long> excluded = new LinkedHashSet<>(watchedIds);
        List<VideoSummary> feed = new ArrayList<>(newest(favourites, excluded, size));
        if (feed.size() < size) {
            feed.forEach(v -> excluded.add(v.getId()));
            feed.addAll(newest(List.of(), excluded, size - feed.size()));
        }
        LOG.infof("Computed a home feed of %d videos for user %d from %d watched videos (favourite categories %s)",
                feed.size(), userId, watched.size(), favourites);
        return feed;
    }

    private List<VideoSummary> newest(List<String> categories, Set<Long> excluded, int limit) {
        ListVideosRequest request = ListVideosRequest.newBuilder()
                .addAllCategories(categories).addAllExcludeIds(excluded).setLimit(limit).build();
        return GrpcFailures.call("video-service", () -> catalog().listVideos(request).getVideosList());
    }

    private VideoCatalogServiceBlockingStub catalog() {
        return videos.withDeadlineAfter(videoDeadline.toMillis(), TimeUnit.MILLISECONDS);
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
