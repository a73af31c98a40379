package org.acme.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exemplars a service publishes on a histogram's buckets, read from its /q/metrics with the request
 * the stack's Prometheus makes (its {@code scrape_protocols} asks for OpenMetrics alone): what a click on
 * an exemplar dot in Grafana opens, with each bucket's bound. {@code MetricsIT} reads them from
 * Prometheus itself.
 */
final class Exemplars {

    /** One bucket's exemplar: the bucket's upper bound, and the trace of the request it stands for. */
    record Exemplar(double le, String traceId) {
    }

    // Label values may hold braces (uri="/api/videos/{id}"): a label set is quoted values or anything but quotes and braces.
    private static final Pattern BUCKET = Pattern.compile(
            "^(\\w+)_bucket\\{((?:[^\"}]|\"[^\"]*\")*)} \\S+ # \\{[^}]*trace_id=\"([0-9a-f]{32})\"", Pattern.MULTILINE);
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    /** Prometheus 2.53's Accept header with {@code scrape_protocols: [OpenMetricsText1.0.0]} (seen on the wire). */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.4";

    private Exemplars() {
    }

    /** The exemplars of {@code histogram}'s buckets whose labels contain {@code label} (e.g. {@code uri="/api/home"}). */
    static List<Exemplar> of(ServiceProcess service, String histogram, String label) {
        String scrape = Http.get(service.managementUrl() + "/q/metrics", Map.of(
                "Accept", PROMETHEUS_ACCEPT, "User-Agent", "Prometheus/2.53.3")).body();
        List<Exemplar> found = new ArrayList<>();
        Matcher m = BUCKET.matcher(scrape);
        while (m.find()) {
            Matcher le = LE.matcher(m.group(2));
            if (m.group(1).equals(histogram) && m.group(2).contains(label) && le.find()) {
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                found.add(new Exemplar(bound, m.group(3)));
            }
        }
        return found;
    }
}
