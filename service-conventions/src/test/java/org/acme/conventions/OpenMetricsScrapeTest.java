package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OpenMetricsScrapeTest {

    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @Test
    void prometheus_from_2_43_gets_openmetrics() {
        assertTrue(OpenMetricsScrape.wantsOpenMetrics(PROMETHEUS_ACCEPT, "Prometheus/3.5.0"));
        assertTrue(OpenMetricsScrape.wantsOpenMetrics(PROMETHEUS_ACCEPT, "Prometheus/2.43.0"));
    }

    @Test
    void older_prometheus_keeps_plain_text_because_it_rejects_exemplars_on_count_series() {
        assertFalse(OpenMetricsScrape.wantsOpenMetrics(PROMETHEUS_ACCEPT, "Prometheus/2.42.0"));
    }

    @Test
    void a_client_asking_for_plain_text_gets_plain_text() {
        assertFalse(OpenMetricsScrape.wantsOpenMetrics("text/plain", "curl/8.0"));
        assertFalse(OpenMetricsScrape.wantsOpenMetrics(null, null));
    }
}
