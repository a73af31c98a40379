package org.acme.video;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class UploadMetricsTest {

    @Test
    void two_uploads_one_invalid_count_one_success_and_one_failure() {
        double success = MetricsScrape.value("app_video_uploads_total", "outcome=\"success\"");
        double failure = MetricsScrape.value("app_video_uploads_total", "outcome=\"failure\"");

        given().contentType(ContentType.JSON)
                .body("{\"title\":\"Night train to Lisbon\",\"durationSeconds\":900,\"sizeBytes\":1000000,\"uploaderId\":2}")
                .when().post("/videos").then().statusCode(201);
        given().contentType(ContentType.JSON)
                .body("{\"title\":\"Night train to Lisbon\",\"durationSeconds\":-5,\"sizeBytes\":1000000,\"uploaderId\":2}")
                .when().post("/videos").then().statusCode(400);

        assertEquals(success + 1, MetricsScrape.value("app_video_uploads_total", "outcome=\"success\""));
        assertEquals(failure + 1, MetricsScrape.value("app_video_uploads_total", "outcome=\"failure\""));
    }

    @Test
    void catalog_reads_are_timed_by_operation() {
        double before = MetricsScrape.value("app_db_query_seconds_count", "operation=\"find_video\"", "exception=\"none\"");
        given().when().get("/videos/3").then().statusCode(200);
        assertEquals(before + 1,
                MetricsScrape.value("app_db_query_seconds_count", "operation=\"find_video\"", "exception=\"none\""));
    }
}
