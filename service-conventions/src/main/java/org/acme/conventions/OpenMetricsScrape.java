package org.acme.conventions;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Lets Prometheus scrape /q/metrics in the OpenMetrics format, the one that carries exemplars
 * (the links from a latency bucket to its trace).
 * <p>
 * Prometheus asks for OpenMetrics first and plain text as a fallback; Quarkus 3.33 answers plain
 * text whenever the Accept header mentions text/plain at all, which drops the exemplars. A client
 * that prefers OpenMetrics is answered in OpenMetrics, except Prometheus older than 2.43, which
 * rejects a whole scrape when Micrometer puts an exemplar on a {@code _count} series.
 * <p>
 * Workaround. Seen in: Quarkus 3.33.2 with Prometheus 2.42 to 3.x. Delete when Quarkus answers an Accept
 * header by its order of preference.
 */
@IfBuildProperty(name = Conventions.LATENCY_HISTOGRAMS, stringValue = "true")
@ApplicationScoped
public class OpenMetricsScrape {

    static final String METRICS_PATH = "/q/metrics";
    private static final Pattern PROMETHEUS = Pattern.compile("Prometheus/(\\d+)\\.(\\d+)");

    void preferOpenMetrics(@Observes Router router) {
        install(router);
    }

    // The gateway serves its metrics on the management interface, a router of its own: the same there.
    void preferOpenMetricsOnManagementInterface(@Observes ManagementInterface managementInterface) {
        install(managementInterface.router());
    }

    private static void install(Router router) {
        router.route(METRICS_PATH).order(Integer.MIN_VALUE).handler(context -> {
            if (wantsOpenMetrics(context.request().getHeader(HttpHeaders.ACCEPT),
                    context.request().getHeader(HttpHeaders.USER_AGENT))) {
                // Quarkus answers OpenMetrics to a client whose Accept header does not mention text/plain.
                context.request().headers().set(HttpHeaders.ACCEPT, "*/*");
            }
            context.next();
        });
    }

    static boolean wantsOpenMetrics(String accept, String userAgent) {
        if (accept == null || !accept.trim().startsWith("application/openmetrics-text")) {
            return false;
        }
        Matcher prometheus = PROMETHEUS.matcher(userAgent == null ? "" : userAgent);
        if (prometheus.find()) {
            int major = Integer.parseInt(prometheus.group(1));
            int minor = Integer.parseInt(prometheus.group(2));
            return major > 2 || (major == 2 && minor >= 43);
        }
        return true;
    }
}
