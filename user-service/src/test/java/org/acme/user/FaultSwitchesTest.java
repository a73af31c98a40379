package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.acme.conventions.testing.FaultAdminApi;
import org.acme.conventions.testing.InMemorySpans;
import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
// The workshop kit's switches: a copy of this service without the kit skips this test.
@EnabledIf("org.acme.conventions.testing.WorkshopKit#present")
class FaultSwitchesTest {

    static final AttributeKey<String> FAULT = AttributeKey.stringKey("app.fault");

    @Inject
    InMemorySpanExporter spans;

    @AfterEach
    void everyFaultOff() {
        FaultAdminApi.allOff(FaultAdminApi.OWN_PORT);
    }

    @Test
    void every_endpoint_and_database_operation_has_a_latency_and_an_error_switch() {
        given().when().get("/admin/faults").then().statusCode(200)
                .body("service", equalTo("user-service"))
                .body("active.size()", equalTo(0))
                .body("available", hasItem("latency:GET /users/{id}/history"))
                .body("available", hasItem("error:POST /users/{id}/heartbeat"))
                .body("available", hasItem("latency:db.watch_history"))
                .body("available", hasItem("error:db.record_view"));
    }

    @Test
    void a_web_page_cannot_switch_a_fault_on_with_a_simple_request() {
        // What a hostile page can send without a CORS preflight: a form or no-cors fetch, text/plain.
        given().contentType("text/plain").body("{\"kind\":\"error\",\"target\":\"db.find_user\"}")
                .when().post("/admin/faults").then().statusCode(415)
                .contentType("application/problem+json");
        // And any request a browser marks with its page's origin, even as JSON.
        given().contentType("application/json").header("Origin", "http://127.0.0.1:9999")
                .body("{\"kind\":\"error\",\"target\":\"db.find_user\"}")
                .when().post("/admin/faults").then().statusCode(403);
        given().header("Origin", "http://127.0.0.1:9999").when().delete("/admin/faults").then().statusCode(403);
        given().when().get("/admin/faults").then().statusCode(200).body("active.size()", equalTo(0));
    }

    @Test
    void a_latency_fault_slows_the_endpoint_it_names_and_marks_its_span() {
        switchOn("{\"kind\":\"latency\",\"target\":\"GET /users/{id}\",\"delay\":\"400ms\"}");

        long started = System.nanoTime();
        String slow = given().when().get("/users/5").then().statusCode(200).extract().header("X-Trace-Id");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        String other = given().when().get("/users/5/history").then().statusCode(200).extract().header("X-Trace-Id");

        assertTrue(tookMillis >= 400, "the profile took " + tookMillis + " ms with 400 ms added");
        assertEquals("latency:GET /users/{id}", server(slow).getAttributes().get(FAULT));
        assertNull(server(other).getAttributes().get(FAULT), "another endpoint is not touched");
    }

    @Test
    void an_error_fault_on_a_query_fails_it_as_a_real_failure_with_its_span_marked() {
        switchOn("{\"kind\":\"error\",\"target\":\"db.find_user\"}");

        String traceId = given().when().get("/users/6").then().statusCode(500)
                .contentType("application/problem+json")
                .body("detail", containsString("db.find_user"))
                .extract().header("X-Trace-Id");

        SpanData query = InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getName().equals("db.find_user"));
        assertEquals("error:db.find_user", query.getAttributes().get(FAULT));
        assertEquals(StatusCode.ERROR, query.getStatus().getStatusCode());
        assertEquals(server(traceId).getSpanId(), query.getParentSpanId());
    }

    @Test
    void an_error_rate_fails_about_that_share_of_the_calls() {
        switchOn("{\"kind\":\"error\",\"target\":\"POST /users/{id}/heartbeat\",\"rate\":0.5}");
        int failed = 0;
        for (int i = 0; i < 200; i++) {
            int status = given().when().post("/users/8/heartbeat?page=home").then().extract().statusCode();
            assertTrue(status == 200 || status == 500, "status " + status);
            failed += status == 500 ? 1 : 0;
        }
        // Binomial(200, 0.5): 100 ± 7; outside 60..140 is a broken rate, not bad luck.
        assertTrue(failed >= 60 && failed <= 140, failed + " of 200 failed at rate 0.5");
    }

    @Test
    void the_gauge_shows_a_fault_while_it_is_on_and_one_command_switches_all_off() {
        String gauge = "app_faults_active";
        String label = "fault=\"latency:db.watch_history\"";
        assertEquals(0, MetricsScrape.value(gauge, label));
        switchOn("{\"kind\":\"latency\",\"target\":\"db.watch_history\",\"delay\":\"10ms\",\"jitter\":\"5ms\"}");
        switchOn("{\"kind\":\"error\",\"target\":\"db.record_view\",\"rate\":0.1}");
        assertEquals(1, MetricsScrape.value(gauge, label));
        given().when().get("/admin/faults").then().body("active.fault",
                equalTo(java.util.List.of("error:db.record_view", "latency:db.watch_history")));

        given().when().delete("/admin/faults").then().statusCode(200).body("switchedOff", equalTo(2));
        assertEquals(0, MetricsScrape.value(gauge, label));
        given().when().get("/admin/faults").then().body("active.size()", equalTo(0));
    }

    @Test
    void one_fault_is_switched_off_by_name() {
        switchOn("{\"kind\":\"latency\",\"target\":\"db.find_user\",\"delay\":\"1s\"}");
        given().queryParam("fault", "latency:db.find_user").when().delete("/admin/faults").then().statusCode(200);
        given().queryParam("fault", "latency:db.find_user").when().delete("/admin/faults").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"kind\":\"latency\",\"target\":\"db.nothing\",\"delay\":\"1s\"} | has no fault switch latency:db.nothing",
            "{\"kind\":\"latency\",\"target\":\"db.find_user\"}                 | needs a delay",
            "{\"kind\":\"latency\",\"target\":\"db.find_user\",\"delay\":\"5 minutes\"} | must be a duration",
            "{\"kind\":\"latency\",\"target\":\"db.find_user\",\"delay\":\"31s\"} | between 0 and 30s",
            "{\"kind\":\"error\",\"target\":\"db.find_user\",\"rate\":1.5}      | rate must be more than 0",
            "{\"kind\":\"error\",\"target\":\"db.find_user\",\"rate\":\"half\"}  | must be a number",
            "{\"target\":\"db.find_user\"}                                       | is required, as a string",
            "[1, 2]                                                              | must be a JSON object",
            "{nope                                                               | not valid JSON",
    })
    void a_bad_switch_request_is_refused_with_a_problem_that_says_why(String body, String detail) {
        given().contentType("application/json").body(body).when().post("/admin/faults").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString(detail))
                .body("traceId", matchesPattern("[0-9a-f]{32}"));
        given().when().get("/admin/faults").then().body("active.size()", equalTo(0));
    }

    private static void switchOn(String body) {
        FaultAdminApi.switchOn(FaultAdminApi.OWN_PORT, body);
    }

    private SpanData server(String traceId) {
        return InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER);
    }
}
