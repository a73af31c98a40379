package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The upstream behaviour the conventions' {@code UnreachablePeerSpans} works around, checked with the workaround
 * switched off: a REST call refused at connect leaves no client span at all. When this test fails, the REST
 * client makes that span itself, and {@code CallSpans} and {@code UnreachablePeerSpans} can be deleted
 * (docs/ARCHITECTURE.md, "Workarounds of upstream behaviour").
 */
@QuarkusTest
@TestProfile(UnreachablePeerSpansStillNeededTest.WorkaroundOff.class)
class UnreachablePeerSpansStillNeededTest {

    @Inject
    InMemorySpanExporter spans;

    public static class WorkaroundOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("conventions.unreachable-peer-spans.enabled", "false",
                    "%test.quarkus.rest-client.video-service.url", "http://127.0.0.1:1");
        }
    }

    @Test
    void a_refused_rest_call_leaves_no_client_span_without_the_workaround() {
        String traceId = given().when().get("/api/videos/6").then().statusCode(502).extract().header("X-Trace-Id");
        InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER);
        List<SpanData> clientSpans = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT).toList();
        assertEquals(List.of(), clientSpans,
                "the REST client now makes a span for a refused connection: CallSpans and UnreachablePeerSpans can go");
    }
}
