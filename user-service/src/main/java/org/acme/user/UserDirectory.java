package org.acme.user;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.acme.conventions.ProblemException;
import org.jboss.logging.Logger;

import io.micrometer.core.annotation.Timed;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/**
 * Every database access of user-service, each one timed as {@code app_db_query_seconds{operation}}, in a
 * span named {@code db.<operation>} (the name the workshop's fault switches use).
 */
@ApplicationScoped
public class UserDirectory {

    private static final Logger LOG = Logger.getLogger(UserDirectory.class);

    @WithSpan("db.find_user")
    @Timed(value = "app.db.query", extraTags = { "operation", "find_user" }, histogram = true,
            description = "Latency of the core database queries")
    public User find(long userId) {
        return existing(userId);
    }

    @WithSpan("db.watch_history")
    @Timed(value = "app.db.query", extraTags = { "operation", "watch_history" }, histogram = true,
            description = "Latency of the core database queries")
    public List<Long> watchHistory(long userId, int limit) {
        existing(userId);
        List<WatchEvent> events = WatchEvent.find("userId", Sort.descending("watchedAt", "id"), userId)
                .page(Page.ofSize(limit)).list();
        LOG.infof("Read the watch history of user %d: %d videos", userId, events.size());
        return events.stream().map(e -> e.videoId).toList();
    }

    @Transactional
    @WithSpan("db.record_view")
    @Timed(value = "app.db.query", extraTags = { "operation", "record_view" }, histogram = true,
            description = "Latency of the core database queries")
    public void recordView(long userId, long videoId) {
        existing(userId);
        WatchEvent event = new WatchEvent();
        event.userId = userId;
        event.videoId = videoId;
        event.watchedAt = Instant.now();
        event.persist();
        LOG.infof("Recorded a view of video %d by user %d", videoId, userId);
    }

    // Not find(): Quarkus intercepts calls a bean makes to itself, so find() here would record a
    // find_user sample inside this operation's own.
    private static User existing(long userId) {
        User user = User.findById(userId);
        if (user == null) {
            throw ProblemException.notFound("user " + userId + " does not exist");
        }
        return user;
    }
}
