package org.acme.traffic;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The pace of the whole crowd, measured where it lands: at the stand-in gateway. */
@QuarkusTest
class CrowdTest {

    @BeforeEach
    void freshGateway() {
        GatewayStandIn.reset();
    }

    @AfterEach
    void calmDown() {
        given().delete("/admin/traffic/surge").then().statusCode(200);
        AdminApiTest.rate("0").statusCode(200);
        GatewayStandIn.reset();
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/admin/traffic").then().extract().<Integer>path("usersBusy") == 0);
    }

    @Test
    void the_gateway_gets_the_rate_that_was_set() throws InterruptedException {
        AdminApiTest.rate("20").statusCode(200).body("targetRate", equalTo(20.0f));
        await().atMost(Duration.ofSeconds(10)).until(() -> GatewayStandIn.ARRIVALS.size() >= 20); // traffic flows

        long requests = requestsDuring(Duration.ofSeconds(4));

        // 80 expected; the mix of journeys and the think times make it vary by a few requests.
        assertTrue(requests >= 60 && requests <= 100, requests + " requests in 4 s at 20 requests/s");
    }

    @Test
    void a_surge_multiplies_the_rate_shows_in_its_gauge_and_ends_by_itself() throws InterruptedException {
        AdminApiTest.rate("4").statusCode(200);
        AdminApiTest.surge("5", "4s").statusCode(200)
                .body("surge.factor", equalTo(5.0f)).body("targetRate", equalTo(20.0f));
        assertEquals(1.0, MetricsScrape.value("app_traffic_surge"));
        assertEquals(20.0, MetricsScrape.value("app_traffic_target_rate"));

        long requests = requestsDuring(Duration.ofSeconds(3));
        // 60 expected at 20 requests/s, 12 without the surge. The floor is twice the rate without it: a surge
        // that did nothing fails, and a machine busy with other work (the surge's first second included) does not.
        assertTrue(requests >= 24 && requests <= 75, requests + " requests in 3 s of a ×5 surge on 4 requests/s");

        await().atMost(Duration.ofSeconds(5)).until(() -> MetricsScrape.value("app_traffic_surge") == 0.0);
        given().get("/admin/traffic").then().body("surge", nullValue()).body("targetRate", equalTo(4.0f));
        assertEquals(4.0, MetricsScrape.value("app_traffic_target_rate"));
    }

    @Test
    void a_slow_gateway_makes_the_crowd_drop_journeys_instead_of_piling_up() {
        double dropped = MetricsScrape.value("app_traffic_journeys_dropped_total");
        GatewayStandIn.delayMillis = 800; // answered, but slowly: 30 requests/s would need about 25 users
        AdminApiTest.rate("30").statusCode(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> MetricsScrape.value("app_traffic_journeys_dropped_total") >= dropped + 10);

        int users = given().get("/admin/traffic").then().extract().path("usersMax");
        assertEquals(6, users);
        assertTrue(GatewayStandIn.MOST_IN_FLIGHT.get() <= users,
                GatewayStandIn.MOST_IN_FLIGHT.get() + " requests at once from " + users + " users");
        assertTrue(MetricsScrape.value("app_traffic_users_busy") <= users);
    }

    /** Requests that reached the gateway during a window starting now: the window itself is waited out. */
    private static long requestsDuring(Duration window) throws InterruptedException {
        long from = System.nanoTime();
        Thread.sleep(window.toMillis()); // the measuring window, not a wait for something to be ready
        return GatewayStandIn.arrivedBetween(from, from + window.toNanos());
    }
}
