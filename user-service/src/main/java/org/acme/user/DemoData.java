package org.acme.user;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Seeds the same users and watch history in every environment: no randomness, no clock.
 * Video ids refer to video-service's seeded catalog (ids 1..{@value #CATALOG_SIZE}).
 */
@ApplicationScoped
public class DemoData {

    static final int USERS = 40;
    static final int CATALOG_SIZE = 300;
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private static final String[] FIRST = { "Ada", "Bruno", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiro",
            "Ingrid", "Jamal", "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq" };
    private static final String[] LAST = { "Lovelace", "Costa", "Martin", "Ivanov", "García", "Haddad", "Hopper",
            "Tanaka", "Berg", "Okafor", "Mensah", "Schulz", "Rossi", "Karimi", "Nilsson", "Patel", "Dubois",
            "Romero", "Larsen", "Aziz" };
    private static final String[] COUNTRIES = { "GB", "BR", "FR", "PL", "ES", "MA", "US", "JP", "NO", "NG" };

    private static final Logger LOG = Logger.getLogger(DemoData.class);

    @Transactional
    void seed(@Observes StartupEvent start) {
        if (User.count() > 0) {
            return;
        }
        for (int i = 1; i <= USERS; i++) {
            User user = new User();
            user.id = (long) i;
            user.name = FIRST[(i - 1) % FIRST.length] + " " + LAST[(i * 7) % LAST.length];
            user.handle = user.name.toLowerCase().replaceAll("[^a-z]+", ".") + i;
            user.country = COUNTRIES[i % COUNTRIES.length];
            user.joinedAt = EPOCH.minus(Duration.ofDays(30L * i));
            user.persist();
            for (int k = 0; k < 3 + i % 6; k++) {
                WatchEvent event = new WatchEvent();
                event.userId = user.id;
                event.videoId = (long) ((i * 37 + k * 11) % CATALOG_SIZE + 1);
                event.watchedAt = EPOCH.plus(Duration.ofHours(i)).plus(Duration.ofMinutes(k));
                event.persist();
            }
        }
        LOG.infof("Seeded %d demo users with their watch history", USERS);
    }
}
