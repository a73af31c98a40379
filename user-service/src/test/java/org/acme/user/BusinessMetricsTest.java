package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BusinessMetricsTest {

    @Test
    void heartbeats_move_users_online_per_page() {
        double home = MetricsScrape.value("app_online_users", "page=\"home\"");
        double video = MetricsScrape.value("app_online_users", "page=\"video\"");

        given().when().post("/users/11/heartbeat?page=home").then().statusCode(200);
        given().when().post("/users/12/heartbeat?page=home").then().statusCode(200);
        given().when().post("/users/12/heartbeat?page=home").then().statusCode(200);
        assertEquals(home + 2, MetricsScrape.value("app_online_users", "page=\"home\""));

        // A user is on one page at a time: moving on leaves the home page.
        // The answer says how many are on that page now, as the gauge does: the pages show it.
        given().when().post("/users/12/heartbeat?page=video").then().statusCode(200)
                .body("onlineOnPage", equalTo((int) video + 1));
        assertEquals(home + 1, MetricsScrape.value("app_online_users", "page=\"home\""));
        assertEquals(video + 1, MetricsScrape.value("app_online_users", "page=\"video\""));
    }

    @Test
    void every_database_query_is_timed_by_operation() {
        String count = "app_db_query_seconds_count";
        double before = MetricsScrape.value(count, "operation=\"find_user\"", "exception=\"none\"");
        given().when().get("/users/4").then().statusCode(200);
        given().when().get("/users/6").then().statusCode(200);
        assertEquals(before + 2, MetricsScrape.value(count, "operation=\"find_user\"", "exception=\"none\""));

        double history = MetricsScrape.value(count, "operation=\"watch_history\"");
        given().when().get("/users/4/history").then().statusCode(200);
        assertEquals(history + 1, MetricsScrape.value(count, "operation=\"watch_history\""));
        assertTrue(MetricsScrape.value("app_db_query_seconds_bucket", "operation=\"watch_history\"", "le=\"+Inf\"") > 0,
                "the query latency is a histogram, so Prometheus can compute its quantiles");
    }

    @Test
    void each_operation_is_timed_once_without_a_nested_lookup() {
        String count = "app_db_query_seconds_count";
        double finds = MetricsScrape.value(count, "operation=\"find_user\"", "exception=\"none\"");
        double views = MetricsScrape.value(count, "operation=\"record_view\"", "exception=\"none\"");

        given().when().get("/users/7/history").then().statusCode(200);
        given().contentType("application/json").body("{\"videoId\": 5}").when().post("/users/7/history").then().statusCode(204);

        assertEquals(views + 1, MetricsScrape.value(count, "operation=\"record_view\"", "exception=\"none\""));
        assertEquals(finds, MetricsScrape.value(count, "operation=\"find_user\"", "exception=\"none\""),
                "reading or adding to the history records no find_user sample of its own");
    }
}
