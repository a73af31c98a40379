package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.acme.e2e.OtlpReceiver.ReceivedLog;
import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

@Order(1)
@ExtendWith(PlatformExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignatureTraceIT {

    private static final String HOME_FEED = "videosite.recommend.v1.HomeFeedService/GetHomeFeed";
    private static final String GET_VIDEOS = "videosite.video.v1.VideoCatalogService/GetVideos";
    private static final String LIST_VIDEOS = "videosite.video.v1.VideoCatalogService/ListVideos";
    private static final Set<String> SERVICES = Set.copyOf(Platform.SERVICES);

    private String traceId;
    private SpanTree trace;

    @BeforeAll
    void requestTheHomePage(E2eStack stack) {
        HttpResponse<String> response = Http.get(stack.gateway() + "/api/home?userId=7");
        assertEquals(200, response.statusCode(), response.body());
        traceId = Http.traceId(response);
        trace = new SpanTree(awaitCompleteTrace(stack, traceId));
        System.out.println("[e2e] signature trace " + traceId + ":\n" + trace.render());
    }

    /** Polls until every expected server span arrived and no new span came for two export intervals. */
    static List<ReceivedSpan> awaitCompleteTrace(E2eStack stack, String traceId) {
        AtomicInteger lastCount = new AtomicInteger(-1);
        AtomicInteger stableRounds = new AtomicInteger();
        // Complete: every span's parent is there (the gateway's root span comes in the gateway's own batch, which
        // may reach the receiver seconds after the others on a busy machine), and nothing more came for 2 s.
        try {
            return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<ReceivedSpan> spans = stack.receiver.spansOf(traceId);
                long servers = spans.stream().filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).count();
                stableRounds.set(spans.size() == lastCount.getAndSet(spans.size()) ? stableRounds.get() + 1 : 0);
                boolean whole = new SpanTree(spans).orphans().isEmpty();
                return servers >= 6 && whole && stableRounds.get() >= 4 ? spans : null;
            }, spans -> spans != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // What did arrive, to tell a hole (a span never exported) from a slow export.
            throw new AssertionError("trace " + traceId + " not whole within 20 s; received:\n"
                    + new SpanTree(stack.receiver.spansOf(traceId)).render(), e);
        }
    }

    @Test
    void the_trace_id_is_the_one_the_gateway_returned_and_spans_form_one_tree() {
        assertTrue(trace.spans().stream().allMatch(s -> s.traceId().equals(traceId)));
        assertEquals(List.of(), trace.orphans(), "every parent is present");
        List<ReceivedSpan> roots = trace.roots();
        assertEquals(1, roots.size(), "one root:\n" + trace.render());
        assertEquals("gateway-service", roots.get(0).service());
        assertEquals("GET /api/home", roots.get(0).span().getName());
        assertEquals(SpanKind.SPAN_KIND_SERVER, roots.get(0).span().getKind());
    }

    @Test
    void every_service_is_in_the_trace_and_every_span_is_named() {
        assertEquals(SERVICES, trace.spans().stream().map(ReceivedSpan::service).collect(Collectors.toSet()));
        assertTrue(trace.spans().stream().noneMatch(s -> s.span().getName().isBlank()), trace.render());
        assertTrue(trace.spans().stream().noneMatch(s -> s.span().getName().equals("POST")), "no bare POST spans");
    }

    @Test
    void each_hop_is_a_client_span_with_exactly_one_server_span_under_it() {
        ReceivedSpan gateway = trace.roots().get(0);

        ReceivedSpan userProfile = serverUnder("user-service", "GET /users/{id}", gateway, "gateway-service");
        assertEquals("GET", userProfile.attribute("http.request.method"));
        assertEquals("/users/{id}", userProfile.attribute("http.route"));
        assertEquals("200", userProfile.attribute("http.response.status_code"));

        ReceivedSpan recommend = serverUnder("recommend-service", HOME_FEED, gateway, "gateway-service");
        assertEquals("grpc", recommend.attribute("rpc.system"));
        assertEquals("videosite.recommend.v1.HomeFeedService", recommend.attribute("rpc.service"));
        assertEquals("GetHomeFeed", recommend.attribute("rpc.method"));
        assertEquals("0", recommend.attribute("rpc.grpc.status_code"));
        assertEquals("7", recommend.attribute("app.user.id"));
        assertEquals("false", recommend.attribute("app.cache.hit"));

        ReceivedSpan history = serverUnder("user-service", "GET /users/{id}/history", recommend, "recommend-service");
        assertEquals("/users/{id}/history", history.attribute("http.route"));
        serverUnder("video-service", GET_VIDEOS, recommend, "recommend-service");
        // Two listings, made at the same time as other calls: the newest overall and the newest of the favourites.
        List<ReceivedSpan> listings = trace.find("video-service", SpanKind.SPAN_KIND_SERVER, LIST_VIDEOS);
        assertEquals(2, listings.size(), "two " + LIST_VIDEOS + " in video-service:\n" + trace.render());
        for (ReceivedSpan listing : listings) {
            ReceivedSpan client = trace.parent(listing).orElseThrow();
            assertEquals(SpanKind.SPAN_KIND_CLIENT, client.span().getKind());
            assertEquals(recommend.spanId(), trace.enclosingServer(client).orElseThrow().spanId());
        }

        assertEquals("7", gateway.attribute("app.user.id"));
        assertEquals("12", gateway.attribute("app.feed.size"));
        assertEquals("200", gateway.attribute("http.response.status_code"));
    }

    /** The one SERVER span of {@code service} named {@code name}, whose CLIENT parent sits in {@code caller}'s request. */
    private ReceivedSpan serverUnder(String service, String name, ReceivedSpan callerRequest, String caller) {
        List<ReceivedSpan> servers = trace.find(service, SpanKind.SPAN_KIND_SERVER, name);
        assertEquals(1, servers.size(), "exactly one " + name + " in " + service + ":\n" + trace.render());
        ReceivedSpan server = servers.get(0);
        ReceivedSpan client = trace.parent(server).orElseThrow();
        assertEquals(SpanKind.SPAN_KIND_CLIENT, client.span().getKind(), name + " is called by a client span");
        assertEquals(caller, client.service());
        assertEquals(callerRequest.spanId(), trace.enclosingServer(client).orElseThrow().spanId());
        assertEquals(1, trace.children(client).size(), "no duplicated server span under " + client.span().getName());
        String protocol = client.attribute("rpc.system") != null ? "rpc" : "http";
        if (protocol.equals("http")) {
            assertEquals("GET", client.attribute("http.request.method"));
            assertNotNull(client.attribute("url.full"));
            assertEquals("200", client.attribute("http.response.status_code"));
        } else {
            assertEquals(name, client.span().getName());
            assertEquals("0", client.attribute("rpc.grpc.status_code"));
        }
        return server;
    }

    @Test
    void database_client_spans_sit_under_the_services_that_own_the_data() {
        for (String owner : List.of("user-service", "video-service")) {
            List<ReceivedSpan> db = trace.spans().stream()
                    .filter(s -> s.service().equals(owner) && s.span().getKind() == SpanKind.SPAN_KIND_CLIENT
                            && dbSystem(s) != null)
                    .toList();
            assertFalse(db.isEmpty(), "JDBC spans in " + owner + ":\n" + trace.render());
            for (ReceivedSpan span : db) {
                assertEquals("h2", dbSystem(span));
                assertEquals(owner, trace.enclosingServer(span).orElseThrow().service());
            }
        }
    }

    private static String dbSystem(ReceivedSpan span) {
        return span.attribute("db.system.name") != null ? span.attribute("db.system.name") : span.attribute("db.system");
    }

    @Test
    void each_service_on_the_path_logged_json_lines_with_the_trace_id(E2eStack stack) {
        ObjectMapper json = new ObjectMapper();
        for (ServiceProcess service : stack.platform.services()) {
            long lines = service.lines().stream()
                    .filter(line -> line.startsWith("{"))
                    .map(line -> {
                        try {
                            return json.readTree(line);
                        } catch (Exception e) {
                            throw new AssertionError(service.name() + " wrote a line that is not JSON: " + line, e);
                        }
                    })
                    .filter(line -> traceId.equals(line.path("mdc").path("traceId").asText()))
                    .filter(line -> line.path("mdc").path("spanId").asText().length() == 16)
                    .count();
            assertTrue(lines > 0, service.name() + " logged nothing with trace " + traceId);
        }
    }

    @Test
    void the_exported_log_records_carry_the_trace_and_span_ids(E2eStack stack) {
        Set<String> spanIds = trace.spans().stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        List<ReceivedLog> records = await().atMost(Duration.ofSeconds(10)).until(() -> stack.receiver.logsOf(traceId),
                logs -> logs.stream().map(ReceivedLog::service).collect(Collectors.toSet()).equals(SERVICES));
        for (ReceivedLog record : records) {
            assertTrue(spanIds.contains(record.spanId()),
                    record.service() + " logged '" + record.record().getBody().getStringValue() + "' in span "
                            + record.spanId() + ", which is not in the trace");
        }
    }
}
