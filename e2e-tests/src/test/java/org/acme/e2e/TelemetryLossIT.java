package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.e2e.SteadyLoad.Outcome;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Telemetry that is lost is counted. The four services run under a steady load while their telemetry backend is
 * first slow (each export answered after {@link #SLOW_ANSWER}: the export queues fill and overflow), then gone (the
 * receiver stopped: exports fail), then back. Afterwards, per service and per signal, everything the service kept
 * for export is accounted for: what the receiver holds, plus what the service counted as dropped for a full queue,
 * plus what it counted as dropped for a failed export. Both kinds of loss must have happened, or the test proved
 * nothing; and no request may fail or wait for the telemetry.
 */
@Order(7)
class TelemetryLossIT {

    static final int CONCURRENCY = 8;
    /** Each export waits this long for its answer: the services' exports fall far behind their spans. */
    static final Duration SLOW_ANSWER = Duration.ofSeconds(2);
    static final Duration SLOW_FOR = Duration.ofSeconds(15);
    static final Duration GONE_FOR = Duration.ofSeconds(12);
    static final Duration BACK_FOR = Duration.ofSeconds(5);
    /**
     * An export the receiver had kept when it was stopped, but whose answer never reached the service, is counted as
     * failed and also received: at most one batch per service (quarkus.otel.bsp/blrp.max.export.batch.size).
     */
    static final long IN_FLIGHT_AT_STOP = 128;
    /** No request waits for telemetry: all are answered within this, far below the exporters' 10 s timeout. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(3);

    record Counts(double produced, double exported, double queueFull, double exportFailed, double queued) {
        double dropped() {
            return queueFull + exportFailed;
        }
    }

    @Test
    void every_span_and_log_record_a_service_kept_was_received_or_counted_as_dropped() {
        Path root = Path.of(System.getProperty("e2e.root", "..")).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty("e2e.work", "target/e2e")).toAbsolutePath().resolve("telemetry-loss");
        try (OtlpReceiver receiver = new OtlpReceiver(Platform.freePort())) {
            receiver.start();
            try (Platform platform = Platform.start(root, work.resolve("logs"), receiver.endpoint(), E2eStack.JVM_OPTIONS)) {
                run(platform, receiver);
            }
        }
    }

    private void run(Platform platform, OtlpReceiver receiver) {
        String gateway = platform.gatewayUrl();
        Traffic.drive(gateway, 200, 4); // warm JVMs, so that latencies measure the telemetry, not the cold start

        List<Outcome> outcomes = new ArrayList<>();
        SteadyLoad load = SteadyLoad.start(gateway, CONCURRENCY);
        try {
            receiver.answerAfter(SLOW_ANSWER);
            ServiceProcess.pause(SLOW_FOR);
            receiver.answerAfter(Duration.ZERO);
            receiver.stop();
            ServiceProcess.pause(GONE_FOR);
            receiver.start();
            ServiceProcess.pause(BACK_FOR);
        } finally {
            outcomes.addAll(load.stop());
        }

        Map<String, Counts> spans = new LinkedHashMap<>();
        Map<String, Counts> logs = new LinkedHashMap<>();
        for (ServiceProcess service : platform.services()) {
            spans.put(service.name(), settled(service, "telemetry_spans", "telemetry_spans_ended_total", "spans"));
            logs.put(service.name(), settled(service, "telemetry_log_records", "telemetry_log_records_emitted_total", "log_records"));
        }

        long slowest = outcomes.stream().mapToLong(Outcome::millis).max().orElse(0);
        List<Outcome> failed = outcomes.stream().filter(o -> o.status() != 200 && o.status() != 201).toList();
        System.out.printf("[telemetry-loss] %d requests, %d failed, slowest %d ms%n", outcomes.size(), failed.size(), slowest);
        List<String> wrong = new ArrayList<>();
        double queueFull = 0;
        double exportFailed = 0;
        for (ServiceProcess service : platform.services()) {
            String name = service.name();
            Counts s = spans.get(name);
            Counts l = logs.get(name);
            long spansReceived = receiver.spansFrom(name);
            long logsReceived = receiver.logRecordsFrom(name);
            System.out.printf("[telemetry-loss] %-17s spans: ended %.0f = received %d + dropped (queue full %.0f, export failed %.0f);"
                    + " log records: emitted %.0f = received %d + dropped (queue full %.0f, export failed %.0f)%n", name,
                    s.produced(), spansReceived, s.queueFull(), s.exportFailed(), l.produced(), logsReceived, l.queueFull(),
                    l.exportFailed());
            check(wrong, name + " spans", s, spansReceived);
            check(wrong, name + " log records", l, logsReceived);
            queueFull += s.queueFull() + l.queueFull();
            exportFailed += s.exportFailed() + l.exportFailed();
        }
        assertEquals(List.of(), wrong, "telemetry lost without being counted");
        assertTrue(queueFull > 0, "no export queue overflowed while the backend was slow: the test proved nothing");
        assertTrue(exportFailed > 0, "no export failed while the backend was gone: the test proved nothing");
        assertEquals(List.of(), failed.stream().limit(5).map(o -> o.status() + " " + o.url() + " " + o.body()).toList(),
                failed.size() + " requests failed while the telemetry backend was slow or gone");
        assertTrue(slowest <= ANSWER_WITHIN.toMillis(), "a request took " + slowest + " ms: it waited for telemetry");
    }

    /**
     * Everything kept is accounted for: exported + dropped = produced (the SDK's own bookkeeping, exact once nothing is
     * queued or in flight), and what the receiver holds is what was exported (within one batch in flight at the stop).
     */
    private static void check(List<String> wrong, String what, Counts counts, long received) {
        if (counts.exported() + counts.dropped() != counts.produced()) {
            wrong.add(what + ": " + counts.produced() + " kept, but " + counts.exported() + " exported + " + counts.dropped() + " dropped");
        }
        if (Math.abs(counts.exported() - received) > IN_FLIGHT_AT_STOP) {
            wrong.add(what + ": " + counts.exported() + " counted as exported, but the receiver holds " + received);
        }
    }

    /** The service's counts once its queue is empty and every export has ended (polled, within a bound). */
    private static Counts settled(ServiceProcess service, String prefix, String producedName, String signal) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Counts counts;
        do {
            String metrics = Http.get(service.managementUrl() + "/q/metrics").body();
            counts = new Counts(sample(metrics, producedName, ""), sample(metrics, prefix + "_exported_total", ""),
                    sample(metrics, prefix + "_dropped_total", "reason=\"queue_full\""),
                    sample(metrics, prefix + "_dropped_total", "reason=\"export_failed\""),
                    sample(metrics, "telemetry_export_queue_size", "signal=\"" + signal + "\""));
            if (counts.queued() == 0 && counts.exported() + counts.dropped() == counts.produced()) {
                return counts;
            }
            ServiceProcess.pause(Duration.ofMillis(500));
        } while (System.nanoTime() < deadline);
        return counts;
    }

    /** The value of the sample of {@code name} whose labels contain {@code label} (any if empty); 0 if none. */
    static double sample(String metrics, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)").matcher(metrics);
        while (m.find()) {
            if (label.isEmpty() || (m.group(1) != null && m.group(1).contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
