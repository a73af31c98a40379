package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.acme.conventions.testing.ManagementInterface;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A failed request is counted under its route, the pages' error ratio (observability-stack/prometheus/rules/slo.yml)
 * needs it: a home page answered 502 (recommend-service unreachable) is {@code uri="/api/home",status="502"}.
 */
@QuarkusTest
@TestProfile(RouteOfFailedRequestsTest.RecommendServiceDown.class)
class RouteOfFailedRequestsTest {

    public static class RecommendServiceDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("%test.quarkus.grpc.clients.recommend-service.test-port", "1");
        }
    }

    @Test
    void a_failed_home_page_is_counted_under_its_route() {
        given().when().get("/api/home?userId=5").then().statusCode(502);
        given().when().get("/api/home?userId=0").then().statusCode(400);
        String metrics = given().when().get(ManagementInterface.url("/q/metrics")).then().statusCode(200).extract().asString();
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"502\",uri=\"/api/home\".*"),
                "the 502 is counted under uri=/api/home:\n" + RouteOfFailedRequestsStillNeededTest.serverRequests(metrics));
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"400\",uri=\"/api/home\".*"),
                "so is the 400:\n" + RouteOfFailedRequestsStillNeededTest.serverRequests(metrics));
    }
}
