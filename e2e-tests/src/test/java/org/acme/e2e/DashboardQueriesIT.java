package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A dashboard that queries a metric nobody emits fails the build: every metric name in every
 * dashboard's PromQL must appear in the /q/metrics of the real services, after they served traffic,
 * and every expression must be valid PromQL for a real Prometheus.
 */
@Order(3)
@ExtendWith(PlatformExtension.class)
class DashboardQueriesIT {

    /** Series that Prometheus itself makes, not the services. */
    static final Set<String> PROMETHEUS_OWN = Set.of("up", "ALERTS");
    /**
     * The Collector's own metrics (its :8888), which cannot be scraped here (no Collector runs): the names the pinned
     * otel/opentelemetry-collector-contrib 0.156.0 exposes with the stack's telemetry config, read in the collector's
     * sources at v0.156.0 (receiver/receiverhelper, exporter/exporterhelper; since v0.152.0 an explicit Prometheus
     * reader adds no _total or unit suffix). Any other otelcol_ name in a dashboard fails like any unknown name.
     */
    static final Set<String> COLLECTOR_OWN = Set.of("otelcol_receiver_accepted_spans", "otelcol_receiver_refused_spans",
            "otelcol_receiver_accepted_log_records", "otelcol_receiver_refused_log_records", "otelcol_exporter_sent_spans",
            "otelcol_exporter_send_failed_spans", "otelcol_exporter_sent_log_records", "otelcol_exporter_send_failed_log_records",
            "otelcol_exporter_queue_size", "otelcol_exporter_queue_capacity");
    /** A recording rule's name, in the stack's rule files: a series Prometheus makes from the services'. */
    static final Pattern RECORD = Pattern.compile("^\\s*- record: (\\S+)$", Pattern.MULTILINE);
    static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

    @Test
    void every_dashboard_query_uses_only_metrics_the_services_emit_and_is_valid_promql(E2eStack stack) throws Exception {
        // Traffic over every path, so that every client and server meter exists.
        Http.get(stack.gateway() + "/api/home?userId=3");
        Http.get(stack.gateway() + "/api/home?userId=3");
        Http.get(stack.gateway() + "/api/videos/3?userId=3");
        Http.post(stack.gateway() + "/api/users/3/heartbeat?page=home", null);
        Http.post(stack.gateway() + "/api/videos", "{\"title\":\"Dashboards\",\"durationSeconds\":60,\"sizeBytes\":100,\"uploaderId\":3}");

        Set<String> emitted = new HashSet<>(PROMETHEUS_OWN);
        emitted.addAll(COLLECTOR_OWN);
        try (var rules = java.nio.file.Files.list(StackLintIT.ROOT.resolve("observability-stack/prometheus/rules"))) {
            for (java.nio.file.Path file : rules.filter(f -> f.toString().endsWith(".yml")).toList()) {
                Matcher record = RECORD.matcher(java.nio.file.Files.readString(file));
                while (record.find()) {
                    emitted.add(record.group(1));
                }
            }
        }
        for (ServiceProcess service : stack.platform.services()) {
            emitted.addAll(metricNames(service));
        }
        // The traffic generator's own metrics (the workshop row), from a generator that sends nothing.
        ServiceProcess generator = stack.platform.startTrafficGenerator(Platform.Launch.withJvmOptions(List.of("-Xmx64m")),
                Map.of("APP_TRAFFIC_RATE", "0"));
        try {
            emitted.addAll(metricNames(generator));
        } finally {
            stack.platform.stopTrafficGenerator();
        }

        Set<String> missing = new TreeSet<>();
        int expressions = 0;
        for (JsonNode dashboard : StackLintIT.dashboards()) {
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    if (!target.path("datasource").path("uid").asText().equals("prometheus")) {
                        continue;
                    }
                    String expr = target.path("expr").asText();
                    Matcher selector = SELECTOR.matcher(expr);
                    while (selector.find()) {
                        if (!emitted.contains(selector.group(1))) {
                            missing.add(selector.group(1) + " (" + dashboard.path("title").asText() + " / "
                                    + panel.path("title").asText() + ")");
                        }
                    }
                    String runnable = expr.replace("$__rate_interval", "1m").replace("$service", ".+");
                    stack.prometheus.query(runnable); // throws when Prometheus rejects the expression
                    expressions++;
                }
            }
        }
        assertEquals(Set.of(), missing, "dashboards query metrics that no service emits");
        assertTrue(expressions >= 10, "found the dashboards' queries: " + expressions);
    }

    private static Set<String> metricNames(ServiceProcess service) {
        Set<String> names = new HashSet<>();
        Matcher sample = SAMPLE.matcher(Http.get(service.managementUrl() + "/q/metrics").body());
        while (sample.find()) {
            names.add(sample.group(1));
        }
        return names;
    }
}
