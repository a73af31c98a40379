package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/** The business and RED metrics, asked of a real Prometheus in PromQL, as a dashboard would. */
@Order(2)
@ExtendWith(PlatformExtension.class)
class MetricsIT {

    private static final Duration SCRAPED = Duration.ofSeconds(15);

    @Test
    void uploads_count_exactly_by_outcome(E2eStack stack) {
        String success = "sum(app_video_uploads_total{job=\"video-service\",outcome=\"success\"})";
        String failure = "sum(app_video_uploads_total{job=\"video-service\",outcome=\"failure\"})";
        double successBefore = stack.prometheus.scalar(success);
        double failureBefore = stack.prometheus.scalar(failure);

        String upload = stack.gateway() + "/api/videos";
        assertEquals(201, Http.post(upload, "{\"title\":\"Tbilisi by night\",\"durationSeconds\":600,\"sizeBytes\":5000000,\"uploaderId\":4}").statusCode());
        assertEquals(201, Http.post(upload, "{\"title\":\"Sourdough, again\",\"durationSeconds\":300,\"sizeBytes\":4000000,\"uploaderId\":5,\"category\":\"Cooking\"}").statusCode());
        assertEquals(400, Http.post(upload, "{\"title\":\"Too big\",\"durationSeconds\":300,\"sizeBytes\":3000000000,\"uploaderId\":5}").statusCode());
        assertEquals(400, Http.post(upload, "{\"title\":\"Nobody's\",\"durationSeconds\":300,\"sizeBytes\":1000,\"uploaderId\":4040}").statusCode());

        awaitValue(stack, success, successBefore + 2);
        awaitValue(stack, failure, failureBefore + 2);
    }

    @Test
    void repeated_home_requests_for_one_user_hit_the_feed_cache(E2eStack stack) {
        // User 38 is asked for by no other test: its first home page computes the feed, the next two hit the cache.
        String hits = "sum(cache_gets_total{job=\"recommend-service\",cache=\"home-feed\",result=\"hit\"})";
        String gets = "sum(cache_gets_total{job=\"recommend-service\",cache=\"home-feed\"})";
        awaitStable(stack, gets);
        double hitsBefore = value(stack, hits);
        double getsBefore = value(stack, gets);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, Http.get(stack.gateway() + "/api/home?userId=38").statusCode());
        }
        awaitValue(stack, gets, getsBefore + 3);
        assertEquals(2, value(stack, hits) - hitsBefore, "cache hits among this test's three requests");
        System.out.printf("[e2e] this test's hit ratio: %.2f%n", (value(stack, hits) - hitsBefore) / (value(stack, gets) - getsBefore));
    }

    @Test
    void users_online_on_the_home_page_reflect_the_heartbeats(E2eStack stack) {
        for (long user : List.of(1L, 2L, 3L)) {
            assertEquals(200, Http.post(stack.gateway() + "/api/users/" + user + "/heartbeat?page=home", null).statusCode());
        }
        awaitValue(stack, "sum(app_online_users{job=\"user-service\",page=\"home\"})", 3);
    }

    @Test
    void database_latency_is_recorded_by_both_data_services(E2eStack stack) {
        Map<String, String> counts = Map.of(
                "user-service", "sum(app_db_query_seconds_count{job=\"user-service\",operation=\"record_view\"})",
                "video-service", "sum(app_db_query_seconds_count{job=\"video-service\",operation=\"find_video\"})");
        counts.values().forEach(query -> awaitStable(stack, query));
        Map<String, Double> before = new java.util.HashMap<>();
        counts.forEach((job, query) -> before.put(job, value(stack, query)));
        // One video page with a user: video-service reads the video once, user-service records one view.
        assertEquals(200, Http.get(stack.gateway() + "/api/videos/11?userId=2").statusCode());
        counts.forEach((job, query) -> awaitValue(stack, query, before.get(job) + 1));
        JsonNode operations = stack.prometheus.query(
                "sum by (operation) (app_db_query_seconds_bucket{job=~\"user-service|video-service\",le=\"+Inf\"})");
        assertTrue(operations.size() >= 2, "a latency histogram per operation: " + operations);
        System.out.printf("[e2e] PromQL sum by (operation) (app_db_query_seconds_count) = %s%n",
                stack.prometheus.query("sum by (operation) (app_db_query_seconds_count)"));
    }

    @Test
    void the_home_route_counts_every_call(E2eStack stack) {
        String query = "sum(http_server_requests_seconds_count{job=\"gateway-service\",uri=\"/api/home\"})";
        awaitStable(stack, query);
        double before = value(stack, query);
        for (int i = 0; i < 5; i++) {
            Http.get(stack.gateway() + "/api/home?userId=" + (10 + i));
        }
        awaitValue(stack, query, before + 5);
    }

    /**
     * Fan-out by kind of front request: the gateway puts the route it serves into the baggage, every hop forwards it
     * (REST and gRPC), and every service counts its calls under it. Counted straight from each service's /q/metrics
     * around 12 home pages and 8 video pages; then the real Prometheus' recording rule divides by the gateway's count.
     */
    @Test
    void each_service_counts_its_calls_under_the_front_route_they_belong_to(E2eStack stack) {
        String home = "GET /api/home";
        String video = "GET /api/videos/{id}";
        Map<String, Scrape> before = scrapes(stack);
        for (int i = 0; i < 12; i++) {
            assertEquals(200, Http.get(stack.gateway() + "/api/home?userId=" + (15 + i)).statusCode());
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(200, Http.get(stack.gateway() + "/api/videos/" + (1 + i) + "?userId=15").statusCode());
        }
        Map<String, Scrape> after = scrapes(stack);
        Map<String, Map<String, Double>> served = new java.util.TreeMap<>();
        for (String service : Platform.SERVICES) {
            for (String route : List.of(home, video, "none", "other")) {
                double delta = after.get(service).sum(l -> route.equals(l.get("front_route")), "app_calls_served_total")
                        - before.get(service).sum(l -> route.equals(l.get("front_route")), "app_calls_served_total");
                served.computeIfAbsent(service, s -> new java.util.TreeMap<>()).put(route, delta);
            }
        }
        System.out.println("[e2e] calls served by front route, for 12 home pages and 8 video pages: " + served);
        assertEquals(12, served.get("gateway-service").get(home), "the gateway counts each home page: " + served);
        assertEquals(8, served.get("gateway-service").get(video), "and each video page: " + served);
        assertEquals(12, served.get("recommend-service").get(home), "one feed per home page: " + served);
        assertTrue(served.get("user-service").get(home) >= 12, "a profile for each home page: " + served);
        // a feed not in recommend-service's cache calls video-service (and user-service) through recommend-service
        assertTrue(served.get("video-service").get(home) >= 1, "the feed's videos, through recommend-service: " + served);
        assertTrue(served.get("video-service").get(video) >= 8 && served.get("user-service").get(video) >= 8,
                "a video page reaches video- and user-service: " + served);
        for (String service : List.of("user-service", "video-service", "recommend-service")) {
            assertEquals(0, served.get(service).get("none") + served.get(service).get("other"),
                    service + ": every call carried its front route, through every hop: " + served);
        }
        String rule = "front_route_job:calls_per_front_request:ratio_rate5m{front_route=\"" + home + "\"}";
        int[] sent = { 0 };
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Http.get(stack.gateway() + "/api/home?userId=" + (15 + sent[0]++ % 12));
            return stack.prometheus.query(rule).size() == 4;
        });
        System.out.println("[e2e] " + rule + ": " + stack.prometheus.query(rule));
        assertEquals(1.0, value(stack, rule.replace("}", ",job=\"gateway-service\"}")), 1e-9, "the gateway's own row");
        assertTrue(value(stack, rule.replace("}", ",job=\"user-service\"}")) >= 1, "user-service's calls per home page");
    }

    private static Map<String, Scrape> scrapes(E2eStack stack) {
        Map<String, Scrape> scrapes = new java.util.HashMap<>();
        for (String service : Platform.SERVICES) {
            scrapes.put(service, Scrape.of(stack.platform.service(service)));
        }
        return scrapes;
    }

    /**
     * The exemplar path as the stack has it: Prometheus asks for OpenMetrics (scrape_protocols), keeps the
     * exemplars (exemplar-storage), and one of them names a trace the receiver holds.
     */
    @Test
    void a_latency_exemplar_in_prometheus_leads_to_a_trace_the_receiver_holds(E2eStack stack) {
        for (int i = 0; i < 5; i++) {
            Http.get(stack.gateway() + "/api/home?userId=" + (20 + i));
        }
        String selector = "http_server_requests_seconds_bucket{job=\"gateway-service\",uri=\"/api/home\"}";
        List<String> traceIds = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.prometheus.exemplarTraceIds(selector), ids -> !ids.isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> traceIds.stream().anyMatch(stack.receiver::holdsTrace));
        System.out.printf("[e2e] exemplar trace ids Prometheus holds on /api/home buckets: %s (held by the receiver: %s)%n",
                traceIds, traceIds.stream().filter(stack.receiver::holdsTrace).toList());
    }

    /**
     * The stack's rule files, loaded by the real Prometheus: the recording rules yield the RED figures and the SLO
     * ratios of the traffic the tests made, and on this calm site no alert fires.
     */
    @Test
    void the_rules_are_loaded_their_figures_computed_and_no_slo_alert_fires_on_a_calm_site(E2eStack stack) {
        // Requests go on while waiting: rate() sees no increase in a series' first sample, so a series born with
        // these requests needs more of them after its first scrape.
        int[] sent = { 0 };
        await().atMost(SCRAPED).pollInterval(Duration.ofMillis(250)).until(() -> {
            Http.get(stack.gateway() + "/api/home?userId=" + (30 + sent[0]++ % 3));
            // The ratio is 0/0 (NaN) until the rate of its series is; NaN is not 0, and not a failure either.
            return value(stack, "sum(job:http_server_requests:rate1m{job=\"gateway-service\"})") > 0
                    && stack.prometheus.query("page:slo_errors:ratio_rate5m{page=\"home\"}").size() == 1
                    && !Double.isNaN(value(stack, "page:slo_errors:ratio_rate5m{page=\"home\"}"));
        });
        assertEquals(0.0, value(stack, "page:slo_errors:ratio_rate5m{page=\"home\"}"), "no home page failed");
        // The pages' SLO alerts. The others are left out here: the earlier tests make new users on purpose (a cold
        // feed cache) and start JVMs cold, and the traffic generator, whose target is down, runs only when a test
        // starts it. A calm run of the whole site is the alert suite's job.
        JsonNode firing = stack.prometheus.query("ALERTS{alertstate=\"firing\",alertname=~\"Page.*\"}");
        assertEquals(0, firing.size(), "SLO alerts firing on a calm site: " + firing);
        System.out.println("[e2e] alerts firing meanwhile: " + stack.prometheus.query("ALERTS{alertstate=\"firing\"}"));
        System.out.printf("[e2e] rules: gateway %.1f requests/s, home page SLO errors %.3f, slow %.3f%n",
                value(stack, "sum(job:http_server_requests:rate1m{job=\"gateway-service\"})"),
                value(stack, "page:slo_errors:ratio_rate5m{page=\"home\"}"), value(stack, "page:slo_slow:ratio_rate5m{page=\"home\"}"));
        // The surge forecast (forecast.yml): a CPU headroom for each of the four services, from its allowance (here
        // no quota: the processors the JVM sees) over its use, and the first bottleneck among them.
        await().atMost(SCRAPED).until(() -> stack.prometheus.query("job_resource:headroom:factor{resource=\"cpu\"}").size() == 4);
        for (JsonNode headroom : stack.prometheus.query("job_resource:headroom:factor{resource=\"cpu\"}")) {
            String job = headroom.path("metric").path("job").asText();
            double allowance = value(stack, "sum(app_cpu_allowance_cores{job=\"" + job + "\"})");
            assertEquals(Runtime.getRuntime().availableProcessors(), allowance, 1e-9, job + ": its allowance, without a quota");
            assertTrue(headroom.path("value").get(1).asDouble() > 1, job + " is far from full on a calm site: " + headroom);
        }
        assertEquals(1, stack.prometheus.query("site:first_bottleneck:headroom_factor").size(), "one first bottleneck");
        System.out.println("[e2e] forecast: " + stack.prometheus.query("sort(job_resource:headroom:factor)"));
    }

    private static double value(E2eStack stack, String query) {
        Double value = stack.prometheus.scalar(query);
        return value == null ? 0 : value;
    }

    /** Waits until Prometheus shows the expected value, then checks it stays there after the next scrape. */
    private static void awaitValue(E2eStack stack, String query, double expected) {
        await().atMost(SCRAPED).until(() -> value(stack, query) >= expected);
        double reached = stack.prometheus.lastScrapeOfAll(Platform.SERVICES);
        await().atMost(SCRAPED).until(() -> stack.prometheus.lastScrapeOfAll(Platform.SERVICES) > reached);
        assertEquals(expected, value(stack, query), query);
        System.out.printf("[e2e] PromQL %s = %s%n", query, value(stack, query));
    }

    private static void awaitStable(E2eStack stack, String query) {
        double[] last = { -1 };
        await().atMost(SCRAPED).pollInterval(Duration.ofMillis(1_200)).until(() -> {
            double now = value(stack, query);
            boolean stable = now == last[0];
            last[0] = now;
            return stable;
        });
    }
}
