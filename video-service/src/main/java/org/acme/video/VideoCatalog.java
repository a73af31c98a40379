package org.acme.video;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.acme.conventions.ProblemException;

import io.micrometer.core.annotation.Timed;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;

/**
 * Every database access of video-service, each one timed as {@code app_db_query_seconds{operation}}, in a
 * span named {@code db.<operation>} (the name the workshop's fault switches use).
 */
@ApplicationScoped
public class VideoCatalog {

    public static final List<String> CATEGORIES = List.of("Cooking", "Travel", "Tech", "Music", "Gaming",
            "Science", "Fitness", "Comedy", "Community");

    @WithSpan("db.find_video")
    @Timed(value = "app.db.query", extraTags = { "operation", "find_video" }, histogram = true,
            description = "Latency of the core database queries")
    public Video find(long id) {
        Video video = Video.findById(id);
        if (video == null) {
            throw ProblemException.notFound("video " + id + " does not exist");
        }
        return video;
    }

    /** The videos with these ids, in the order asked; unknown ids are left out. */
    @WithSpan("db.find_videos")
    @Timed(value = "app.db.query", extraTags = { "operation", "find_videos" }, histogram = true,
            description = "Latency of the core database queries")
    public List<Video> findAll(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, Video> byId = Video.<Video> list("id in ?1", ids).stream()
                .collect(Collectors.toMap(v -> v.id, Function.identity()));
        return ids.stream().distinct().map(byId::get).filter(v -> v != null).toList();
    }

    /** Newest videos of these categories (any category when empty), leaving out the excluded ids. */
    @WithSpan("db.list_videos")
    @Timed(value = "app.db.query", extraTags = { "operation", "list_videos" }, histogram = true,
            description = "Latency of the core database queries")
    public List<Video> newest(Collection<String> categories, Collection<Long> excluded, int limit) {
        StringBuilder query = new StringBuilder("1 = 1");
        Parameters parameters = new Parameters();
        if (!categories.isEmpty()) {
            query.append(" and category in :categories");
            parameters.and("categories", categories);
        }
        if (!excluded.isEmpty()) {
            query.append(" and id not in :excluded");
            parameters.and("excluded", excluded);
        }
        query.append(" order by uploadedAt desc, id desc");
        return Video.<Video> find(query.toString(), parameters).page(Page.ofSize(limit)).list();
    }

    @Transactional
    @WithSpan("db.insert_video")
    @Timed(value = "app.db.query", extraTags = { "operation", "insert_video" }, histogram = true,
            description = "Latency of the core database queries")
    public Video add(UploadRequest upload, String category) {
        Video video = new Video();
        video.title = upload.title().strip();
        video.category = category;
        video.durationSeconds = upload.durationSeconds();
        video.sizeBytes = upload.sizeBytes();
        video.uploaderId = upload.uploaderId();
        video.uploadedAt = Instant.now();
        video.persist();
        return video;
    }
}
