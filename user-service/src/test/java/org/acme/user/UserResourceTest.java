package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class UserResourceTest {

    private static final String TRACE_ID = "[0-9a-f]{32}";

    @Test
    void a_seeded_user_has_a_profile_and_the_response_carries_its_trace_id() {
        given().when().get("/users/1")
                .then().statusCode(200)
                .header("X-Trace-Id", matchesPattern(TRACE_ID))
                .body("id", equalTo(1))
                .body("name", equalTo("Ada Tanaka"))
                .body("handle", equalTo("ada.tanaka1"));
    }

    @Test
    void an_unknown_user_is_a_404_problem_with_the_trace_id() {
        String traceId = given().when().get("/users/999")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("detail", equalTo("user 999 does not exist"))
                .body("traceId", matchesPattern(TRACE_ID))
                .extract().path("traceId");
        given().when().get("/users/999").then().header("X-Trace-Id", matchesPattern(TRACE_ID));
        assertEquals(32, traceId.length());
    }

    @Test
    void a_malformed_user_id_is_a_400_that_says_why() {
        given().when().get("/users/abc")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", equalTo("user id must be a positive integer, got 'abc'"));
        given().when().get("/users/-4")
                .then().statusCode(400)
                .body("detail", equalTo("user id must be a positive integer, got '-4'"));
    }

    @Test
    void watch_history_is_seeded_and_most_recent_first() {
        given().when().get("/users/3/history?limit=3")
                .then().statusCode(200)
                .body("userId", equalTo(3))
                .body("videoIds", contains(167, 156, 145));
    }

    @Test
    void a_recorded_view_comes_first_in_the_history() {
        given().contentType(ContentType.JSON).body("{\"videoId\": 42}")
                .when().post("/users/5/history")
                .then().statusCode(204);
        given().when().get("/users/5/history?limit=1")
                .then().statusCode(200)
                .body("videoIds", contains(42));
    }

    @Test
    void a_view_needs_a_positive_video_id_and_well_formed_json() {
        given().contentType(ContentType.JSON).body("{}")
                .when().post("/users/5/history")
                .then().statusCode(400)
                .body("detail", containsString("videoId"));
        given().contentType(ContentType.JSON).body("{\"videoId\": -1}")
                .when().post("/users/5/history")
                .then().statusCode(400)
                .body("detail", equalTo("videoId must be a positive integer, got '-1'"));
        given().contentType(ContentType.JSON).body("{\"videoId\": ")
                .when().post("/users/5/history")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("malformed JSON body"));
        given().contentType(ContentType.JSON).body("{\"videoId\": 1}")
                .when().post("/users/999/history")
                .then().statusCode(404);
    }

    @Test
    void history_limit_is_bounded() {
        given().when().get("/users/3/history?limit=101")
                .then().statusCode(400)
                .body("detail", equalTo("limit must be at most 100, got 101"));
        given().when().get("/users/3/history?limit=0")
                .then().statusCode(400);
    }

    @Test
    void a_heartbeat_needs_a_known_page_and_a_known_user() {
        given().when().post("/users/2/heartbeat?page=kitchen")
                .then().statusCode(400)
                .body("detail", containsString("page must be one of [home, video, upload, profile, search]"));
        given().when().post("/users/2/heartbeat")
                .then().statusCode(400)
                .body("detail", containsString("page is required"));
        given().when().post("/users/999/heartbeat?page=home")
                .then().statusCode(404);
    }

    @Test
    void a_huge_page_name_is_cut_in_the_detail() {
        given().when().post("/users/2/heartbeat?page=" + "p".repeat(3000))
                .then().statusCode(400)
                .body("detail", equalTo("page must be one of [home, video, upload, profile, search], got '"
                        + "p".repeat(40) + "…'"));
    }

    @Test
    void an_unknown_route_is_a_404_problem() {
        given().when().get("/nothing/here")
                .then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("no resource at /nothing/here"));
    }

    @Test
    void health_and_openapi_are_served() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("Database connections health check"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/users/{id}/heartbeat"));
    }
}
