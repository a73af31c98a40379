package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.e2e.AlertmanagerServer.Notification;
import org.acme.e2e.OtlpReceiver.ReceivedLog;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/**
 * Alerts travel the whole way, as they would in the compose stack: the rules of the stack's own files fire in a
 * real Prometheus, the stack's own Alertmanager configuration routes them to its receivers (webhooks into this
 * test), and when the cause is gone they resolve there too. Every alert's exact threshold and timing is proven by
 * {@code promtool test rules} (StackLintIT); here, each is proven against the workshop fault its runbook names,
 * after a calm run of the site under the traffic generator during which nothing may fire.
 */
@Order(6)
@ExtendWith(PlatformExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsIT {

    /** The rule's 30 s, one scrape and one evaluation (1 s each here), and scheduling slack. */
    static final Duration FIRES_WITHIN = Duration.ofSeconds(60);
    /** Back up, the alert resolves at the next evaluation; Alertmanager says so at the group's next interval (1 min). */
    static final Duration RESOLVES_WITHIN = Duration.ofSeconds(120);

    @Test
    @Order(1)
    void a_service_that_is_down_pages_through_alertmanager_and_resolves_when_it_is_back(E2eStack stack) {
        // The tests before may have left an alert about video-service pending or firing (a fault's ratio stays in
        // its 5-minute window): it would fire or resolve during this test and say nothing about the inhibition.
        awaitNoAlertAbout(stack, "video-service", QUIET_WITHIN);
        int before = stack.alertmanager.notifications().size();
        ServiceProcess video = stack.platform.service("video-service");
        long down = System.nanoTime();
        video.kill();
        Notification firing;
        long back;
        try {
            firing = await(stack, before, FIRES_WITHIN, n -> n.alertname().equals("ServiceDown") && n.status().equals("firing"));
        } finally {
            stack.platform.restart("video-service");
            back = System.nanoTime();
        }
        long firedAfter = Duration.ofNanos(System.nanoTime() - down).toSeconds();
        Notification resolved = await(stack, before, RESOLVES_WITHIN,
                n -> n.alertname().equals("ServiceDown") && n.status().equals("resolved"));
        System.out.printf("[alerts] ServiceDown for video-service: notified to %s about %d s after the kill; resolved"
                + " notification %d s after the service was back%n", firing.receiver(), firedAfter,
                Duration.ofNanos(System.nanoTime() - back).toSeconds());

        assertEquals("pager", firing.receiver(), "severity page goes to the pager: " + firing.body());
        JsonNode alert = firing.body().path("alerts").get(0);
        assertEquals("video-service", alert.path("labels").path("service").asText(), alert.toString());
        assertEquals("page", alert.path("labels").path("severity").asText(), alert.toString());
        assertEquals("video-service does not answer Prometheus", alert.path("annotations").path("summary").asText());
        assertEquals("docs/runbooks/ServiceDown.md", alert.path("annotations").path("runbook_url").asText());
        assertEquals("pager", resolved.receiver());
        // No other alert about video-service reached a receiver: ServiceDown explains (and inhibits) its other alerts,
        // and the failed uploads of the outage page no more once it resolved (UploadSuccessRatioLow's rule).
        // Alerts about other services may come and go on this shared stack (users online fall after the labs' heartbeats).
        List<Notification> others = stack.alertmanager.notifications().subList(before, stack.alertmanager.notifications().size())
                .stream().filter(n -> !n.alertname().equals("ServiceDown") && n.body().path("alerts").findValuesAsText("service")
                        .contains("video-service")).toList();
        assertEquals(List.of(), others.stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status()).toList(),
                "while video-service is down, ServiceDown alone is sent about it");
    }

    /** Long enough for a fault's 5-minute ratio to forget it, with an evaluation to spare. */
    static final Duration QUIET_WITHIN = Duration.ofMinutes(6);

    private static void awaitNoAlertAbout(E2eStack stack, String service, Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode alerts = stack.prometheus.query("ALERTS{service=\"" + service + "\"}");
            assertEquals(List.of(), alerts.findValuesAsText("alertname"), "no alert about " + service + " before the test: " + alerts);
        });
    }

    private static Notification await(E2eStack stack, int after, Duration within, Predicate<Notification> wanted) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<Notification> all = stack.alertmanager.notifications();
            for (Notification n : all.subList(after, all.size())) {
                if (wanted.test(n) && n.body().path("alerts").get(0).path("labels").path("service").asText().equals("video-service")) {
                    return n;
                }
            }
            ServiceProcess.pause(Duration.ofMillis(500));
        }
        throw new AssertionError("no such notification within " + within + "; Alertmanager sent: "
                + stack.alertmanager.notifications().stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status()).toList()
                + "; Prometheus' alerts: " + stack.prometheus.query("ALERTS"));
    }

    @Test
    @Order(0)
    void every_alert_rule_of_the_stack_is_loaded_and_evaluates(E2eStack stack) {
        JsonNode groups = Http.json(Http.get(stack.prometheus.baseUrl() + "/api/v1/rules")).path("data").path("groups");
        int alerting = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertTrue(rule.path("health").asText().matches("ok|unknown"), rule.toString());
                if (rule.path("type").asText().equals("alerting")) {
                    alerting++;
                }
            }
        }
        assertEquals(StackLintIT.alertNames().size(), alerting, "every alert of alerts.yml is loaded: " + groups);
    }

    // --- each alert against its workshop fault, after a calm run ----------------------------------------------

    /** The site runs calm this long, the traffic generator on, before any fault: no alert may fire. */
    static final Duration CALM = Duration.ofMinutes(5);
    /** Every faulted alert reaches its receiver by then (the slowest: the slow burn, with its 5-minute {@code for}). */
    static final Duration ALL_FIRE_WITHIN = Duration.ofMinutes(9);
    /** Every alert resolved by then after the last fault ended (the slowest: 5-minute windows forgetting a fault). */
    static final Duration ALL_RESOLVE_WITHIN = Duration.ofMinutes(8);
    /** The alerts whose runbook's fault this test switches on; lab 6 switches on the home page's and the cache's. */
    static final List<String> RUNBOOK_FAULTS = List.of("PageLatencyBurnFast", "CoreDbLatencyHigh", "UploadSuccessRatioLow",
            "OnlineUsersDropping");
    private static final Pattern REPRODUCE = Pattern.compile("(?s)## Reproduce it in the workshop\\n\\n(.*?)(\\n\\n|$)");
    private static final Pattern FAULT_COMMAND = Pattern.compile("`(scripts/fault [^`]+)`");
    private static final Pattern TRACE_ID = Pattern.compile("(?m)^([0-9a-f]{32})\\s");

    /** An alert expected at a receiver: its name, the receiver, and the label that says what it is about. */
    record Expected(String alertname, String receiver, String label, String value) {

        boolean firing(Notification n) {
            return is(n, "firing") && n.receiver().equals(receiver);
        }

        boolean is(Notification n, String status) {
            return n.alertname().equals(alertname) && n.status().equals(status)
                    && n.body().path("groupLabels").path(label).asText(n.body().path("commonLabels").path(label).asText()).equals(value);
        }

        @Override
        public String toString() {
            return alertname + "{" + label + "=\"" + value + "\"}";
        }
    }

    /** A fault: what switches it on and off, the alerts it must cause, and when it was switched. */
    static final class Fault {
        final String name;
        final Runnable on;
        final Runnable off;
        final List<Expected> alerts;
        long onNanos;
        long offNanos;

        Fault(String name, Runnable on, Runnable off, List<Expected> alerts) {
            this.name = name;
            this.on = on;
            this.off = off;
            this.alerts = alerts;
        }

        void switchOn() {
            on.run();
            onNanos = System.nanoTime();
        }

        void switchOff() {
            if (onNanos != 0 && offNanos == 0) {
                off.run();
                offNanos = System.nanoTime();
            }
        }
    }

    /**
     * A calm run first: a Prometheus and an Alertmanager of their own (a history without the earlier tests' faults),
     * the traffic generator at its compose rate, {@link #CALM}: nothing may fire. Then every workshop fault at once, each
     * aimed at other alerts (another page, another service): lab 6's (the home page fails) run from its Markdown, and
     * the fault each other runbook names, run as written; the Collector (the receiver) goes away for
     * {@code TelemetryLost}. Each fault ends once its alerts have reached their receivers; each alert must then
     * resolve. The times are printed: fault on → notification, fault off → resolved notification.
     */
    @Test
    @Order(2)
    void each_alert_reaches_its_receiver_on_its_runbooks_fault_and_resolves_after_it_and_a_calm_site_pages_nobody(E2eStack stack) {
        Path root = LabsIT.ROOT;
        Path work = Path.of(System.getProperty("e2e.work", "target/e2e")).toAbsolutePath().resolve("alerts-on-faults");
        if (stack.platform.trafficGenerator() == null || !stack.platform.trafficGenerator().isAlive()) {
            stack.platform.startTrafficGenerator(Platform.Launch.withJvmOptions(List.of("-Xmx64m")), Map.of());
        }
        LabsIT.Lab lab = LabsIT.Lab.read("06-the-pager.md");
        assertEquals(5, lab.blocks().size(), "break, wait for the page, list, traces, reset and wait");
        // A restarted service (the test above) compiles its request paths first; the calm run meets a warm site.
        Traffic.drive(stack.gateway(), 200, 4);
        try (E2eStack.Alerting alerting = E2eStack.Alerting.start(root, stack.platform, work)) {
            alerting.prometheus().awaitJobsUp(List.of("gateway-service", "user-service", "video-service", "recommend-service",
                    Platform.TRAFFIC_GENERATOR), Duration.ofSeconds(30));
            calmRun(alerting);
            faultsAndRecovery(stack, alerting, lab, root);
        } finally {
            stack.receiver.start();
            for (ServiceProcess service : stack.platform.services()) {
                Http.delete(service.managementUrl() + "/admin/faults");
            }
            stack.platform.stopTrafficGenerator();
        }
    }

    private static void calmRun(E2eStack.Alerting alerting) {
        long started = System.nanoTime();
        Set<String> pending = new LinkedHashSet<>();
        while (System.nanoTime() - started < CALM.toNanos()) {
            for (JsonNode alert : alerting.prometheus().query("ALERTS")) {
                String name = alert.path("metric").toString();
                assertEquals("pending", alert.path("metric").path("alertstate").asText(), "an alert fired on a calm site, "
                        + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s into the calm run: " + name
                        + "; its value now: " + alerting.prometheus().query("ALERTS_FOR_STATE"));
                pending.add(name);
            }
            ServiceProcess.pause(Duration.ofSeconds(2));
        }
        assertEquals(List.of(), alerting.alertmanager().notifications().stream().map(n -> n.receiver() + " " + n.alertname()).toList(),
                "no notification during the calm run");
        System.out.printf("[alerts] calm run: %d s with the traffic generator on, no alert fired; pending for a while: %s%n",
                CALM.toSeconds(), pending.isEmpty() ? "none" : pending);
    }

    private static void faultsAndRecovery(E2eStack stack, E2eStack.Alerting alerting, LabsIT.Lab lab, Path root) {
        PrometheusServer prometheus = alerting.prometheus();
        AlertmanagerServer alertmanager = alerting.alertmanager();
        Expected homeFails = new Expected("PageAvailabilityBurnFast", "pager", "page", "home");
        Expected cacheCollapsed = new Expected("HomeFeedCacheHitRatioCollapsed", "tickets", "service", "recommend-service");
        Fault pagerLab = new Fault("lab 6: video-service error db.list_videos, recommend-service cache-off home-feed",
                () -> lab.run(0, stack, prometheus, alertmanager), () -> lab.run(4, stack, prometheus, alertmanager),
                List.of(homeFails, cacheCollapsed));
        List<Fault> faults = new ArrayList<>(runbookFaults(stack, root, prometheus, alertmanager));
        List<Expected> lost = new ArrayList<>();
        for (ServiceProcess service : stack.platform.services()) {
            lost.add(new Expected("TelemetryLost", "tickets", "service", service.name()));
        }
        Fault collectorAway = new Fault("the Collector away (docker compose stop otel-collector)", stack.receiver::stop,
                stack.receiver::start, lost);

        pagerLab.switchOn();
        for (Fault fault : faults) {
            fault.switchOn();
        }
        faults.add(0, pagerLab);
        // The learner's part of lab 6: the page comes, the alert list, the runbook's way to a failed request's trace.
        lab.run(1, stack, prometheus, alertmanager);
        String listed = lab.run(2, stack, prometheus, alertmanager);
        assertTrue(listed.contains("PageAvailabilityBurnFast [page] service=gateway-service page=home") && listed.contains("docs/runbooks/PageAvailabilityBurnFast.md"),
                "the alert list names the page, the alert and its runbook:\n" + listed);
        Matcher traces = TRACE_ID.matcher(lab.run(3, stack, prometheus, alertmanager));
        assertTrue(traces.find(), "the exemplars give a failed home page's trace");
        String traceId = traces.group(1);
        SpanTree trace = LabsIT.awaitTrace(stack, traceId, tree -> !tree.find("video-service", SpanKind.SPAN_KIND_INTERNAL, "db.list_videos").isEmpty()
                && !tree.find("gateway-service", SpanKind.SPAN_KIND_SERVER, "GET /api/home").isEmpty());
        // A journey's trace may hold two home pages (the "browse" journey): each failed the same way.
        assertTrue(trace.find("video-service", SpanKind.SPAN_KIND_INTERNAL, "db.list_videos").stream().allMatch(q -> LabsIT.failed(q)
                && "error:db.list_videos".equals(q.attribute("app.fault"))), "the deepest red span:\n" + trace.render());
        assertTrue(trace.find("gateway-service", SpanKind.SPAN_KIND_SERVER, "GET /api/home").stream().allMatch(LabsIT::failed), trace.render());
        // Runbook step 3, the log line: during a storm video-service writes one WARN per kind of failure every 10 s
        // (FailureLog), with the trace id of the request it was written for; that trace has the same red span.
        long faultOnEpochNanos = System.currentTimeMillis() * 1_000_000 - (System.nanoTime() - pagerLab.onNanos);
        ReceivedLog line = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.receiver.logs().stream().filter(l -> l.service().equals("video-service")
                        && l.record().getSeverityText().equals("WARN") && LabsIT.body(l).contains("db.list_videos")
                        && Math.max(l.record().getTimeUnixNano(), l.record().getObservedTimeUnixNano()) >= faultOnEpochNanos).findFirst(), found -> found.isPresent()).orElseThrow();
        SpanTree logged = LabsIT.awaitTrace(stack, line.traceId(), tree -> !tree.find("video-service", SpanKind.SPAN_KIND_INTERNAL, "db.list_videos").isEmpty());
        assertTrue(logged.find("video-service", SpanKind.SPAN_KIND_INTERNAL, "db.list_videos").stream().allMatch(LabsIT::failed), "the log line's trace:\n" + logged.render());
        System.out.printf("[alerts] lab 6: exemplar trace %s, log line \"%s\" of trace %s%n", traceId, LabsIT.body(line), line.traceId());
        collectorAway.switchOn();
        faults.add(collectorAway);

        // Each fault ends once its alerts have come: its alerts' resolution is then measured from its own end.
        Map<Expected, Notification> fired = new LinkedHashMap<>();
        Expected slowBurn = new Expected("PageAvailabilityBurnSlow", "tickets", "page", "home");
        long slowBurnFired = 0;
        long deadline = pagerLab.onNanos + ALL_FIRE_WITHIN.toNanos();
        while (true) {
            List<Notification> all = alertmanager.notifications();
            for (Fault fault : faults) {
                for (Expected expected : fault.alerts) {
                    all.stream().filter(expected::firing).findFirst().ifPresent(n -> fired.putIfAbsent(expected, n));
                }
                if (fault != pagerLab && fault.alerts.stream().allMatch(fired::containsKey)) {
                    fault.switchOff();
                }
            }
            if (slowBurnFired == 0 && !prometheus.query("ALERTS{alertname=\"PageAvailabilityBurnSlow\",alertstate=\"firing\",page=\"home\"}").isEmpty()) {
                slowBurnFired = System.nanoTime();
            }
            boolean allFired = faults.stream().allMatch(f -> f.alerts.stream().allMatch(fired::containsKey));
            if (allFired && slowBurnFired != 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not all alerts came within " + ALL_FIRE_WITHIN + "; missing: "
                        + faults.stream().flatMap(f -> f.alerts.stream()).filter(e -> !fired.containsKey(e)).toList()
                        + (slowBurnFired == 0 ? " and PageAvailabilityBurnSlow firing in Prometheus" : "") + "; sent: "
                        + all.stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status() + " " + n.body().path("groupLabels")).toList()
                        + "; Prometheus' alerts: " + prometheus.query("ALERTS"));
            }
            ServiceProcess.pause(Duration.ofSeconds(1));
        }
        // The slow burn fires in Prometheus, and Alertmanager holds it back while the fast burn pages.
        List<Notification> beforeEnd = alertmanager.notifications();
        assertTrue(beforeEnd.stream().noneMatch(n -> n.alertname().equals("PageAvailabilityBurnSlow")), "the slow burn is inhibited while the fast burn pages: " + beforeEnd);
        assertTrue(beforeEnd.stream().noneMatch(n -> n.alertname().equals("ServiceDown")), "no service went down: " + beforeEnd);

        pagerLab.switchOff(); // lab 6's last block: scripts/fault reset, then waits for the page to resolve
        Map<Expected, Notification> resolved = new LinkedHashMap<>();
        long resolveDeadline = System.nanoTime() + ALL_RESOLVE_WITHIN.toNanos();
        while (true) {
            List<Notification> all = alertmanager.notifications();
            for (Expected expected : fired.keySet()) {
                long firedAt = fired.get(expected).receivedNanos();
                all.stream().filter(n -> expected.is(n, "resolved") && n.receivedNanos() > firedAt).findFirst()
                        .ifPresent(n -> resolved.putIfAbsent(expected, n));
            }
            boolean quiet = prometheus.query("ALERTS{alertstate=\"firing\"}").isEmpty();
            // Whatever else fired on the way (a slow burn no longer held back, say) has resolved too.
            boolean othersResolved = all.stream().filter(n -> n.status().equals("firing")).allMatch(f -> all.stream()
                    .anyMatch(r -> r.status().equals("resolved") && r.alertname().equals(f.alertname())
                            && r.body().path("groupKey").equals(f.body().path("groupKey")) && r.receivedNanos() > f.receivedNanos()));
            if (resolved.size() == fired.size() && quiet && othersResolved) {
                break;
            }
            if (System.nanoTime() > resolveDeadline) {
                throw new AssertionError("not all alerts resolved within " + ALL_RESOLVE_WITHIN + " of the last fault's end; still: "
                        + fired.keySet().stream().filter(e -> !resolved.containsKey(e)).toList() + "; sent: "
                        + all.stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status() + " " + n.body().path("groupLabels")).toList()
                        + "; Prometheus' alerts: " + prometheus.query("ALERTS"));
            }
            ServiceProcess.pause(Duration.ofSeconds(1));
        }

        for (Fault fault : faults) {
            for (Expected expected : fault.alerts) {
                System.out.printf("[alerts] %-58s → %-7s fired %3d s after its fault (%s); resolved %3d s after the fault ended%n",
                        expected, expected.receiver(), seconds(fired.get(expected).receivedNanos() - fault.onNanos), fault.name,
                        seconds(resolved.get(expected).receivedNanos() - fault.offNanos));
            }
        }
        System.out.printf("[alerts] PageAvailabilityBurnSlow{page=\"home\"} firing in Prometheus %d s after lab 6's fault, held back by"
                + " the fast burn; sent afterwards: %s%n", seconds(slowBurnFired - pagerLab.onNanos), alertmanager.notifications().stream()
                .filter(n -> n.alertname().endsWith("BurnSlow")).map(n -> n.receiver() + " " + n.alertname() + " " + n.status() + " "
                        + n.body().path("groupLabels").path("page").asText() + " +" + seconds(n.receivedNanos() - pagerLab.offNanos) + " s").toList());
    }

    /** The faults the runbooks name, each switched on as written, and off as {@code scripts/fault <service> off <kind:target>}. */
    private static List<Fault> runbookFaults(E2eStack stack, Path root, PrometheusServer prometheus, AlertmanagerServer alertmanager) {
        Map<String, List<Expected>> byCommand = new LinkedHashMap<>();
        for (String alert : RUNBOOK_FAULTS) {
            Path runbook = root.resolve("docs/runbooks/" + alert + ".md");
            String text;
            try {
                text = Files.readString(runbook);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Matcher section = REPRODUCE.matcher(text);
            assertTrue(section.find(), runbook + " says how to reproduce it in the workshop");
            Matcher command = FAULT_COMMAND.matcher(section.group(1));
            assertTrue(command.find(), runbook + " names the scripts/fault command that reproduces it: " + section.group(1));
            byCommand.computeIfAbsent(command.group(1), c -> new ArrayList<>()).add(expected(alert));
        }
        List<Fault> faults = new ArrayList<>();
        for (var entry : byCommand.entrySet()) {
            String command = entry.getKey();
            LabsIT.Lab on = new LabsIT.Lab(root.resolve("docs/runbooks"), List.of(command));
            // The same words, as the script reads them: <service> <kind> <target> …
            LabsIT.Lab off = new LabsIT.Lab(root.resolve("docs/runbooks"),
                    List.of("set -- " + command.substring("scripts/fault ".length()) + "\nscripts/fault \"$1\" off \"$2:$3\""));
            faults.add(new Fault(command, () -> on.run(0, stack, prometheus, alertmanager), () -> off.run(0, stack, prometheus, alertmanager),
                    entry.getValue()));
        }
        return faults;
    }

    private static Expected expected(String alert) {
        return switch (alert) {
            case "PageLatencyBurnFast" -> new Expected(alert, "pager", "page", "videos");
            case "CoreDbLatencyHigh", "UploadSuccessRatioLow" -> new Expected(alert, "pager", "service", "video-service");
            case "OnlineUsersDropping" -> new Expected(alert, "pager", "service", "user-service");
            default -> throw new IllegalArgumentException(alert);
        };
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }
}
