package org.acme.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedServiceGrpc.HomeFeedServiceBlockingStub;
import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HomeFeedTracingTest {

    @GrpcClient("home-feed")
    HomeFeedServiceBlockingStub homeFeed;

    @Inject
    InMemorySpanExporter spans;

    @Test
    void a_computed_feed_carries_one_trace_across_the_rest_hop_and_the_grpc_hop() {
        long userId = 31;
        homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build());

        SpanData feedServer = awaitSpan(s -> s.getKind() == SpanKind.SERVER
                && s.getName().equals("videosite.recommend.v1.HomeFeedService/GetHomeFeed")
                && Long.valueOf(userId).equals(s.getAttributes().get(AttributeKey.longKey("app.user.id"))));
        String traceId = feedServer.getTraceId();
        assertEquals(Boolean.FALSE, feedServer.getAttributes().get(AttributeKey.booleanKey("app.cache.hit")));
        assertEquals(12L, feedServer.getAttributes().get(AttributeKey.longKey("app.feed.size")));

        SpanData compute = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getName().equals("Recommendations.compute"));
        assertEquals(feedServer.getSpanId(), compute.getParentSpanId());

        // REST hop: recommend-service's client span is the parent of user-service's server span.
        SpanData restClient = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && "GET".equals(s.getAttributes().get(AttributeKey.stringKey("http.request.method"))));
        assertEquals(compute.getSpanId(), restClient.getParentSpanId());
        SpanData restServer = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /users/{id}/history"));
        assertEquals(restClient.getSpanId(), restServer.getParentSpanId());
        assertEquals(200L, restClient.getAttributes().get(AttributeKey.longKey("http.response.status_code")));

        // gRPC hop: the same for video-service's catalog, once per call.
        for (String method : List.of("GetVideos", "ListVideos")) {
            String name = "videosite.video.v1.VideoCatalogService/" + method;
            SpanData grpcClient = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                    && s.getName().equals(name));
            assertEquals(compute.getSpanId(), grpcClient.getParentSpanId());
            assertEquals("grpc", grpcClient.getAttributes().get(AttributeKey.stringKey("rpc.system")));
            SpanData grpcServer = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                    && s.getName().equals(name));
            assertEquals(grpcClient.getSpanId(), grpcServer.getParentSpanId());
        }

        List<SpanData> trace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
        assertTrue(trace.stream().noneMatch(s -> s.getName().equals("POST")), "no bare POST spans: " + names(trace));
    }

    @Test
    void a_cached_feed_makes_no_downstream_calls() {
        long userId = 32;
        homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build());
        homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build());

        SpanData hit = awaitSpan(s -> s.getKind() == SpanKind.SERVER
                && Long.valueOf(userId).equals(s.getAttributes().get(AttributeKey.longKey("app.user.id")))
                && Boolean.TRUE.equals(s.getAttributes().get(AttributeKey.booleanKey("app.cache.hit"))));
        // The test client's own span is the root: everything under the server span is the cache's doing.
        List<SpanData> children = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getParentSpanId().equals(hit.getSpanId())).toList();
        assertEquals(List.of(), names(children));
    }

    @Test
    void a_failed_grpc_call_is_a_red_client_span_whatever_the_status() {
        // An UNAVAILABLE answered by video-service, and a DEADLINE_EXCEEDED of recommend-service's own deadline:
        // neither status carries a Java cause on this side, and both are failures of the call.
        for (long userId : new long[] { UserServiceStandIn.WATCHED_A_BROKEN_VIDEO, UserServiceStandIn.WATCHED_A_SLOW_VIDEO }) {
            StatusRuntimeException answer = assertThrows(StatusRuntimeException.class,
                    () -> homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build()));
            String traceId = awaitSpan(s -> s.getName().equals("Recommendations.compute")
                    && Long.valueOf(userId).equals(s.getAttributes().get(AttributeKey.longKey("app.user.id")))).getTraceId();
            SpanData failedCall = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                    && s.getName().startsWith("videosite.video.v1.VideoCatalogService/")
                    && !Long.valueOf(0).equals(s.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))));
            assertEquals(StatusCode.ERROR, failedCall.getStatus().getStatusCode(), answer.getStatus() + ": " + failedCall);
            assertTrue(failedCall.getEvents().stream().anyMatch(e -> e.getName().equals("exception")),
                    "the status is the span's exception event: " + failedCall.getEvents());
        }
    }

    private SpanData awaitSpan(Predicate<SpanData> match) {
        return InMemorySpans.awaitSpan(spans, match);
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).toList();
    }
}
