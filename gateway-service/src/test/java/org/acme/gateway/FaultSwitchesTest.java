package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.acme.conventions.testing.FaultAdminApi;
import org.acme.conventions.testing.ManagementInterface;
import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
// The workshop kit's switches: a copy of this service without the kit skips this test.
@EnabledIf("org.acme.conventions.testing.WorkshopKit#present")
class FaultSwitchesTest {

    /** The gateway serves the admin API on its management interface only. */
    String admin;

    @BeforeEach
    void adminUrl() {
        admin = ManagementInterface.url("/admin/faults");
    }

    @Inject
    InMemorySpanExporter spans;

    @AfterEach
    void everyFaultOff() {
        FaultAdminApi.allOff(admin);
    }

    @Test
    void the_switches_answer_on_the_management_interface_and_never_on_the_public_port() {
        given().when().get(admin).then().statusCode(200)
                .body("service", equalTo("gateway-service"))
                .body("available", hasItem("latency:GET /api/home"))
                .body("available", hasItem("drop-context:recommend-service"));
        given().when().get("/admin/faults").then().statusCode(404);
        given().contentType("application/json").body("{\"kind\":\"error\",\"target\":\"GET /api/home\"}")
                .when().post("/admin/faults").then().statusCode(404);
        given().when().delete("/admin/faults").then().statusCode(404);
    }

    @Test
    void dropping_the_context_on_both_hops_splits_the_home_request_into_three_traces() {
        switchOn("{\"kind\":\"drop-context\",\"target\":\"user-service\"}");
        switchOn("{\"kind\":\"drop-context\",\"target\":\"recommend-service\"}");

        String traceId = given().when().get("/api/home?userId=22").then().statusCode(200).extract().header("X-Trace-Id");

        SpanData gateway = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /api/home"));
        assertEquals(java.util.Set.of("drop-context:user-service", "drop-context:recommend-service"),
                java.util.Set.of(gateway.getAttributes().get(AttributeKey.stringKey("app.fault")).split(",")),
                "the span that made both calls names both faults");

        // The peers' server spans (the stand-ins run in this application) land in traces of their own, each
        // begun by the gateway's client span, which has no parent: the tell-tale sign of a lost context.
        SpanData profile = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /users/{id}")
                && s.getStartEpochNanos() >= gateway.getStartEpochNanos() && s.getEndEpochNanos() <= gateway.getEndEpochNanos());
        SpanData feed = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().endsWith("/GetHomeFeed")
                && s.getStartEpochNanos() >= gateway.getStartEpochNanos() && s.getEndEpochNanos() <= gateway.getEndEpochNanos());
        for (SpanData orphan : new SpanData[] { profile, feed }) {
            assertNotEquals(traceId, orphan.getTraceId(), orphan.getName() + " is in a trace of its own");
            SpanData caller = awaitSpan(s -> s.getSpanId().equals(orphan.getParentSpanId()));
            assertEquals(SpanKind.CLIENT, caller.getKind());
            assertEquals(SpanId.getInvalid(), caller.getParentSpanId(), "the client span " + caller.getName() + " is a root");
        }
        assertNotEquals(profile.getTraceId(), feed.getTraceId());
        assertTrue(spans.getFinishedSpanItems().stream()
                .noneMatch(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT),
                "the request's own trace holds no call to either peer");
    }

    @Test
    void without_the_switch_the_peers_continue_the_trace() {
        String traceId = given().when().get("/api/home?userId=23").then().statusCode(200).extract().header("X-Trace-Id");
        SpanData profile = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /users/{id}"));
        assertTrue(SpanId.isValid(profile.getParentSpanId()));
    }

    private void switchOn(String body) {
        FaultAdminApi.switchOn(admin, body);
    }

    private SpanData awaitSpan(java.util.function.Predicate<SpanData> match) {
        return InMemorySpans.awaitSpan(spans, match);
    }
}
