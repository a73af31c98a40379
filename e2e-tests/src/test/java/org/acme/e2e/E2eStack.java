package org.acme.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Everything the end-to-end tests run against, started once per test run: an OTLP receiver, the
 * four services sending to it, Prometheus scraping them and evaluating the stack's rules, and Alertmanager
 * receiving its alerts. Stopped when the run ends, also when
 * a test fails or the JVM is interrupted.
 */
public final class E2eStack implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    /**
     * A fixed heap, committed and touched at start: resident memory then only grows if something
     * outside the heap does (threads, buffers, classes), which is what a leak check should watch.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch");

    public final OtlpReceiver receiver;
    public final Platform platform;
    public final PrometheusServer prometheus;
    public final AlertmanagerServer alertmanager;
    private boolean closed;

    private E2eStack(OtlpReceiver receiver, Platform platform, PrometheusServer prometheus, AlertmanagerServer alertmanager) {
        this.receiver = receiver;
        this.platform = platform;
        this.prometheus = prometheus;
        this.alertmanager = alertmanager;
    }

    static E2eStack start() {
        Path root = Path.of(System.getProperty("e2e.root", "..")).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty("e2e.work", "target/e2e")).toAbsolutePath();

        OtlpReceiver receiver = new OtlpReceiver(Platform.freePort());
        receiver.start();
        Platform platform = null;
        try {
            platform = Platform.start(root, work.resolve("logs"), receiver.endpoint(), JVM_OPTIONS);
            for (ServiceProcess service : platform.services()) {
                System.out.printf("[e2e] %s ready on %s in %d ms (pid %d)%n", service.name(), service.baseUrl(),
                        service.lastStartup().toMillis(), service.pid());
            }
            Alerting alerting = Alerting.start(root, platform, work);
            PrometheusServer prometheus = alerting.prometheus();
            AlertmanagerServer alertmanager = alerting.alertmanager();
            E2eStack stack = new E2eStack(receiver, platform, prometheus, alertmanager);
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
            prometheus.awaitJobsUp(List.of("gateway-service", "user-service", "video-service", "recommend-service"),
                    Duration.ofSeconds(30));
            // The first home page after a start loads and compiles every service's code path: on a busy 2-core
            // machine it can outlive the gateway's 4 s budget (a 504). The tests meet a warm site.
            long warming = System.nanoTime();
            String home = platform.gatewayUrl() + "/api/home?userId=1";
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Http.get(home).statusCode() == 200);
            System.out.printf("[e2e] the site answered a home page %d ms after every service was ready%n",
                    Duration.ofNanos(System.nanoTime() - warming).toMillis());
            return stack;
        } catch (RuntimeException e) {
            if (platform != null) {
                platform.close();
            }
            receiver.close();
            throw e;
        }
    }

    /**
     * A Prometheus and an Alertmanager over the platform's services, from the compose stack's own files (its
     * scrape jobs, rule files, routes and inhibitions), each compose target pointed at the process that plays it:
     * the traffic generator's too when it runs. A pair started later than the stack has a history of its own.
     */
    record Alerting(PrometheusServer prometheus, AlertmanagerServer alertmanager) implements AutoCloseable {

        static Alerting start(Path root, Platform platform, Path work) {
            Map<String, String> targets = new LinkedHashMap<>();
            for (ServiceProcess service : platform.services()) {
                int composePort = ServiceSettings.of(root, service.name()).observabilityPort();
                targets.put(service.name() + ":" + composePort, "127.0.0.1:" + service.managementPort());
            }
            ServiceProcess generator = platform.trafficGenerator();
            if (generator != null && generator.isAlive()) {
                targets.put(Platform.TRAFFIC_GENERATOR + ":" + ServiceSettings.of(root, Platform.TRAFFIC_GENERATOR).observabilityPort(),
                        "127.0.0.1:" + generator.managementPort());
            }
            AlertmanagerServer alertmanager = AlertmanagerServer.start(
                    root.resolve("observability-stack/alertmanager/alertmanager.yml"), List.of("pager", "tickets"),
                    work.resolve("alertmanager"));
            targets.put("alertmanager:9093", alertmanager.address());
            try {
                PrometheusServer prometheus = PrometheusServer.start(
                        root.resolve("observability-stack/prometheus/prometheus.yml"), targets, work.resolve("prometheus"));
                return new Alerting(prometheus, alertmanager);
            } catch (RuntimeException e) {
                alertmanager.close();
                throw e;
            }
        }

        @Override
        public void close() {
            prometheus.close();
            alertmanager.close();
        }
    }

    public String gateway() {
        return platform.gatewayUrl();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        prometheus.close();
        alertmanager.close();
        platform.close();
        receiver.close();
    }
}
