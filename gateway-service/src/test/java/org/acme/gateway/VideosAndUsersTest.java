package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.MatcherAssert.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class VideosAndUsersTest {

    @Test
    void a_video_page_shows_the_video_and_records_the_view() {
        given().when().get("/api/videos/42?userId=8")
                .then().statusCode(200)
                .header("X-Trace-Id", matchesPattern("[0-9a-f]{32}"))
                .body("id", equalTo(42))
                .body("title", equalTo("Video 42"));
        assertThat(UserServiceStandIn.VIEWS, hasItem("8:42"));
    }

    @Test
    void video_bad_input_is_a_4xx() {
        given().when().get("/api/videos/0").then().statusCode(400)
                .body("detail", equalTo("video id must be a positive integer, got '0'"));
        given().when().get("/api/videos/301").then().statusCode(404)
                .body("detail", equalTo("video 301 does not exist"));
        given().when().get("/api/videos/42?userId=x").then().statusCode(400)
                .body("detail", equalTo("userId must be a positive integer, got 'x'"));
        given().when().get("/api/videos/42?userId=404").then().statusCode(404)
                .body("detail", equalTo("user 404 does not exist"));
    }

    @Test
    void a_slow_video_service_is_a_504_that_names_it() {
        given().when().get("/api/videos/" + VideoServiceStandIn.SLOW_VIDEO)
                .then().statusCode(504)
                .body("detail", equalTo("video-service: no answer within 2000 ms"));
    }

    @Test
    void a_4xx_to_a_request_the_gateway_built_is_a_502_naming_the_hop() {
        given().when().get("/api/videos/" + UserServiceStandIn.UNRECORDABLE_VIDEO + "?userId=8")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", equalTo("user-service: answered HTTP 409 (video 244 cannot be recorded)"));
    }

    @Test
    void an_upload_is_passed_to_video_service_and_its_verdict_passed_back() {
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"Kyoto at dawn\",\"durationSeconds\":300,\"sizeBytes\":1000,\"uploaderId\":3}")
                .when().post("/api/videos")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/api/videos/301"))
                .body("title", equalTo("Kyoto at dawn"));
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"\",\"durationSeconds\":300,\"sizeBytes\":1000,\"uploaderId\":3}")
                .when().post("/api/videos")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("title must not be blank"));
    }

    @Test
    void a_malformed_upload_is_a_400_at_the_gateway() {
        given().contentType(ContentType.JSON).body("{\"title\": \"oops\"")
                .when().post("/api/videos")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("malformed JSON body"));
        given().contentType(ContentType.JSON).body("")
                .when().post("/api/videos")
                .then().statusCode(400);
    }

    @Test
    void a_profile_and_a_heartbeat_pass_through() {
        given().when().get("/api/users/3").then().statusCode(200).body("handle", equalTo("user3"));
        given().when().post("/api/users/3/heartbeat?page=home").then().statusCode(200).body("page", equalTo("home"));
        given().when().post("/api/users/3/heartbeat?page=moon").then().statusCode(400)
                .body("detail", equalTo("page must be one of [home], got 'moon'"));
        given().when().get("/api/users/abc").then().statusCode(400);
    }
}
