package org.acme.user;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Who is on which page right now. A heartbeat keeps a user on a page for {@code app.online.ttl};
 * a user is on one page at a time. Feeds the gauge {@code app_online_users{page}}.
 */
// @Startup: the gauges exist from boot, before the first heartbeat.
@Startup
@ApplicationScoped
public class OnlineUsers {

    /** The site's pages; a fixed list keeps the gauge's label values bounded. */
    public static final List<String> PAGES = List.of("home", "video", "upload", "profile", "search");

    record Presence(String page, Instant until) {
    }

    private final Map<Long, Presence> presence = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;

    @Inject
    OnlineUsers(MeterRegistry registry, @ConfigProperty(name = "app.online.ttl") Duration ttl) {
        this(Clock.systemUTC(), ttl);
        for (String page : PAGES) {
            Gauge.builder("app.online.users", this, online -> online.count(page))
                    .description("Users seen on a page within the heartbeat window")
                    .tag("page", page)
                    .register(registry);
        }
    }

    OnlineUsers(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    public Instant heartbeat(long userId, String page) {
        if (page == null) {
            throw ProblemException.badRequest("page is required, one of " + PAGES);
        }
        if (!PAGES.contains(page)) {
            throw ProblemException.badRequest("page must be one of " + PAGES + ", got '" + ProblemException.excerpt(page) + "'");
        }
        Instant until = clock.instant().plus(ttl);
        presence.put(userId, new Presence(page, until));
        return until;
    }

    public long count(String page) {
        Instant now = clock.instant();
        presence.values().removeIf(p -> !p.until().isAfter(now));
        return presence.values().stream().filter(p -> p.page().equals(page)).count();
    }
}
