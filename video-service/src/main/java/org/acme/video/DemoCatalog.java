package org.acme.video;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * Seeds the same {@value #SIZE} videos in every environment: no randomness, no clock. Ids run from
 * 1 in seeding order; uploaders are the seeded users 1..40 of user-service.
 */
@ApplicationScoped
public class DemoCatalog {

    static final int SIZE = 300;
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** Per category: title patterns, and the subjects they are filled with. */
    private record Shelf(String category, List<String> patterns, List<String> subjects) {
    }

    private static final List<Shelf> SHELVES = List.of(
            new Shelf("Cooking", List.of("How to make %s at home", "%s in 15 minutes", "The secret to perfect %s",
                    "I tried a 100-year-old %s recipe"),
                    List.of("sourdough bread", "ramen", "paella", "pad thai", "croissants", "lasagna", "tacos al pastor",
                            "miso soup", "shakshuka", "apple pie")),
            new Shelf("Travel", List.of("48 hours in %s", "%s on a budget", "Hidden gems of %s",
                    "First time in %s: what surprised me"),
                    List.of("Lisbon", "Kyoto", "Marrakesh", "Reykjavik", "Mexico City", "Hanoi", "Tbilisi", "Cape Town",
                            "Patagonia", "the Scottish Highlands")),
            new Shelf("Tech", List.of("%s explained in 10 minutes", "Building %s from scratch",
                    "Why everyone is talking about %s", "%s: a beginner's guide"),
                    List.of("distributed tracing", "Kubernetes", "a home lab", "WebAssembly", "gRPC", "mechanical keyboards",
                            "a tiny compiler", "OpenTelemetry", "a Raspberry Pi cluster", "Rust")),
            new Shelf("Music", List.of("Learn %s in one lesson", "%s: live session", "The story behind %s",
                    "Reacting to %s for the first time"),
                    List.of("jazz piano", "the blues scale", "a synthwave track", "flamenco guitar", "the cello",
                            "lo-fi beats", "a string quartet", "drum fills", "the kalimba", "a choir arrangement")),
            new Shelf("Gaming", List.of("%s speedrun explained", "Beating %s without taking damage", "%s: tips nobody tells you",
                    "Is %s still worth playing?"),
                    List.of("a retro platformer", "a city builder", "a roguelike", "chess openings", "a rhythm game",
                            "an open-world RPG", "a puzzle classic", "a racing sim", "a co-op shooter", "a farming sim")),
            new Shelf("Science", List.of("What really happens inside %s", "%s, visualised", "The physics of %s",
                    "Why %s matters more than you think"),
                    List.of("a black hole", "the human cell", "a lightning strike", "the deep ocean", "volcanoes",
                            "quantum tunnelling", "bird migration", "the immune system", "superconductors", "coral reefs")),
            new Shelf("Fitness", List.of("A 20-minute %s workout", "%s for beginners", "30 days of %s: my results",
                    "Fixing your %s technique"),
                    List.of("full-body", "yoga", "kettlebell", "running", "mobility", "pull-up", "swimming", "core",
                            "deadlift", "cycling")),
            new Shelf("Comedy", List.of("When %s goes wrong", "Every %s ever", "%s, but it's a nature documentary",
                    "If %s were honest"),
                    List.of("a job interview", "a family dinner", "a video call", "the office printer", "a group chat",
                            "a first date", "IKEA assembly", "a team stand-up", "a road trip", "a cooking show")));

    private static final Logger LOG = Logger.getLogger(DemoCatalog.class);

    /** True once the demo data is in the database: the gRPC server listens before startup observers run. */
    private volatile boolean loaded;

    /** Whether the demo data is in the database (read through methods: the bean is a client proxy). */
    public boolean loaded() {
        return loaded;
    }

    /** Tests play a service that is still starting. */
    void markLoaded(boolean value) {
        loaded = value;
    }

    void seed(@Observes StartupEvent start) {
        QuarkusTransaction.requiringNew().run(this::insertUnlessPresent);
        loaded = true; // after the commit: from now on every reader sees the whole catalog
    }

    private void insertUnlessPresent() {
        if (Video.count() > 0) {
            return;
        }
        for (int i = 0; i < SIZE; i++) {
            Shelf shelf = SHELVES.get(i % SHELVES.size());
            int round = i / SHELVES.size();
            String pattern = shelf.patterns().get(round % shelf.patterns().size());
            String subject = shelf.subjects().get((round / shelf.patterns().size() + round) % shelf.subjects().size());
            String title = String.format(pattern, subject);
            Video video = new Video();
            video.title = Character.toUpperCase(title.charAt(0)) + title.substring(1);
            video.category = shelf.category();
            video.durationSeconds = 60 + (i * 97) % 1800;
            video.sizeBytes = video.durationSeconds * 250_000L;
            video.uploaderId = i % 40 + 1;
            video.uploadedAt = EPOCH.minus(Duration.ofHours(SIZE - i));
            video.persist();
        }
        LOG.infof("Seeded %d demo videos", SIZE);
    }
}
