package org.acme.video;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.acme.conventions.CpuAllowance;
import org.acme.conventions.testing.MetricsScrape;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;

/** The surge forecast's inputs: the sizes of what video-service can run out of, beside their use. */
@QuarkusTest
class CapacityMetricsTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void the_connection_pool_size_is_the_datasource_s_own() {
        assertEquals(dataSource.getConfiguration().connectionPoolConfiguration().maxSize(),
                MetricsScrape.value("app_db_pool_max_connections"));
        // its use, from Agroal itself
        String scrape = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(scrape.contains("\nagroal_active_count{datasource=\"default\"}"), "connections in use");
        assertTrue(scrape.contains("\nagroal_awaiting_count{datasource=\"default\"}"), "requests waiting for one");
    }

    @Test
    void the_cpu_allowance_is_this_process_s() {
        assertEquals(new CpuAllowance().cores(), MetricsScrape.value("app_cpu_allowance_cores"), 1e-9);
        assertTrue(MetricsScrape.value("process_cpu_time_ns_total") > 0, "its use");
    }
}
