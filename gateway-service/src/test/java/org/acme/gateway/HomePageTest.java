package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class HomePageTest {

    @Test
    void the_home_page_combines_the_profile_and_the_feed() {
        given().when().get("/api/home?userId=5")
                .then().statusCode(200)
                .header("X-Trace-Id", matchesPattern("[0-9a-f]{32}"))
                .body("user.id", equalTo(5))
                .body("user.name", equalTo("User 5"))
                .body("feed.id", contains(12, 7))
                .body("feed[0].title", equalTo("48 hours in Kyoto"))
                .body("feedFromCache", equalTo(false));
    }

    @Test
    void an_unknown_user_is_a_404_whose_trace_id_matches_the_header() {
        Response response = given().when().get("/api/home?userId=404");
        response.then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("detail", equalTo("user 404 does not exist"));
        assertEquals(response.header("X-Trace-Id"), response.path("traceId"));
    }

    @Test
    void a_missing_or_malformed_user_id_is_a_400() {
        given().when().get("/api/home")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("userId is required"));
        given().when().get("/api/home?userId=1e3")
                .then().statusCode(400)
                .body("detail", equalTo("userId must be a positive integer, got '1e3'"));
    }

    @Test
    void a_failing_recommend_service_is_a_502_that_names_the_chain() {
        given().when().get("/api/home?userId=" + RecommendServiceStandIn.FEED_FAILS)
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("title", equalTo("Bad Gateway"))
                .body("detail", equalTo("recommend-service: unavailable (video-service: unavailable (io exception: Connection refused))"))
                .body("traceId", matchesPattern("[0-9a-f]{32}"));
    }

    @Test
    void a_failed_feed_is_answered_once_the_profile_call_has_ended_too() {
        // Answering at once would leave the profile call running with nobody waiting for it: under a
        // fast failure, the next requests would pile calls onto a healthy user-service.
        for (int i = 0; i < 3; i++) {
            given().when().get("/api/home?userId=" + RecommendServiceStandIn.FEED_FAILS_PROFILE_SLOW)
                    .then().statusCode(502)
                    .body("detail", startsWith("recommend-service: unavailable"));
            assertEquals(0, UserServiceStandIn.PROFILES_IN_FLIGHT.get(), "profile calls still running after the answer");
        }
    }

    @Test
    void a_slow_recommend_service_is_a_504_within_the_deadline() {
        long start = System.nanoTime();
        given().when().get("/api/home?userId=" + RecommendServiceStandIn.FEED_IS_SLOW)
                .then().statusCode(504)
                .body("detail", equalTo("recommend-service: no answer within 2000 ms"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 3_500, "answered at the 2 s deadline, not after the slow reply: " + millis + " ms");
    }

    @Test
    void an_invalid_argument_from_recommend_service_is_the_platforms_502_not_the_users_400() {
        given().when().get("/api/home?userId=" + RecommendServiceStandIn.FEED_REFUSED)
                .then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", equalTo("recommend-service: INVALID_ARGUMENT (feed size must be between 1 and 50, got 51)"));
    }

    @Test
    void a_failing_user_service_is_a_502_that_names_it() {
        given().when().get("/api/home?userId=" + UserServiceStandIn.BROKEN_USER)
                .then().statusCode(502)
                .body("detail", matchesPattern("user-service: answered HTTP 500.*"));
    }

    @Test
    void an_unknown_route_is_a_404_problem() {
        given().when().get("/api/nowhere")
                .then().statusCode(404).contentType("application/problem+json")
                .body("detail", equalTo("no resource at /api/nowhere"));
    }
}
