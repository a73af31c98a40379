package org.acme.video;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class VideoResourceTest {

    @Test
    void a_seeded_video_has_details() {
        given().when().get("/videos/1")
                .then().statusCode(200)
                .header("X-Trace-Id", matchesPattern("[0-9a-f]{32}"))
                .body("id", equalTo(1))
                .body("title", equalTo("How to make sourdough bread at home"))
                .body("category", equalTo("Cooking"))
                .body("uploaderId", equalTo(1));
    }

    @Test
    void an_unknown_video_is_a_404_problem() {
        given().when().get("/videos/100000")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("video 100000 does not exist"))
                .body("traceId", matchesPattern("[0-9a-f]{32}"));
    }

    @Test
    void a_malformed_video_id_is_a_400() {
        given().when().get("/videos/twelve")
                .then().statusCode(400)
                .body("detail", equalTo("video id must be a positive integer, got 'twelve'"));
    }

    @Test
    void a_valid_upload_is_stored_and_can_be_read_back() {
        int id = given().contentType(ContentType.JSON)
                .body("{\"title\":\"Sourdough, the lazy way\",\"durationSeconds\":420,\"sizeBytes\":52428800,\"uploaderId\":7,\"category\":\"Cooking\"}")
                .when().post("/videos")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/videos/\\d+"))
                .body("id", greaterThan(300))
                .extract().path("id");
        given().when().get("/videos/" + id)
                .then().statusCode(200)
                .body("title", equalTo("Sourdough, the lazy way"))
                .body("uploaderId", equalTo(7));
    }

    @Test
    void each_invalid_upload_is_a_400_that_names_the_problem() {
        rejects("{\"title\":\"  \",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}", "title must not be blank");
        rejects("{\"title\":\"" + "x".repeat(121) + "\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}",
                "title must be at most 120 characters");
        rejects("{\"title\":\"t\",\"durationSeconds\":0,\"sizeBytes\":10,\"uploaderId\":1}", "durationSeconds must be positive");
        rejects("{\"title\":\"t\",\"durationSeconds\":10,\"sizeBytes\":2147483649,\"uploaderId\":1}",
                "sizeBytes must be at most 2147483648 (2 GiB)");
        rejects("{\"title\":\"t\",\"durationSeconds\":10,\"uploaderId\":1}", "sizeBytes is required");
        rejects("{\"title\":\"t\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":999}",
                "uploaderId 999 is not a known user");
        rejects("{\"title\":\"t\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1,\"category\":\"Cats\"}",
                "category must be one of");
        rejects("{\"title\":\"t\",", "malformed JSON body");
        rejects("{\"title\":\"t\",\"durationSeconds\":\"long\",\"sizeBytes\":10,\"uploaderId\":1}", "malformed JSON body");
    }

    @Test
    void an_upload_takes_json_values_as_the_types_they_are() {
        rejects("{\"title\":\"t\",\"durationSeconds\":10.7,\"sizeBytes\":10,\"uploaderId\":1}", "durationSeconds: must be an integer");
        rejects("{\"title\":\"t\",\"durationSeconds\":\"10\",\"sizeBytes\":10,\"uploaderId\":1}", "durationSeconds: must be an integer");
        rejects("{\"title\":\"t\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1.9}", "uploaderId: must be an integer");
        rejects("{\"title\":123,\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}", "title: must be a string");
    }

    @Test
    @io.quarkus.test.TestTransaction
    void a_title_with_control_characters_is_rejected_and_not_stored() {
        long before = Video.count();
        rejects("{\"title\":\"nul\\u0000here\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}",
                "title must not contain control characters");
        rejects("{\"title\":\"\\u001b[31mred\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}",
                "title must not contain control characters");
        org.junit.jupiter.api.Assertions.assertEquals(before, Video.count());
    }

    @Test
    @io.quarkus.test.TestTransaction
    void a_title_with_invisible_formatting_characters_is_rejected_but_emoji_sequences_are_kept() {
        long before = Video.count();
        for (String hidden : new String[] { "\\u202Egpj.exe", "zero\\u200Bwidth", "bom\\uFEFF", "isolate\\u2066x\\u2069", "join\\u2060er" }) {
            rejects("{\"title\":\"" + hidden + "\",\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}",
                    "invisible formatting characters");
        }
        org.junit.jupiter.api.Assertions.assertEquals(before, Video.count());
        // A family emoji is joined with U+200D; a Persian word may need U+200C.
        given().contentType("application/json")
                .body("{\"title\":\"\\uD83D\\uDC68\\u200D\\uD83D\\uDC69\\u200D\\uD83D\\uDC67 trip, \\u0645\\u06CC\\u200C\\u062E\\u0648\\u0627\\u0647\\u0645\","
                        + "\"durationSeconds\":10,\"sizeBytes\":10,\"uploaderId\":1}")
                .when().post("/videos").then().statusCode(201);
    }

    private static void rejects(String body, String detail) {
        given().contentType(ContentType.JSON).body(body)
                .when().post("/videos")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString(detail));
    }
}
