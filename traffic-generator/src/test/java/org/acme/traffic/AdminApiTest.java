package org.acme.traffic;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class AdminApiTest {

    private final List<String> infoLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() == Level.INFO.intValue()) {
                infoLines.add(((ExtLogRecord) record).getFormattedMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        Logger.getLogger(Crowd.class.getName()).addHandler(capture);
    }

    @AfterEach
    void idleAgain() {
        Logger.getLogger(Crowd.class.getName()).removeHandler(capture);
        given().delete("/admin/traffic/surge");
        forecast("off");
        rate("0");
    }

    static ValidatableResponse forecast(String factor) {
        return given().contentType("application/json").body("{\"factor\": \"" + factor + "\"}").put("/admin/traffic/forecast").then();
    }

    @Test
    void a_surge_is_announced_as_a_gauge_and_sends_nothing_more() {
        rate("0.5").statusCode(200);
        forecast("5x").statusCode(200).body("forecast", equalTo(5.0f)).body("targetRate", equalTo(0.5f)).body("surge", nullValue());
        assertEquals(5.0, MetricsScrape.value("app_traffic_forecast_factor"));
        assertEquals(true, infoLines.get(1).contains("×5.0"), infoLines.toString());
        forecast("off").statusCode(200).body("forecast", equalTo(1.0f));
        assertEquals(1.0, MetricsScrape.value("app_traffic_forecast_factor"));
        forecast("12.5").statusCode(200).body("forecast", equalTo(12.5f));
        forecast("1").statusCode(200).body("forecast", equalTo(1.0f));
    }

    @ParameterizedTest(name = "PUT forecast {0} → 400")
    @CsvSource({ "0.5, between 1 (no surge announced) and 100", "101, between 1", "abc, must be a number", "'', is required" })
    void a_bad_forecast_is_a_400_problem(String factor, String detail) {
        problem(forecast(factor), detail);
        assertEquals(1.0, MetricsScrape.value("app_traffic_forecast_factor"));
    }

    /** {@code PUT /admin/traffic/rate} as scripts/traffic sends it: the value as a JSON string, as typed. */
    static ValidatableResponse rate(String requestsPerSecond) {
        return given().contentType("application/json").body("{\"requestsPerSecond\": \"" + requestsPerSecond + "\"}")
                .put("/admin/traffic/rate").then();
    }

    static ValidatableResponse surge(String factor, String duration) {
        return given().contentType("application/json")
                .body("{\"factor\": \"" + factor + "\", \"duration\": \"" + duration + "\"}").post("/admin/traffic/surge").then();
    }

    @Test
    void the_state_says_rate_surge_users_and_gateway() {
        given().get("/admin/traffic").then().statusCode(200)
                .body("rate", equalTo(0.0f))
                .body("surge", nullValue())
                .body("usersMax", equalTo(6))
                .body("gateway", equalTo("http://127.0.0.1:18084"));
    }

    @Test
    void each_change_is_answered_with_the_new_state_and_logged_in_one_info_line() {
        rate("0.5").statusCode(200).body("rate", equalTo(0.5f));
        surge("3x", "90s").statusCode(200)
                .body("surge.factor", equalTo(3.0f)).body("surge.durationSeconds", equalTo(90)).body("targetRate", equalTo(1.5f));
        given().delete("/admin/traffic/surge").then().statusCode(200).body("surge", nullValue()).body("targetRate", equalTo(0.5f));

        assertEquals(3, infoLines.size(), "one INFO line per change: " + infoLines);
        assertEquals(true, infoLines.get(1).contains("×3.0") && infoLines.get(1).contains("90"), infoLines.get(1));
        assertEquals(true, infoLines.get(2).contains("called off"), infoLines.get(2));
    }

    @ParameterizedTest(name = "PUT rate {0} → 400")
    @CsvSource({ "abc, must be a number", "-1, must be a number of at least 0", "NaN, must be a number", "'', is required",
            "126, above the most this generator sends" })
    void a_bad_rate_is_a_400_problem(String value, String detail) {
        problem(rate(value), detail);
    }

    @ParameterizedTest(name = "POST surge factor={0} duration={1} → 400")
    @CsvSource({ "1, 2m, factor must be above 1", "0.5, 2m, factor must be above 1", "11, 2m, at most 10", "abc, 2m, must be a number",
            "5, 0s, duration must be between 1s and 1h", "5, 2h, duration must be between", "5, soon, duration must be between" })
    void a_bad_surge_is_a_400_problem(String factor, String duration, String detail) {
        problem(surge(factor, duration), detail);
    }

    @Test
    void a_surge_above_the_highest_rate_is_refused() {
        rate("25").statusCode(200);
        problem(surge("6", "1m"), "above the most this generator sends");
        given().get("/admin/traffic").then().body("surge", nullValue());
    }

    @Test
    void numbers_may_be_json_numbers_and_a_surge_body_may_leave_out_both_fields() {
        given().contentType("application/json").body("{\"requestsPerSecond\": 2}").put("/admin/traffic/rate").then()
                .statusCode(200).body("rate", equalTo(2.0f));
        given().contentType("application/json").body("{}").post("/admin/traffic/surge").then().statusCode(200)
                .body("surge.factor", equalTo(5.0f)).body("surge.durationSeconds", equalTo(120));
    }

    @Test
    void an_unknown_field_or_a_body_that_is_not_an_object_is_a_400_problem() {
        problem(given().contentType("application/json").body("{\"rps\": 2}").put("/admin/traffic/rate").then(), "unknown field 'rps'");
        problem(given().contentType("application/json").body("[2]").put("/admin/traffic/rate").then(), "must be a JSON object");
        problem(given().contentType("application/json").body("{\"requestsPerSecond\": true}").put("/admin/traffic/rate").then(),
                "must be a number or a string");
    }

    /**
     * What a hostile page in the trainer's browser can send without a CORS preflight: a form (urlencoded or
     * text/plain, whose field name carries JSON) or a no-cors fetch, all with the page's Origin. Nothing changes.
     */
    @Test
    void a_web_page_changes_nothing() {
        given().contentType("text/plain").body("{\"factor\": \"10\", \"duration\": \"1h\"}=").post("/admin/traffic/surge").then()
                .statusCode(415).contentType("application/problem+json");
        given().contentType("application/x-www-form-urlencoded").formParam("factor", "10").post("/admin/traffic/surge").then()
                .statusCode(415);
        given().header("Origin", "http://127.0.0.1:8000").contentType("application/json").body("{\"factor\": \"10\"}")
                .post("/admin/traffic/surge").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("not for web pages")).body("traceId", matchesPattern("[0-9a-f]{32}"));
        given().header("Origin", "http://127.0.0.1:8000").contentType("application/json").body("{\"requestsPerSecond\": 40}")
                .put("/admin/traffic/rate").then().statusCode(403);
        // The old query parameters are no longer read: no body, no change.
        given().post("/admin/traffic/surge?factor=10&duration=1h").then().statusCode(415);
        given().get("/admin/traffic").then().body("surge", nullValue()).body("rate", equalTo(0.0f))
                .header("Access-Control-Allow-Origin", nullValue());
    }

    private static void problem(ValidatableResponse response, String detail) {
        response.statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("title", equalTo("Bad Request"))
                .body("detail", containsString(detail))
                .body("traceId", matchesPattern("[0-9a-f]{32}"));
    }
}
