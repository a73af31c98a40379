package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.conventions.FrontRoutes;
import org.acme.conventions.testing.ManagementInterface;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The gateway is the edge: the route of the request it serves travels to the backends in the W3C baggage, and nothing a
 * caller sends in its own baggage travels further; each request is counted under its route, the denominator of the
 * calls per front request.
 */
@QuarkusTest
class FrontRouteBaggageTest {

    @Test
    void the_backend_call_carries_the_gateways_route_and_none_of_the_callers_baggage() {
        UserServiceStandIn.BAGGAGE.clear();
        given().header("baggage", "front.route=GET%20%2Fapi%2Fadmin,secret=42")
                .when().get("/api/users/7").then().statusCode(200);
        assertEquals(1, UserServiceStandIn.BAGGAGE.size(), UserServiceStandIn.BAGGAGE.toString());
        String sent = UserServiceStandIn.BAGGAGE.get(0);
        assertEquals("GET /api/users/{id}", FrontRoutes.routeInBaggage(sent), "the baggage sent: " + sent);
        assertTrue(!sent.contains("secret") && !sent.contains("admin"), "the caller's baggage stayed out: " + sent);
    }

    @Test
    void each_request_is_counted_under_its_route() {
        double before = served("GET /api/users/{id}");
        given().when().get("/api/users/8").then().statusCode(200);
        given().when().get("/api/users/9").then().statusCode(200);
        assertEquals(before + 2, served("GET /api/users/{id}"));
    }

    static double served(String route) {
        String metrics = given().when().get(ManagementInterface.url("/q/metrics")).then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^app_calls_served_total\\{front_route=\"" + Pattern.quote(route) + "\"[^}]*} (\\S+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
