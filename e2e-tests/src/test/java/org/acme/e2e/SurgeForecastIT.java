package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.e2e.AlertmanagerServer.Notification;
import org.acme.e2e.MemoryLimitsIT.ComposeService;
import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/**
 * The surge forecast against what happens: the four services run under compose's CPU allowances (kernel CFS quotas,
 * the mechanism behind {@code cpus:}), a Prometheus and an Alertmanager of their own evaluate the stack's rules, and
 * lab 2 runs from its Markdown. After compose's 4 requests/s, at 25 (lab 2's "this evening"), the forecast names the first bottleneck
 * and the factor at which it is full; announcing ×5 makes {@code SurgeWillSaturate} reach its receiver before any
 * surge. Then a ramp of the front traffic measures, per service, the factor at which its mean latency doubles: the
 * first service to double while near its own CPU allowance (a caller's latency doubles with its callee's too) must be
 * the forecast's first bottleneck, at its forecast factor within ±30 %. Then lab 2's
 * surge, its exemplar walk and its one change (a larger allowance, and the forecast moves).
 * Where no CPU cgroup can be made (not root), the test fails in CI and is skipped loudly elsewhere.
 */
@Order(6)
@ExtendWith(PlatformExtension.class)
class SurgeForecastIT {

    /** The site's traffic before the lab: compose's default rate. */
    static final int EARLIER_RATE = 4;
    static final Duration EARLIER = Duration.ofSeconds(100);
    /** Lab 2's "this evening": the forecast's ×1. */
    static final int BASE_RATE = 25;
    /** Traffic behind the forecast before it is read: its use per front request is a rate over up to 5 minutes. */
    static final Duration FORECAST_HISTORY = Duration.ofSeconds(120);
    /** The ramp's factors of the base rate; it stops one step after the first service's latency doubled. */
    static final List<Integer> RAMP = List.of(2, 3, 4, 5, 6, 7);
    static final Duration SETTLE = Duration.ofSeconds(15);
    static final Duration WINDOW = Duration.ofSeconds(25);
    static final double TOLERANCE = 0.30;
    /** A service whose latency doubles while it uses this share of its CPU allowance or more gives way itself. */
    static final double SATURATED = 0.75;
    static final double ANNOUNCED = 5;
    private static final Pattern EXEMPLAR_LINE = Pattern.compile("(?m)^([0-9a-f]{32})\\s+\\S+\\s+(\\d+) ms");
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // as Http's

    /** One service over one window: mean latency of the calls it served, calls per second, CPU cores used. */
    record Sample(double meanSeconds, double callsPerSecond, double cores) {
    }

    @Test
    void the_forecast_names_the_first_bottleneck_before_the_surge_and_a_ramp_finds_it_there(E2eStack stack) throws IOException {
        Optional<String> unavailable = CpuCgroup.unavailableBecause();
        if (unavailable.isPresent()) {
            String message = "SURGE FORECAST NOT CHECKED: " + unavailable.get() + ". Run the tests as root on Linux.";
            System.out.println("\n!!!!! " + message + " !!!!!\n");
            if (System.getenv("CI") != null) {
                fail(message + " CI must run where CPU cgroups can be made.");
            }
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        Path root = LabsIT.ROOT;
        Path work = Path.of(System.getProperty("e2e.work", "target/e2e")).toAbsolutePath().resolve("surge-forecast");
        Map<String, ComposeService> compose = MemoryLimitsIT.composeServices(root.resolve("compose.yaml"));
        LabsIT.Lab lab = LabsIT.Lab.read("02-which-backend-is-the-bottleneck.md");
        assertEquals(7, lab.blocks().size(), "rate, forecast, announce, surge, traces, one change, clean up");

        // A site of its own, launched as compose launches it (its JAVA_OPTS: C1 only, a small heap; its environment),
        // sending its telemetry to the stack's receiver; the stack's own services, tuned for the other tests, idle.
        Platform.Launch launch = new Platform.Launch(service -> "quarkus-app", service -> compose.get(service).javaOptions(),
                service -> compose.get(service).environment(), service -> List.of());
        Map<String, CpuCgroup> groups = new LinkedHashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        try (Platform platform = Platform.start(root, work.resolve("logs"), stack.receiver.endpoint(), launch)) {
            // The ramp goes beyond lab 2's surge: more users and a higher ceiling than compose's.
            platform.startTrafficGenerator(launch, Map.of("APP_TRAFFIC_RATE", "0", "APP_TRAFFIC_MAX_RATE", "200", "APP_TRAFFIC_USERS", "160"));
            // A site that has run a while: its request paths compiled before the allowances apply (under 0.15 cores
            // the JIT would spend user-service's allowance for minutes).
            Traffic.drive(platform.gatewayUrl(), 1500, 8);
            for (ServiceProcess service : platform.services()) {
                CpuCgroup group = CpuCgroup.create("video-site-cpu-" + service.name(), compose.get(service.name()).cpus());
                groups.put(service.name(), group);
                group.add(service.pid());
                env.put("CPU_CGROUP_" + service.name().toUpperCase().replace('-', '_'), group.dir().toString());
            }
            try (E2eStack.Alerting alerting = E2eStack.Alerting.start(root, platform, work)) {
                alerting.prometheus().awaitJobsUp(List.of("gateway-service", "user-service", "video-service",
                        "recommend-service", Platform.TRAFFIC_GENERATOR), Duration.ofSeconds(30));
                story(stack, platform, alerting, lab, groups, env, compose);
            }
        } finally {
            for (CpuCgroup group : groups.values()) {
                group.close();
            }
        }
    }

    private static void story(E2eStack stack, Platform platform, E2eStack.Alerting alerting, LabsIT.Lab lab, Map<String, CpuCgroup> groups,
            Map<String, String> env, Map<String, ComposeService> compose) {
        PrometheusServer prometheus = alerting.prometheus();
        AlertmanagerServer alertmanager = alerting.alertmanager();

        // The site as the learner finds it: the traffic generator at compose's rate a while.
        setRate(platform, EARLIER_RATE);
        ServiceProcess.pause(EARLIER);
        // 1. This evening's traffic, long enough for the forecast.
        lab.run(0, platform, prometheus, alertmanager, env);
        long rateSet = System.nanoTime();
        long deadline = rateSet + FORECAST_HISTORY.plusSeconds(60).toNanos();
        while (System.nanoTime() - rateSet < FORECAST_HISTORY.toNanos()
                || prometheus.query("job_resource:headroom:factor{resource=\"cpu\"}").size() < 4) {
            assertTrue(System.nanoTime() < deadline, "no CPU headroom for the four services: " + prometheus.query("job_resource:headroom:factor"));
            ServiceProcess.pause(Duration.ofSeconds(2));
        }
        Map<String, Sample> baseline = measure(platform, WINDOW);

        // 2. The forecast, as the learner reads it, and as Prometheus has it.
        String forecast = lab.run(1, platform, prometheus, alertmanager, env);
        JsonNode headrooms = prometheus.query("sort(job_resource:headroom:factor)");
        JsonNode first = headrooms.get(0);
        String bottleneck = first.path("metric").path("job").asText();
        String resource = first.path("metric").path("resource").asText();
        double forecastFactor = first.path("value").get(1).asDouble();
        Map<String, Double> headroom = new LinkedHashMap<>();
        for (JsonNode row : headrooms) {
            headroom.put(row.path("metric").path("job").asText() + " " + row.path("metric").path("resource").asText(),
                    row.path("value").get(1).asDouble());
        }
        System.out.printf("[forecast] at %d requests/s (×1): headroom %s; first bottleneck %s %s at ×%.2f%n", BASE_RATE,
                format(headroom), bottleneck, resource, forecastFactor);
        System.out.println("[forecast] calls per front request, by route: "
                + prometheus.query("front_route_job:calls_per_front_request:ratio_rate5m"));
        assertEquals("user-service cpu", bottleneck + " " + resource, "lab 2's first bottleneck: " + headrooms);
        assertTrue(forecast.lines().skip(1).findFirst().orElse("").matches("×\\d+\\.\\d\\s+user-service\\s+cpu"),
                "scripts/alerts forecast lists user-service's CPU first:\n" + forecast);
        assertTrue(forecastFactor < ANNOUNCED, "lab 2 announces ×5, and the first bottleneck must be full before that: " + headrooms);

        // 3. The announcement: the alert reaches its receiver, and no surge has been sent.
        int before = alertmanager.notifications().size();
        long announced = System.nanoTime();
        String waited = lab.run(2, platform, prometheus, alertmanager, env);
        assertTrue(waited.contains("SurgeWillSaturate [ticket] service=user-service resource=cpu")
                && waited.contains("user-service runs out of cpu at ×") && waited.contains("×5.0 is announced"), waited);
        Notification ticket = awaitNotification(alertmanager, before, n -> n.alertname().equals("SurgeWillSaturate")
                && n.status().equals("firing") && n.receiver().equals("tickets")
                && n.body().path("alerts").findValuesAsText("job").contains("user-service"));
        JsonNode traffic = Http.json(Http.get(platform.trafficGenerator().baseUrl() + "/admin/traffic"));
        assertEquals(BASE_RATE, traffic.path("targetRate").asDouble(), 1e-9, "the alert came before any surge: " + traffic);
        System.out.printf("[forecast] SurgeWillSaturate at the tickets receiver %d s after ×5 was announced: %s%n",
                Duration.ofNanos(ticket.receivedNanos() - announced).toSeconds(),
                ticket.body().path("alerts").findValuesAsText("summary"));

        // The ramp: the factor of the front traffic at which each service's mean latency doubles.
        Map<String, Double> doubledAt = new LinkedHashMap<>();
        Map<String, Double> waitedAt = new LinkedHashMap<>();
        Map<String, Sample> previous = baseline;
        int previousFactor = 1;
        System.out.printf("[ramp] ×1: %s%n", format(baseline));
        try {
            for (int factor : RAMP) {
                setRate(platform, BASE_RATE * factor);
                ServiceProcess.pause(SETTLE);
                Map<String, Sample> now = measure(platform, WINDOW);
                System.out.printf("[ramp] ×%d: %s%n", factor, format(now));
                for (String service : now.keySet()) {
                    double ratio = now.get(service).meanSeconds() / baseline.get(service).meanSeconds();
                    double previousRatio = previous.get(service).meanSeconds() / baseline.get(service).meanSeconds();
                    if (!doubledAt.containsKey(service) && !waitedAt.containsKey(service) && ratio >= 2) {
                        double start = Math.min(previousRatio, 2);
                        double at = previousFactor + (2 - start) / (ratio - start) * (factor - previousFactor);
                        // A caller's latency includes its callees': the gateway's doubles with user-service's while its
                        // own CPU is far from full. Only a service near its own allowance gives way itself.
                        double utilization = now.get(service).cores() / groups.get(service).cores();
                        (utilization >= SATURATED ? doubledAt : waitedAt).put(service, at);
                    }
                }
                previous = now;
                previousFactor = factor;
                if (doubledAt.containsKey(bottleneck) && factor > Math.ceil(doubledAt.get(bottleneck))) {
                    break;
                }
            }
        } finally {
            setRate(platform, BASE_RATE);
        }
        System.out.printf("[ramp] mean latency doubled at: %s near the allowance, %s far from it (forecast: %s at ×%.2f)%n",
                doubledAt, waitedAt, bottleneck, forecastFactor);
        String firstToDouble = doubledAt.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("none");
        assertEquals(bottleneck, firstToDouble, "the first service whose latency doubled near its allowance: " + doubledAt
                + "; far from it: " + waitedAt);
        double measured = doubledAt.get(bottleneck);
        assertTrue(Math.abs(forecastFactor - measured) <= TOLERANCE * measured, String.format(
                "forecast ×%.2f against measured ×%.2f: more than %.0f %% apart", forecastFactor, measured, TOLERANCE * 100));

        // 4. Lab 2's surge: user-service is held back by the kernel, the others are not.
        Map<String, Long> throttled = throttled(groups);
        lab.run(3, platform, prometheus, alertmanager, env);
        ServiceProcess.pause(SETTLE);
        Map<String, Sample> surge = measure(platform, WINDOW);
        Map<String, Long> throttledInSurge = new LinkedHashMap<>(throttled(groups));
        throttledInSurge.replaceAll((service, count) -> count - throttled.get(service));
        System.out.printf("[surge] ×5: %s; periods held back by the kernel: %s%n", format(surge), throttledInSurge);
        long userHeldBack = throttledInSurge.get("user-service");
        assertTrue(userHeldBack > WINDOW.toMillis() / 100 / 5, "user-service used up its allowance in many periods: " + throttledInSurge);
        for (String service : List.of("gateway-service", "video-service", "recommend-service")) {
            assertTrue(throttledInSurge.get(service) * 4 < userHeldBack, service + " is not held back like user-service: " + throttledInSurge);
        }
        // video-service's uploads ask user-service whether the uploader exists: they slow down with it. recommend-service
        // asks it only for the watch history of a feed it has not cached: its latency rises far less than user-service's
        // (a CI run saw ×2.5 against user-service's ×47, so no fixed bound holds it).
        double userClimb = surge.get("user-service").meanSeconds() / baseline.get("user-service").meanSeconds();
        double recommendClimb = surge.get("recommend-service").meanSeconds() / baseline.get("recommend-service").meanSeconds();
        assertTrue(recommendClimb * 4 < userClimb, String.format("recommend-service's latency rises far less than user-service's "
                + "(×%.1f against ×%.1f): %s → %s", recommendClimb, userClimb, format(baseline), format(surge)));
        assertTrue(surge.get("user-service").meanSeconds() >= 2 * baseline.get("user-service").meanSeconds(),
                "user-service's latency climbs: " + format(baseline) + " → " + format(surge));

        // 5. The exemplar walk: the slow home pages' time went to user-service.
        String exemplars = lab.run(4, platform, prometheus, alertmanager, env);
        List<String[]> slowest = new ArrayList<>();
        Matcher line = EXEMPLAR_LINE.matcher(exemplars);
        while (line.find()) {
            slowest.add(new String[] { line.group(1), line.group(2) });
        }
        slowest.sort(Comparator.comparingLong((String[] e) -> Long.parseLong(e[1])).reversed());
        List<String> where = new ArrayList<>();
        int toUserService = 0;
        for (String[] exemplar : slowest.subList(0, Math.min(3, slowest.size()))) {
            // user-service, held back, may export its spans a moment late
            long waitUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < waitUntil
                    && stack.receiver.spansOf(exemplar[0]).stream().noneMatch(s -> s.service().equals("user-service"))) {
                ServiceProcess.pause(Duration.ofMillis(500));
            }
            SpanTree trace = new SpanTree(stack.receiver.spansOf(exemplar[0]));
            ReceivedSpan heaviest = trace.spans().stream().filter(s -> !s.service().equals(Platform.TRAFFIC_GENERATOR))
                    .max(Comparator.comparingLong(s -> LabsIT.selfTimeNanos(trace, s))).orElse(null);
            if (heaviest == null) {
                where.add(exemplar[0] + ": no spans");
                continue;
            }
            boolean userService = heaviest.service().equals("user-service")
                    || heaviest.span().getKind() == SpanKind.SPAN_KIND_CLIENT
                            && trace.children(heaviest).stream().anyMatch(c -> c.service().equals("user-service"));
            toUserService += userService ? 1 : 0;
            where.add(exemplar[0] + " " + exemplar[1] + " ms: largest self time " + heaviest.service() + " "
                    + heaviest.span().getName() + " " + LabsIT.selfTimeNanos(trace, heaviest) / 1_000_000 + " ms");
        }
        System.out.printf("[surge] the slowest home pages' exemplars: %s%n", where);
        assertTrue(toUserService >= 2, "most of the slowest home pages spent their time in or waiting for user-service: " + where);

        // 6. One change, and the forecast moves.
        String after = lab.run(5, platform, prometheus, alertmanager, env);
        // The alert resolves as soon as the headroom passes ×5; the forecast settles once the last minute's traffic
        // is this evening's again.
        long settled = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < settled && !(Optional.ofNullable(prometheus.scalar("site:front_requests:rate1m")).orElse(Double.MAX_VALUE) < 1.1 * BASE_RATE)) {
            ServiceProcess.pause(Duration.ofSeconds(2));
        }
        Double allowance = prometheus.scalar("sum(app_cpu_allowance_cores{job=\"user-service\"})");
        Double moved = prometheus.scalar("job_resource:headroom:factor{job=\"user-service\",resource=\"cpu\"}");
        System.out.printf("[forecast] user-service at 0.3 cores: allowance %s, headroom ×%.2f (was ×%.2f)%n%s%n", allowance, moved,
                forecastFactor, after);
        assertEquals(0.3, allowance, 1e-9, "user-service's metric follows scripts/cpus");
        assertTrue(moved > 1.5 * forecastFactor, "twice the allowance, at least about twice the headroom: ×" + forecastFactor + " → ×" + moved);

        lab.run(6, platform, prometheus, alertmanager, env);
        assertEquals(compose.get("user-service").cpus(), groups.get("user-service").cores(), 1e-9,
                "clean up gives user-service compose's allowance back");
    }

    /** Each service's mean latency, calls per second and CPU over {@code window}, from its own /q/metrics. */
    static Map<String, Sample> measure(Platform platform, Duration window) {
        Map<String, double[]> before = new LinkedHashMap<>();
        for (ServiceProcess service : platform.services()) {
            before.put(service.name(), counters(service));
        }
        long started = System.nanoTime();
        ServiceProcess.pause(window);
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Sample> samples = new LinkedHashMap<>();
        for (ServiceProcess service : platform.services()) {
            double[] a = before.get(service.name());
            double[] b = counters(service);
            double calls = b[1] - a[1];
            samples.put(service.name(), new Sample(calls > 0 ? (b[0] - a[0]) / calls : Double.NaN, calls / seconds, (b[2] - a[2]) / seconds));
        }
        return samples;
    }

    /** Seconds spent serving calls (health and metrics left out), calls served, CPU seconds used: counters so far. */
    static double[] counters(ServiceProcess service) {
        Scrape scrape = Scrape.of(service);
        Predicate<Map<String, String>> served = labels -> !labels.getOrDefault("uri", "").startsWith("/q/");
        return new double[] {
                scrape.sum(served, "http_server_requests_seconds_sum", "grpc_server_processing_duration_seconds_sum"),
                scrape.sum(served, "http_server_requests_seconds_count", "grpc_server_processing_duration_seconds_count"),
                scrape.sum("process_cpu_time_ns_total") / 1e9 };
    }

    private static Map<String, Long> throttled(Map<String, CpuCgroup> groups) {
        Map<String, Long> periods = new LinkedHashMap<>();
        groups.forEach((service, group) -> periods.put(service, group.throttledPeriods()));
        return periods;
    }

    private static void setRate(Platform platform, int requestsPerSecond) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(platform.trafficGenerator().baseUrl() + "/admin/traffic/rate"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"requestsPerSecond\": " + requestsPerSecond + "}")).build();
        try {
            HttpResponse<String> answer = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Notification awaitNotification(AlertmanagerServer alertmanager, int after,
            java.util.function.Predicate<Notification> wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            List<Notification> all = alertmanager.notifications();
            for (Notification n : all.subList(after, all.size())) {
                if (wanted.test(n)) {
                    return n;
                }
            }
            ServiceProcess.pause(Duration.ofMillis(500));
        }
        throw new AssertionError("no such notification; Alertmanager sent: "
                + alertmanager.notifications().stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status()).toList());
    }

    private static String format(Map<String, ?> values) {
        StringBuilder text = new StringBuilder();
        values.forEach((service, value) -> {
            text.append(text.isEmpty() ? "" : ", ").append(service).append(' ');
            if (value instanceof Sample s) {
                text.append(String.format("%.1f ms %.0f/s %.3f cores", s.meanSeconds() * 1000, s.callsPerSecond(), s.cores()));
            } else {
                text.append(String.format("×%.2f", (Double) value));
            }
        });
        return text.toString();
    }
}
