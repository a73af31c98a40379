package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.acme.conventions.testing.ManagementInterface;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The upstream behaviour the conventions' {@code RouteOfFailedRequests} works around, checked with the workaround
 * switched off (with the latency histograms it belongs to): with {@code suppress4xx-errors}, a 502 of a route without
 * parameters is counted under {@code uri="UNKNOWN"}. When this test fails, Quarkus keeps the route of such a request
 * itself and the class can be deleted (docs/ARCHITECTURE.md, "Workarounds of upstream behaviour").
 */
@QuarkusTest
@TestProfile(RouteOfFailedRequestsStillNeededTest.WorkaroundOff.class)
class RouteOfFailedRequestsStillNeededTest {

    public static class WorkaroundOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("conventions.latency-histograms.enabled", "false",
                    "%test.quarkus.grpc.clients.recommend-service.test-port", "1");
        }
    }

    @Test
    void a_failed_home_page_is_counted_under_unknown_without_the_workaround() {
        given().when().get("/api/home?userId=5").then().statusCode(502);
        String metrics = given().when().get(ManagementInterface.url("/q/metrics")).then().statusCode(200).extract().asString();
        assertTrue(metrics.matches("(?s).*http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*status=\"502\",uri=\"UNKNOWN\".*"),
                "Quarkus now keeps the route of a failed request: RouteOfFailedRequests can go\n" + serverRequests(metrics));
    }

    static String serverRequests(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("http_server_requests_seconds_count")).collect(Collectors.joining("\n"));
    }
}
