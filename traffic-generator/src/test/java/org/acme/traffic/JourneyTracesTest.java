package org.acme.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;

/** Each journey is played here on the test's own thread, so that its steps are known in advance. */
@QuarkusTest
class JourneyTracesTest {

    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");

    @Inject
    InMemorySpanExporter spans;

    @Inject
    UserJourneys journeys;

    @BeforeEach
    void freshGateway() {
        GatewayStandIn.reset();
        spans.reset();
    }

    @AfterEach
    void gatewayBackToNormal() {
        GatewayStandIn.reset();
    }

    @Test
    void a_journey_is_a_root_span_whose_children_are_the_gateway_calls_in_order() {
        journeys.play(Journey.HOME_AND_WATCH);

        SpanData journey = awaitSpan(s -> s.getName().equals("journey home-and-watch"));
        assertFalse(journey.getParentSpanContext().isValid(), "the journey is the root of its trace");
        assertEquals("home-and-watch", journey.getAttributes().get(AttributeKey.stringKey("app.journey")));
        long userId = journey.getAttributes().get(AttributeKey.longKey("app.user.id"));
        long videoId = journey.getAttributes().get(AttributeKey.longKey("app.video.id"));
        assertTrue(GatewayStandIn.FEED.contains(videoId), "the user watches a video of the feed, not " + videoId);
        assertEquals(StatusCode.UNSET, journey.getStatus().getStatusCode());

        List<SpanData> calls = awaitChildren(journey, 4);
        String gateway = "http://127.0.0.1:18084/api";
        assertEquals(List.of(
                gateway + "/home?userId=" + userId,
                gateway + "/users/" + userId + "/heartbeat?page=home",
                gateway + "/videos/" + videoId + "?userId=" + userId,
                gateway + "/users/" + userId + "/heartbeat?page=video"),
                calls.stream().map(s -> s.getAttributes().get(URL)).toList());
        for (SpanData call : calls) {
            assertEquals(SpanKind.CLIENT, call.getKind());
            // The gateway (here its stand-in) continues the same trace: its server span is the call's child.
            SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getParentSpanId().equals(call.getSpanId()));
            assertEquals(journey.getTraceId(), server.getTraceId());
        }
    }

    @Test
    void an_invalid_upload_is_answered_400_and_counted_as_a_client_error_without_failing_the_journey() {
        double rejected = MetricsScrape.value("app_traffic_requests_total", "step=\"upload\"", "outcome=\"client_error\"");
        double accepted = MetricsScrape.value("app_traffic_requests_total", "step=\"upload\"", "outcome=\"success\"");
        // A quarter of the uploads are invalid: forty journeys see both kinds but for a chance below 1e-5.
        for (int i = 0; i < 40; i++) {
            journeys.play(Journey.UPLOAD);
        }
        assertTrue(MetricsScrape.value("app_traffic_requests_total", "step=\"upload\"", "outcome=\"client_error\"") > rejected);
        assertTrue(MetricsScrape.value("app_traffic_requests_total", "step=\"upload\"", "outcome=\"success\"") > accepted);

        SpanData invalid = awaitSpan(s -> s.getName().equals("journey upload")
                && Boolean.TRUE.equals(s.getAttributes().get(AttributeKey.booleanKey("app.upload.invalid"))));
        assertEquals(StatusCode.UNSET, invalid.getStatus().getStatusCode(), "a 400 the user asked for is not a failed journey");
        SpanData upload = awaitChildren(invalid, 2).get(1);
        assertEquals(400L, upload.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
    }

    @Test
    void a_gateway_that_does_not_answer_in_time_is_a_timeout_and_a_failed_journey() {
        double timeouts = MetricsScrape.value("app_traffic_requests_total", "step=\"home\"", "outcome=\"timeout\"");
        GatewayStandIn.delayMillis = 3_000; // far above the test's read-timeout of 1 s

        long startedEpochNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() - 1);
        long started = System.nanoTime();
        journeys.play(Journey.BROWSE);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(timeouts + 2, MetricsScrape.value("app_traffic_requests_total", "step=\"home\"", "outcome=\"timeout\""));
        // Three requests bounded at 1 s each, plus a think time of at most 60 ms: no request waited out the gateway.
        assertTrue(tookMillis < 3 * 1_000 + 60 + 1_500, "the journey took " + tookMillis + " ms");
        // This test's journey, not a browse an earlier test played whose span was exported late.
        SpanData journey = awaitSpan(s -> s.getName().equals("journey browse") && s.getStartEpochNanos() >= startedEpochNanos);
        assertEquals(StatusCode.ERROR, journey.getStatus().getStatusCode());
        assertTrue(journey.getStatus().getDescription().contains("timeout"), journey.getStatus().getDescription());
    }

    private SpanData awaitSpan(Predicate<SpanData> match) {
        return InMemorySpans.awaitSpan(spans, match);
    }

    /** The journey's direct children, in the order they started, once all {@code count} arrived. */
    private List<SpanData> awaitChildren(SpanData parent, int count) {
        awaitSpan(s -> spans.getFinishedSpanItems().stream().filter(c -> c.getParentSpanId().equals(parent.getSpanId())).count() >= count);
        List<SpanData> children = spans.getFinishedSpanItems().stream().filter(c -> c.getParentSpanId().equals(parent.getSpanId()))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
        assertEquals(count, children.size(), "children of " + parent.getName() + ": " + children);
        return children;
    }
}
