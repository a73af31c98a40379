package org.acme.traffic;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Plays one journey of one user against the gateway. The journey is a root span, and every request
 * of it a child: the trace of a journey holds everything one visit caused, in all four services.
 */
@ApplicationScoped
public class UserJourneys {

    static final List<String> CATEGORIES = List.of("Cooking", "Travel", "Tech", "Music", "Gaming", "Science", "Fitness",
            "Comedy", "Community");

    @Inject
    @RestClient
    GatewayClient gateway;

    @Inject
    Tracer tracer;

    @Inject
    MeterRegistry registry;

    @Inject
    TrafficSettings settings;

    /** Plays the journey on the calling thread, think times included; returns when the user leaves. */
    public void play(Journey journey) {
        long userId = 1 + random().nextInt(settings.userCount());
        Span span = tracer.spanBuilder("journey " + journey.label).setNoParent()
                .setAttribute("app.journey", journey.label)
                .setAttribute("app.user.id", userId)
                .startSpan();
        try (Scope scope = span.makeCurrent()) {
            switch (journey) {
                case HOME_AND_WATCH -> homeAndWatch(userId);
                case BROWSE -> browse(userId);
                case UPLOAD -> upload(userId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the generator is stopping
        } finally {
            span.end();
        }
    }

    private void homeAndWatch(long userId) throws InterruptedException {
        List<Long> feed = openHome(userId);
        send("heartbeat", () -> gateway.heartbeat(userId, "home"));
        think();
        long videoId = feed.isEmpty() ? 1 + random().nextInt(settings.videoCount()) : feed.get(random().nextInt(feed.size()));
        Span.current().setAttribute("app.video.id", videoId);
        send("watch", () -> gateway.watch(videoId, userId));
        send("heartbeat", () -> gateway.heartbeat(userId, "video"));
    }

    private void browse(long userId) throws InterruptedException {
        openHome(userId);
        send("heartbeat", () -> gateway.heartbeat(userId, "home"));
        think();
        openHome(userId);
    }

    private void upload(long userId) throws InterruptedException {
        send("heartbeat", () -> gateway.heartbeat(userId, "upload"));
        think();
        boolean invalid = random().nextDouble() < settings.invalidUploads();
        Span.current().setAttribute("app.upload.invalid", invalid);
        GatewayClient.Upload upload = invalid ? invalidUpload(userId) : validUpload(userId);
        send("upload", () -> gateway.upload(upload));
    }

    /** The video ids of the home feed; empty if the page did not load. */
    private List<Long> openHome(long userId) {
        return send("home", () -> gateway.home(userId), response -> response.getStatus() != 200 ? List.<Long>of()
                : response.readEntity(GatewayClient.HomePage.class).feed().stream().map(GatewayClient.FeedItem::id).toList(),
                List.of());
    }

    private void send(String step, Supplier<Response> request) {
        send(step, request, response -> null, null);
    }

    /** Sends one request, counts its outcome by step, and reads the answer ({@code noAnswer} if none came). */
    private <T> T send(String step, Supplier<Response> request, Function<Response, T> read, T noAnswer) {
        Response response;
        try {
            response = request.get();
        } catch (ProcessingException e) {
            failed(step, timedOut(e) ? "timeout" : "unreachable");
            return noAnswer;
        }
        try (response) {
            int status = response.getStatus();
            if (status >= 500) {
                failed(step, "server_error");
            } else {
                registry.counter("app.traffic.requests", "step", step, "outcome", status < 400 ? "success" : "client_error")
                        .increment();
            }
            return read.apply(response);
        }
    }

    /** A step the user saw fail marks the journey's span: its trace is then easy to find. */
    private void failed(String step, String outcome) {
        registry.counter("app.traffic.requests", "step", step, "outcome", outcome).increment();
        Span.current().setStatus(StatusCode.ERROR, step + ": " + outcome);
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // Vert.x and Netty name their own timeout exceptions (no common type with the JDK's).
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    private GatewayClient.Upload validUpload(long userId) {
        String category = CATEGORIES.get(random().nextInt(CATEGORIES.size()));
        return new GatewayClient.Upload(category + " clip " + random().nextInt(10_000), 30 + random().nextInt(1_800),
                1_000_000 + random().nextLong(500_000_000), userId, category);
    }

    /** One of the mistakes the site must answer with a 400: a blank title, a zero or an over-long duration. */
    private GatewayClient.Upload invalidUpload(long userId) {
        return switch (random().nextInt(3)) {
            case 0 -> new GatewayClient.Upload(" ", 60, 5_000_000, userId, "Music");
            case 1 -> new GatewayClient.Upload("Empty clip", 0, 5_000_000, userId, "Music");
            default -> new GatewayClient.Upload("A very long night", 13 * 3600, 5_000_000, userId, "Music");
        };
    }

    private void think() throws InterruptedException {
        Duration mean = settings.thinkTime();
        Thread.sleep((long) (mean.toMillis() * (0.5 + random().nextDouble())));
    }

    private static ThreadLocalRandom random() {
        return ThreadLocalRandom.current();
    }
}
