package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(DependencyDownTest.NothingListens.class)
class DependencyDownTest {

    @Inject
    InMemorySpanExporter spans;

    /** video-service and recommend-service point at loopback ports where nothing listens. */
    public static class NothingListens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // In test mode the gRPC client connects to test-port: the port alone would not move it.
            return Map.of("%test.quarkus.rest-client.video-service.url", "http://127.0.0.1:1",
                    "%test.quarkus.grpc.clients.recommend-service.test-port", "1");
        }
    }

    @Test
    void an_unreachable_video_service_is_a_502_that_names_it() {
        given().when().get("/api/videos/5")
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", startsWith("video-service: unreachable (Connection refused"));
    }

    @Test
    void an_unreachable_video_service_is_a_red_client_span_in_the_trace_although_no_request_was_sent() {
        // The REST client's own span starts once a connection is there: a refused connection would leave
        // no trace of the hop that failed, only the gateway's red server span.
        String traceId = given().when().get("/api/videos/6").then().statusCode(502).extract().header("X-Trace-Id");
        SpanData connect = InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT);
        assertEquals("connect video-service", connect.getName());
        assertEquals(StatusCode.ERROR, connect.getStatus().getStatusCode());
        assertEquals(1L, connect.getAttributes().get(AttributeKey.longKey("server.port")));
        assertEquals("127.0.0.1", connect.getAttributes().get(AttributeKey.stringKey("server.address")));
        assertTrue(connect.getEvents().stream().anyMatch(e -> e.getName().equals("exception")), connect.getEvents().toString());
        SpanData server = InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER);
        assertEquals(server.getSpanId(), connect.getParentSpanId());
    }

    @Test
    void an_unreachable_recommend_service_is_a_502_that_names_it() {
        given().when().get("/api/home?userId=5")
                .then().statusCode(502)
                .body("title", equalTo("Bad Gateway"))
                .body("detail", startsWith("recommend-service: unavailable (io exception"));
    }
}
