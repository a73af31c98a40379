package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.conventions.testing.ManagementInterface;
import org.acme.conventions.testing.RawHttp;
import org.acme.conventions.testing.RawHttp.Answer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/** What a client that does not play by the rules gets: still problem+json with the trace id, never a 5xx. */
@QuarkusTest
class EdgeOfTheApiTest {

    /** Metrics are on the management interface, not the public port. */
    String metricsUrl;

    @BeforeEach
    void metricsUrl() {
        metricsUrl = ManagementInterface.url("/q/metrics");
    }

    private static final Pattern TRACE_ID = Pattern.compile("\"traceId\":\"([0-9a-f]{32})\"");

    @ParameterizedTest
    @CsvSource({ "GET /api/users/abc, 400", "GET /api/home?userId=0, 400", "GET /nope, 404", "PUT /api/home, 405" })
    void a_request_without_a_host_still_gets_a_problem_with_its_trace_id(String requestLine, int status) {
        assertProblem(RawHttp.send(RestAssured.port, requestLine + " HTTP/1.0\r\n\r\n"), status);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "Host: a b\r\n", "Host: [::1\r\n" })
    void an_http11_request_without_a_usable_host_is_a_400_problem(String hostHeader) {
        assertProblem(RawHttp.send(RestAssured.port,
                "GET /api/users/abc HTTP/1.1\r\n" + hostHeader + "Connection: close\r\n\r\n"), 400);
    }

    @Test
    void a_body_over_the_size_limit_is_a_413_problem() {
        assertProblem(RawHttp.send(RestAssured.port, "POST /api/videos HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 20000000\r\n\r\n{\"title\":\""), 413);
    }

    @ParameterizedTest
    @ValueSource(strings = { "+5", "%205%20", "%D9%A5", "5.0", "0x5", "00000000000000000000000000005" })
    void an_id_is_plain_ascii_digits(String id) {
        given().urlEncodingEnabled(false).when().get("/api/users/" + id)
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void an_empty_user_id_is_a_400_on_every_page() {
        given().when().get("/api/home?userId=").then().statusCode(400).contentType("application/problem+json");
        given().when().get("/api/videos/42?userId=").then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("userId must be a positive integer, got ''"));
    }

    @Test
    void a_bad_id_is_a_400_whatever_the_client_accepts() {
        given().accept("application/xml").when().get("/api/users/abc")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"title\":\"t\",\"durationSeconds\":60,\"sizeBytes\":1000,\"uploaderId\":1.9}|uploaderId",
            "{\"title\":\"t\",\"durationSeconds\":10.7,\"sizeBytes\":1000,\"uploaderId\":1}|durationSeconds",
            "{\"title\":\"t\",\"durationSeconds\":\"10\",\"sizeBytes\":1000,\"uploaderId\":1}|durationSeconds",
            "{\"title\":123,\"durationSeconds\":60,\"sizeBytes\":1000,\"uploaderId\":1}|title",
            "{\"title\":\"t\",\"durationSeconds\":60,\"sizeBytes\":1e3,\"uploaderId\":1}|sizeBytes",
            "{\"title\":\"t\",\"durationSeconds\":60,\"sizeBytes\":1000,\"uploaderId\":true}|uploaderId",
            "[]|body",
            "\"an upload\"|body",
            "{\"title\":[\"t\"],\"durationSeconds\":60,\"sizeBytes\":1000,\"uploaderId\":1}|title" })
    void an_upload_field_of_the_wrong_json_type_is_a_400_in_the_clients_words(String body, String named) {
        given().contentType(ContentType.JSON).body(body).when().post("/api/videos")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString(named))
                .body("detail", not(containsString("java")))
                .body("detail", not(containsString("$")))
                .body("detail", not(containsString("org.acme")))
                .body("detail", not(containsString("`")));
    }

    @Test
    void requests_rejected_before_routing_share_one_uri_label() {
        for (int i = 0; i < 5; i++) {
            given().when().put("/api/videos/" + (7100 + i)).then().statusCode(405);
            given().when().delete("/made-up-" + i).then().statusCode(404);
        }
        RawHttp.send(RestAssured.port, "GET /api/users/%zz7 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        String metrics = given().when().get(metricsUrl).then().statusCode(200).extract().asString();
        assertFalse(metrics.contains("/api/videos/71"), "a client-chosen path became a label");
        assertFalse(metrics.contains("made-up"), "a client-chosen path became a label");
        assertFalse(metrics.contains("%zz7"), "a client-chosen path became a label");
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*method=\"PUT\"[^}]*status=\"405\",uri=\"UNKNOWN\".*"),
                "rejected PUTs counted under uri=UNKNOWN");
    }

    @Test
    void a_client_that_gives_up_mid_upload_is_not_a_server_error() {
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(handler);
        try {
            String uploads = "http_server_requests_seconds_count\\{method=\"POST\",outcome=\"\\w+\",status=\"(\\w+)\",uri=\"/api/videos\"} (\\S+)";
            // Micrometer counts a request whose connection closed under it as status="RESET".
            double before = recorded(uploads, false);
            RawHttp.abandon(RestAssured.port, "POST /api/videos HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000\r\n\r\n", "{\"title\":\"half an upl");
            // The server notices the closed connection on its own time; its verdict shows in the metrics.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recorded(uploads, false) > before);
            assertEquals(0, recorded(uploads, true), "abandoned uploads recorded as 5xx");
            assertTrue(errors.isEmpty(), () -> "logged as an error: " + errors.get(0).getMessage());
        } finally {
            root.removeHandler(handler);
        }
    }

    /** The sum of the counts matched by {@code series} (status in group 1, count in group 2), of 5xx only or of all. */
    private double recorded(String series, boolean serverErrorsOnly) {
        Matcher m = Pattern.compile(series).matcher(given().get(metricsUrl).asString());
        double sum = 0;
        while (m.find()) {
            if (!serverErrorsOnly || m.group(1).startsWith("5")) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    @Test
    void every_operation_documents_its_errors_as_problem_json() {
        io.restassured.path.json.JsonPath openApi = given().when().get("/q/openapi?format=json")
                .then().statusCode(200).extract().jsonPath();
        for (String operation : List.of("'/api/home'.get", "'/api/videos'.post", "'/api/videos/{id}'.get",
                "'/api/users/{id}'.get", "'/api/users/{id}/heartbeat'.post")) {
            for (String status : List.of("4XX", "5XX")) {
                java.util.Map<String, Object> schema = openApi.getMap("paths." + operation + ".responses.'" + status
                        + "'.content.'application/problem+json'.schema");
                assertNotNull(schema, operation + " " + status);
                assertEquals("#/components/schemas/Problem", schema.get("$ref"), operation + " " + status);
            }
        }
        assertEquals("string", openApi.getString("components.schemas.Problem.properties.traceId.type"));
    }

    static void assertProblem(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.toString());
        assertEquals("application/problem+json", answer.header("Content-Type"), answer.toString());
        String header = answer.header("X-Trace-Id");
        assertNotNull(header, () -> "no X-Trace-Id: " + answer);
        Matcher body = TRACE_ID.matcher(answer.body());
        assertTrue(body.find(), answer.toString());
        assertEquals(header, body.group(1), answer.toString());
    }
}
