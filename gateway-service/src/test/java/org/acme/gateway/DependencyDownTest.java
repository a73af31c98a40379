package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(DependencyDownTest.NothingListens.class)
class DependencyDownTest {

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
    void an_unreachable_recommend_service_is_a_502_that_names_it() {
        given().when().get("/api/home?userId=5")
                .then().statusCode(502)
                .body("title", equalTo("Bad Gateway"))
                .body("detail", startsWith("recommend-service: unavailable (io exception"));
    }
}
