package org.acme.recommend;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import jakarta.inject.Inject;

import org.acme.conventions.testing.FaultAdminApi;
import org.acme.conventions.testing.InMemorySpans;
import org.acme.conventions.testing.MetricsScrape;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedServiceGrpc.HomeFeedServiceBlockingStub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

/** recommend-service's own switches: the cache off, an expensive ranking, lab 0's staircase. */
@QuarkusTest
// The workshop kit's switches: a copy of this service without the kit skips this test.
@EnabledIf("org.acme.conventions.testing.WorkshopKit#present")
class FaultSwitchesTest {

    @GrpcClient("home-feed")
    HomeFeedServiceBlockingStub homeFeed;

    @Inject
    InMemorySpanExporter spans;

    @AfterEach
    void everyFaultOff() {
        FaultAdminApi.allOff(FaultAdminApi.OWN_PORT);
    }

    @Test
    void with_the_cache_off_every_lookup_is_a_counted_miss() {
        String misses = "cache_gets_total";
        double before = MetricsScrape.value(misses, "cache=\"home-feed\"", "result=\"miss\"");
        switchOn("{\"kind\":\"cache-off\",\"target\":\"home-feed\"}");

        HomeFeedReply first = feedFor(5);
        HomeFeedReply second = feedFor(5);

        assertFalse(first.getFromCache());
        assertFalse(second.getFromCache(), "the second request is computed again");
        assertEquals(before + 2, MetricsScrape.value(misses, "cache=\"home-feed\"", "result=\"miss\""));
    }

    @Test
    void the_expensive_ranking_burns_the_cpu_time_it_was_given_in_a_span_of_its_own() {
        switchOn("{\"kind\":\"cache-off\",\"target\":\"home-feed\"}");
        switchOn("{\"kind\":\"expensive\",\"target\":\"recommendations\",\"delay\":\"150ms\"}");
        long cpuBefore = processCpuNanos();

        feedFor(6);

        assertTrue(processCpuNanos() - cpuBefore >= 150_000_000L, "at least 150 ms of CPU spent");
        SpanData ranking = InMemorySpans.awaitSpan(spans, s -> s.getName().equals("rank the expensive way")
                && s.getEndEpochNanos() - s.getStartEpochNanos() >= 150_000_000L);
        SpanData compute = InMemorySpans.awaitSpan(spans, s -> s.getSpanId().equals(ranking.getParentSpanId()));
        assertEquals("expensive:recommendations", compute.getAttributes().get(AttributeKey.stringKey("app.fault")));
    }

    @Test
    void the_expensive_ranking_stops_when_the_requests_budget_is_spent() {
        // 30 s of CPU asked; the request's budget is 3 s (app.bounds.feed): the work must end with it, not 27 s later.
        switchOn("{\"kind\":\"cache-off\",\"target\":\"home-feed\"}");
        switchOn("{\"kind\":\"expensive\",\"target\":\"recommendations\",\"delay\":\"30s\"}");

        try {
            feedFor(8);
        } catch (io.grpc.StatusRuntimeException answeredLate) {
            // the caller may hear DEADLINE_EXCEEDED: what matters is when the work stops
        }

        SpanData ranking = InMemorySpans.awaitSpan(spans, s -> s.getName().equals("rank the expensive way"));
        long tookMillis = (ranking.getEndEpochNanos() - ranking.getStartEpochNanos()) / 1_000_000;
        assertTrue(tookMillis < 10_000, "the ranking went on for " + tookMillis + " ms after a 3 s budget");
    }

    @Test
    void every_scenario_flag_evaluation_is_an_event_on_the_span_that_asked() {
        switchOn("{\"kind\":\"cache-off\",\"target\":\"home-feed\"}");

        feedFor(9);

        SpanData server = InMemorySpans.awaitSpan(spans, s -> s.getName().endsWith("/GetHomeFeed")
                && Long.valueOf(9).equals(s.getAttributes().get(AttributeKey.longKey("app.user.id"))) && s.getEvents().stream()
                .anyMatch(e -> e.getName().equals("feature_flag.evaluation")
                        && "cache-off:home-feed".equals(e.getAttributes().get(AttributeKey.stringKey("feature_flag.key")))));
        var evaluation = server.getEvents().stream().filter(e -> "cache-off:home-feed"
                .equals(e.getAttributes().get(AttributeKey.stringKey("feature_flag.key")))).findFirst().orElseThrow();
        assertEquals("on", evaluation.getAttributes().get(AttributeKey.stringKey("feature_flag.result.variant")));
        assertEquals("workshop-fault-switches", evaluation.getAttributes().get(AttributeKey.stringKey("feature_flag.provider.name")));
    }

    @Test
    void the_staircase_is_four_nested_levels_each_waiting_a_step_more() {
        switchOn("{\"kind\":\"staircase\",\"target\":\"home-feed\",\"delay\":\"10ms\"}");

        feedFor(7);

        SpanData level = InMemorySpans.awaitSpan(spans, s -> s.getName().equals("staircase level 4"));
        for (int n = 4; n >= 1; n--) {
            assertEquals("staircase level " + n, level.getName());
            assertEquals("reached level " + n, level.getEvents().get(0).getName());
            // Level n waits n steps and holds the levels below: 10 × (n + … + 4) ms.
            long atLeast = 10L * (n + 4) * (5 - n) / 2 * 1_000_000;
            assertTrue(level.getEndEpochNanos() - level.getStartEpochNanos() >= atLeast, level.getName());
            String parentId = level.getParentSpanId();
            level = InMemorySpans.awaitSpan(spans, s -> s.getSpanId().equals(parentId));
        }
        assertTrue(level.getName().endsWith("/GetHomeFeed"), "the staircase hangs under the gRPC request: " + level.getName());
        assertEquals("staircase:home-feed", level.getAttributes().get(AttributeKey.stringKey("app.fault")));
    }

    private HomeFeedReply feedFor(long userId) {
        return homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build());
    }

    private static void switchOn(String body) {
        FaultAdminApi.switchOn(FaultAdminApi.OWN_PORT, body);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
