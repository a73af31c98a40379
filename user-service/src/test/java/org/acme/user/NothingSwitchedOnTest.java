package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With the workshop kit and the reference conventions on the class path but not switched on, neither acts:
 * no admin API, no trace-id header, no problem+json, no fault points. What a copier gets before they turn a
 * piece on, and proof that each piece is turned on by the service's own config.
 */
@QuarkusTest
@TestProfile(NothingSwitchedOnTest.NothingSwitchedOn.class)
class NothingSwitchedOnTest {

    public static class NothingSwitchedOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("workshop.faults.enabled", "false",
                    "conventions.error-contract.enabled", "false",
                    "conventions.latency-histograms.enabled", "false",
                    "conventions.drop-connection-spans.enabled", "false");
        }
    }

    @Test
    void the_service_still_answers_its_api() {
        given().when().get("/users/1").then().statusCode(200).body("id", equalTo(1));
    }

    @Test
    void there_is_no_fault_admin_api() {
        given().contentType("application/json").body("{\"kind\":\"error\",\"target\":\"db.find_user\"}")
                .when().post("/admin/faults").then().statusCode(404);
        given().when().get("/users/1").then().statusCode(200);
    }

    /**
     * Why the stack's prometheus.yml sets {@code scrape_protocols: [OpenMetricsText1.0.0]}: Prometheus' default
     * request prefers OpenMetrics but also offers plain text, and Quarkus answers plain text (no exemplars)
     * whenever the Accept header mentions it. When this fails, Quarkus honours the order of preference and
     * the setting is no longer needed (docs/ARCHITECTURE.md, "Standard pieces").
     */
    @Test
    void prometheus_default_request_gets_plain_text_which_carries_no_exemplars() {
        given().header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
                + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
                .header("User-Agent", "Prometheus/2.53.3")
                .when().get("/q/metrics").then().statusCode(200)
                .header("Content-Type", startsWith("text/plain"));
    }

    /**
     * With the stack's scrape_protocols the answer is OpenMetrics: Prometheus 2.53's Accept header (seen on the wire)
     * and 3.11's (read in its scrape.go at v3.11.2: an escaping parameter, other weights).
     */
    @Test
    void prometheus_asking_for_openmetrics_alone_gets_openmetrics() {
        for (String accept : new String[] { "application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.4",
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,*/*;q=0.5" }) {
            given().header("Accept", accept).header("User-Agent", "Prometheus")
                    .when().get("/q/metrics").then().statusCode(200)
                    .header("Content-Type", startsWith("application/openmetrics-text"));
        }
    }

    @Test
    void responses_carry_no_trace_id_header_and_failures_are_not_problem_json() {
        given().when().get("/users/1").then().header("X-Trace-Id", nullValue());
        given().when().get("/users/999").then().statusCode(not(equalTo(200)))
                .header("Content-Type", not(startsWith("application/problem+json")));
    }
}
