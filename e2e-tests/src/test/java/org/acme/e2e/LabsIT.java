package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.acme.e2e.OtlpReceiver.ReceivedLog;
import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/**
 * Every lab in {@code labs/} run the way a learner runs it: the blocks marked {@code ```bash run} are
 * taken from the lab's own Markdown and run in order, from the repository root, against the real
 * services (only the gateway's address and the admin APIs' addresses differ, through the environment
 * the scripts read); then the test checks what the lab says the learner will see, in the spans and logs
 * the services exported and in Prometheus. Change a lab and this says whether it is still true. Lab 6, the pager,
 * runs in {@link AlertsIT}: its alert must come from its fault, on a Prometheus that has seen a calm site first; lab 2,
 * the surge forecast, in {@link SurgeForecastIT}, with the services under their CPU allowances.
 */
@Order(4)
@ExtendWith(PlatformExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabsIT {

    static final Path ROOT = Path.of(System.getProperty("e2e.root", "..")).toAbsolutePath().normalize();
    private static final Pattern RUN_BLOCK = Pattern.compile("(?m)^\\s*```bash run\\n(.*?)^\\s*```", Pattern.DOTALL);
    private static final Pattern TRACE_HEADER = Pattern.compile("(?im)^x-trace-id:\\s*([0-9a-f]{32})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static E2eStack lastStack;
    /** The longest a block may take: a lab's waits are bounded by 300 s at most (scripts/alerts). */
    static final Duration BLOCK_BOUND = Duration.ofSeconds(330);

    /** One lab: its file and its runnable blocks, in order. */
    record Lab(Path file, List<String> blocks) {

        static Lab read(String name) {
            Path file = ROOT.resolve("labs").resolve(name);
            try {
                Matcher m = RUN_BLOCK.matcher(Files.readString(file));
                List<String> blocks = new ArrayList<>();
                while (m.find()) {
                    blocks.add(m.group(1).lines().map(String::strip).collect(Collectors.joining("\n")));
                }
                return new Lab(file, blocks);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Runs block {@code index} as the learner would, and returns what it printed; fails if it fails. */
        String run(int index, E2eStack stack) {
            return run(index, stack, stack.prometheus, stack.alertmanager);
        }

        /**
         * The same, with {@code scripts/alerts} asking the given Prometheus and Alertmanager. A block ends within its
         * own bounds: a command that waits says how long ({@code scripts/alerts wait … 240}).
         */
        String run(int index, E2eStack stack, PrometheusServer prometheus, AlertmanagerServer alertmanager) {
            return run(index, stack.platform, prometheus, alertmanager, Map.of());
        }

        /**
         * As above, on any platform (one of the test's own), with more environment for the scripts
         * (CPU_CGROUP_USER_SERVICE for scripts/cpus, say).
         */
        String run(int index, Platform platform, PrometheusServer prometheus, AlertmanagerServer alertmanager, Map<String, String> more) {
            String block = blocks.get(index).replace("http://127.0.0.1:8080", platform.gatewayUrl())
                    .replace("http://127.0.0.1:9000", platform.service("gateway-service").managementUrl());
            Map<String, String> env = new LinkedHashMap<>();
            for (ServiceProcess service : platform.services()) {
                env.put("FAULT_ADMIN_" + service.name().toUpperCase().replace('-', '_'), service.managementUrl());
            }
            env.put("PROMETHEUS_URL", prometheus.baseUrl());
            env.put("ALERTMANAGER_URL", alertmanager.baseUrl());
            ServiceProcess generator = platform.trafficGenerator();
            if (generator != null) {
                env.put("TRAFFIC_URL", generator.baseUrl());
            }
            env.putAll(more);
            try {
                ProcessBuilder builder = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block)
                        .directory(ROOT.toFile()).redirectErrorStream(true);
                builder.environment().putAll(env);
                Process process = builder.start();
                byte[] output = process.getInputStream().readAllBytes();
                assertTrue(process.waitFor(BLOCK_BOUND.toSeconds(), TimeUnit.SECONDS), file.getFileName() + ": block " + index + " did not finish");
                String printed = new String(output, StandardCharsets.UTF_8);
                System.out.printf("[lab] %s, block %d:%n%s%n→ %s%n", file.getFileName(), index, block, printed.strip());
                assertEquals(0, process.exitValue(), file.getFileName() + ": block " + index + " failed:\n" + block + "\n" + printed);
                return printed;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void runAll(E2eStack stack) {
            for (int i = 0; i < blocks.size(); i++) {
                run(i, stack);
            }
        }
    }

    /**
     * A learner's stack has been up a while, with the simulated users on it: the JVMs have compiled the
     * request paths. A freshly started one answers its first requests slowly (on two busy cores, past
     * the hops' bounds), so the labs' first request would time out instead of showing the lab's story.
     */
    @BeforeAll
    static void warmUp(E2eStack stack) {
        for (int i = 0; i < 60; i++) {
            int user = 1 + i % 40;
            Http.get(stack.gateway() + "/api/home?userId=" + user);
            Http.get(stack.gateway() + "/api/videos/" + (1 + i * 7 % 300) + "?userId=" + user);
        }
    }

    @AfterAll
    static void everyFaultOffAndNoTraffic() {
        if (lastStack != null) {
            lastStack.platform.stopTrafficGenerator();
            for (ServiceProcess service : lastStack.platform.services()) {
                Http.delete(service.managementUrl() + "/admin/faults");
            }
        }
    }

    @Test
    @Order(0)
    void lab_0_the_staircase_is_four_nested_spans_each_with_its_event_and_log_line(E2eStack stack) {
        lastStack = stack;
        Lab lab = Lab.read("00-your-first-trace.md");
        assertEquals(3, lab.blocks().size(), "switch on, open a home page, clean up");
        lab.run(0, stack);
        String traceId = traceHeader(lab.run(1, stack));
        lab.run(2, stack);

        SpanTree trace = awaitTrace(stack, traceId, tree -> tree.spans().stream()
                .filter(s -> s.span().getName().startsWith("staircase level")).count() == 4);
        ReceivedSpan parent = single(trace, "recommend-service", "videosite.recommend.v1.HomeFeedService/GetHomeFeed");
        for (int level = 1; level <= 4; level++) {
            ReceivedSpan step = single(trace, "recommend-service", "staircase level " + level);
            assertEquals(parent.spanId(), step.parentSpanId(), "level " + level + " sits in the one above:\n" + trace.render());
            assertEquals("reached level " + level, step.span().getEvents(0).getName());
            long millis = durationMillis(step);
            // Level N waits N × 20 ms, plus the levels below it: 200, 180, 140, 80 ms.
            long waits = 20L * (level + 4) * (5 - level) / 2;
            assertTrue(millis >= waits, "level " + level + " lasted " + millis + " ms, at least " + waits + " expected");
            String spanId = step.spanId();
            int n = level;
            await().atMost(Duration.ofSeconds(15)).until(() -> stack.receiver.logsOf(traceId).stream()
                    .anyMatch(l -> l.spanId().equals(spanId) && body(l).startsWith("Staircase: level " + n + " of 4")));
            parent = step;
        }
        System.out.printf("[lab] staircase in trace %s: levels 1..4 lasted %d, %d, %d, %d ms%n", traceId,
                durationMillis(single(trace, "recommend-service", "staircase level 1")), durationMillis(single(trace, "recommend-service", "staircase level 2")),
                durationMillis(single(trace, "recommend-service", "staircase level 3")), durationMillis(single(trace, "recommend-service", "staircase level 4")));
        assertTrue(durationMillis(single(trace, "recommend-service", "staircase level 1"))
                > durationMillis(single(trace, "recommend-service", "staircase level 4")), "a staircase, not a flat line");
    }

    @Test
    @Order(1)
    void lab_1_the_error_the_user_got_leads_to_the_failing_query_and_its_log_line(E2eStack stack) {
        lastStack = stack;
        Lab lab = Lab.read("01-something-went-wrong.md");
        assertEquals(3, lab.blocks().size(), "break, be the user, clean up");
        lab.run(0, stack);
        JsonNode problem = json(lab.run(1, stack));
        lab.run(2, stack);

        assertEquals(502, problem.path("status").asInt(), problem.toString());
        String detail = problem.path("detail").asText();
        assertTrue(detail.startsWith("recommend-service") && detail.contains("video-service") && detail.contains("db.list_videos"),
                "the detail names the chain: " + detail);
        String traceId = problem.path("traceId").asText();

        SpanTree trace = awaitTrace(stack, traceId, tree -> !tree.find("video-service", SpanKind.SPAN_KIND_INTERNAL, "db.list_videos").isEmpty()
                && !tree.find("gateway-service", SpanKind.SPAN_KIND_SERVER, "GET /api/home").isEmpty() && tree.orphans().isEmpty());
        ReceivedSpan query = single(trace, "video-service", "db.list_videos");
        assertTrue(failed(query), "the query's span is an error:\n" + trace.render());
        assertEquals("error:db.list_videos", query.attribute("app.fault"));
        assertTrue(query.span().getEventsList().stream().anyMatch(e -> e.getName().equals("exception")), "with the exception as an event");
        // The deepest red span is the cause: every span from the gateway's request down to it failed.
        for (ReceivedSpan above = trace.parent(query).orElseThrow(); ; above = trace.parent(above).orElseThrow()) {
            if (above.span().getKind() == SpanKind.SPAN_KIND_SERVER) {
                assertTrue(failed(above), above.service() + ": " + above.span().getName() + " is red too:\n" + trace.render());
            }
            if (trace.parent(above).isEmpty()) {
                assertEquals("GET /api/home", above.span().getName());
                break;
            }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> stack.receiver.logsOf(traceId).stream()
                .anyMatch(l -> l.service().equals("video-service") && l.record().getSeverityText().equals("WARN")
                        && body(l).contains("db.list_videos")));
    }

    @Test
    @Order(2)
    void lab_4_dropping_the_context_splits_the_home_request_into_traces_rooted_in_client_spans(E2eStack stack) {
        lastStack = stack;
        Lab lab = Lab.read("04-where-did-my-trace-go.md");
        assertEquals(3, lab.blocks().size(), "switch on, open a home page, clean up");
        lab.run(0, stack);
        long before = System.currentTimeMillis() * 1_000_000;
        String traceId = traceHeader(lab.run(1, stack));
        long after = System.currentTimeMillis() * 1_000_000;
        lab.run(2, stack);

        // Each service exports on its own schedule, and the gateway's spans end last (after the answer): wait for the
        // whole tree, a server span in each service the request reached.
        SpanTree trace = awaitTrace(stack, traceId, tree -> !tree.find("recommend-service", SpanKind.SPAN_KIND_SERVER, null).isEmpty()
                && !tree.find("user-service", SpanKind.SPAN_KIND_SERVER, null).isEmpty()
                && !tree.find("gateway-service", SpanKind.SPAN_KIND_SERVER, "GET /api/home").isEmpty() && tree.orphans().isEmpty());
        Set<String> services = trace.spans().stream().map(ReceivedSpan::service).collect(Collectors.toSet());
        assertEquals(Set.of("gateway-service", "user-service", "recommend-service"), services, "no video-service:\n" + trace.render());
        assertTrue(trace.spans().stream().anyMatch(s -> s.service().equals("recommend-service")
                && String.valueOf(s.attribute("app.fault")).contains("drop-context:video-service")), trace.render());

        // The catalog calls of that request are in traces of their own, each rooted in recommend-service's client span.
        List<ReceivedSpan> orphanCalls = await().atMost(Duration.ofSeconds(15)).until(() -> stack.receiver.spans().stream()
                .filter(s -> s.service().equals("recommend-service") && s.span().getKind() == SpanKind.SPAN_KIND_CLIENT
                        && s.span().getParentSpanId().isEmpty() && s.span().getName().startsWith("videosite.video.v1.VideoCatalogService/")
                        && s.span().getStartTimeUnixNano() >= before && s.span().getStartTimeUnixNano() <= after)
                .toList(), calls -> !calls.isEmpty());
        for (ReceivedSpan call : orphanCalls) {
            assertFalse(call.traceId().equals(traceId));
            SpanTree own = awaitTrace(stack, call.traceId(), tree -> !tree.children(call).isEmpty());
            ReceivedSpan served = own.children(call).get(0);
            assertEquals("video-service", served.service(), own.render());
            assertEquals(SpanKind.SPAN_KIND_SERVER, served.span().getKind());
        }
    }

    @Test
    @Order(4)
    void lab_3_each_business_metric_reacts_to_its_fault(E2eStack stack) {
        lastStack = stack;
        Lab lab = Lab.read("03-is-the-business-healthy.md");
        assertEquals(3, lab.blocks().size(), "more users, three faults, clean up");
        assertEquals(4, promqlBlocks(lab).size(), "one query per business metric");
        startTraffic(stack);
        lab.run(0, stack);
        lab.run(1, stack);
        try {
            List<String> queries = promqlBlocks(lab);
            // Database latency by operation: find_user about 150 ms, watch_history not.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(5)).until(
                    () -> value(stack.prometheus.query(queries.get(0)), "operation", "find_user"), p99 -> p99 != null && p99 >= 0.15);
            // The others stay low: every find_user waits 150 ms, so its median does; watch_history's median does not.
            String median = queries.get(0).replace("0.99", "0.5");
            Double history = value(stack.prometheus.query(median), "operation", "watch_history");
            assertTrue(history == null || history < 0.15, "watch_history stays low: median " + history);
            // The cache hit ratio falls to 0 (every lookup a miss over the last minute).
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(5)).until(
                    () -> stack.prometheus.scalar(queries.get(1)), ratio -> ratio != null && ratio == 0.0);
            // Users online on at least two pages.
            JsonNode online = stack.prometheus.query(queries.get(2));
            long pages = 0;
            for (JsonNode sample : online) {
                pages += Double.parseDouble(sample.path("value").get(1).asText()) > 0 ? 1 : 0;
            }
            assertTrue(pages >= 2, "users online on two pages or more: " + online);
            // Upload success: without the fault about 3 in 4 succeed (a quarter are invalid on purpose); with half
            // of the valid ones refused, about 3 in 8.
            Double success = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(5)).until(
                    () -> stack.prometheus.scalar(queries.get(3)), ratio -> ratio != null && ratio < 0.6);
            System.out.printf("[lab] upload success ratio over the last minute with half the valid uploads refused: %.2f%n", success);
        } finally {
            lab.run(2, stack);
            stack.platform.stopTrafficGenerator();
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------

    private static void startTraffic(E2eStack stack) {
        if (stack.platform.trafficGenerator() == null || !stack.platform.trafficGenerator().isAlive()) {
            stack.platform.startTrafficGenerator(Platform.Launch.withJvmOptions(List.of("-Xmx64m")), Map.of("APP_TRAFFIC_RATE", "2"));
        }
    }

    private static List<String> promqlBlocks(Lab lab) {
        try {
            Matcher m = Pattern.compile("(?m)^\\s*```promql\\n(.*?)^\\s*```", Pattern.DOTALL).matcher(Files.readString(lab.file()));
            List<String> queries = new ArrayList<>();
            while (m.find()) {
                queries.add(m.group(1).strip());
            }
            return queries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Double value(JsonNode vector, String label, String value) {
        for (JsonNode sample : vector) {
            if (sample.path("metric").path(label).asText().equals(value)) {
                double v = Double.parseDouble(sample.path("value").get(1).asText());
                return Double.isNaN(v) ? null : v;
            }
        }
        return null;
    }

    static SpanTree awaitTrace(E2eStack stack, String traceId, java.util.function.Predicate<SpanTree> complete) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        SpanTree tree = new SpanTree(stack.receiver.spansOf(traceId));
        while (!complete.test(tree)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("trace " + traceId + " still incomplete after 20 s (" + stack.receiver.exportsSeen()
                        + "):\n" + tree.render());
            }
            ServiceProcess.pause(Duration.ofMillis(250));
            tree = new SpanTree(stack.receiver.spansOf(traceId));
        }
        return tree;
    }

    static ReceivedSpan single(SpanTree trace, String service, String name) {
        List<ReceivedSpan> found = trace.spans().stream()
                .filter(s -> s.service().equals(service) && s.span().getName().equals(name)).toList();
        assertEquals(1, found.size(), "one " + name + " in " + service + ":\n" + trace.render());
        return found.get(0);
    }

    private static long durationMillis(ReceivedSpan span) {
        return (span.span().getEndTimeUnixNano() - span.span().getStartTimeUnixNano()) / 1_000_000;
    }

    /** A span's own time: its duration less the time covered by its children (Jaeger's "self time"). */
    static long selfTimeNanos(SpanTree trace, ReceivedSpan span) {
        long start = span.span().getStartTimeUnixNano();
        long end = span.span().getEndTimeUnixNano();
        List<long[]> covered = trace.children(span).stream()
                .map(c -> new long[] { Math.max(start, c.span().getStartTimeUnixNano()), Math.min(end, c.span().getEndTimeUnixNano()) })
                .filter(iv -> iv[1] > iv[0]).sorted(Comparator.comparingLong(iv -> iv[0])).toList();
        long busy = 0;
        long reached = start;
        for (long[] iv : covered) {
            long from = Math.max(iv[0], reached);
            if (iv[1] > from) {
                busy += iv[1] - from;
                reached = iv[1];
            }
        }
        return end - start - busy;
    }

    static boolean failed(ReceivedSpan span) {
        return span.span().getStatus().getCode().getNumber() == 2;
    }

    /**
     * Lab 5: the learner's {@code docker compose stop otel-collector} and {@code start} are the receiver stopped and
     * started here; the rest runs as written.
     */
    @Test
    @Order(5)
    void lab_5_spans_made_while_the_collector_is_away_are_counted_as_dropped_and_never_arrive(E2eStack stack) {
        lastStack = stack;
        Lab lab = Lab.read("05-is-my-telemetry-complete.md");
        assertEquals(4, lab.blocks().size(), "a page before, pages during, the counts, a page after");
        String before = traceHeader(lab.run(0, stack));
        awaitTrace(stack, before, tree -> !tree.find("gateway-service", SpanKind.SPAN_KIND_SERVER, "GET /api/home").isEmpty());
        String gatewayMetrics = stack.platform.service("gateway-service").managementUrl() + "/q/metrics";
        double failedBefore = TelemetryLossIT.sample(Http.get(gatewayMetrics).body(), "telemetry_spans_dropped_total",
                "reason=\"export_failed\"");

        List<String> during = new ArrayList<>();
        String counts;
        stack.receiver.stop();
        try {
            Matcher ids = TRACE_HEADER.matcher(lab.run(1, stack));
            while (ids.find()) {
                during.add(ids.group(1));
            }
            counts = lab.run(2, stack);
        } finally {
            stack.receiver.start();
        }
        String after = traceHeader(lab.run(3, stack));

        assertEquals(5, during.size(), "five pages while the Collector was away");
        double failed = TelemetryLossIT.sample(counts, "telemetry_spans_dropped_total", "reason=\"export_failed\"");
        assertTrue(failed > failedBefore, "the gateway counted the spans it could not export:\n" + counts);
        assertTrue(TelemetryLossIT.sample(counts, "telemetry_spans_ended_total", "") > 0, counts);
        SpanTree whole = awaitTrace(stack, after, tree -> tree.roots().size() == 1 && tree.orphans().isEmpty()
                && !tree.find("recommend-service", SpanKind.SPAN_KIND_SERVER, null).isEmpty()
                && !tree.find("user-service", SpanKind.SPAN_KIND_SERVER, null).isEmpty());
        System.out.printf("[lab] lab 5: %s dropped for a failed export, was %s; the page after holds %d spans%n", failed,
                failedBefore, whole.spans().size());
        for (String traceId : during) {
            assertFalse(stack.receiver.holdsTrace(traceId), "trace " + traceId + " was made while the Collector was away, and"
                    + " the lab says none of it arrives:\n" + new SpanTree(stack.receiver.spansOf(traceId)).render());
        }
    }

    private static String traceHeader(String printed) {
        Matcher m = TRACE_HEADER.matcher(printed);
        assertTrue(m.find(), "the lab's command printed the X-Trace-Id header: " + printed);
        return m.group(1);
    }

    private static JsonNode json(String printed) {
        try {
            return JSON.readTree(printed);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + printed, e);
        }
    }

    static String body(ReceivedLog log) {
        return log.record().getBody().getStringValue();
    }
}
