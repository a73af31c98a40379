package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class GatewayTracingTest {

    @Inject
    InMemorySpanExporter spans;

    @Test
    void the_home_request_is_one_trace_across_the_rest_hop_and_the_grpc_hop() {
        String traceId = given().when().get("/api/home?userId=21").then().statusCode(200).extract().header("X-Trace-Id");

        SpanData gateway = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /api/home"));
        assertEquals(21L, gateway.getAttributes().get(AttributeKey.longKey("app.user.id")));
        assertEquals(2L, gateway.getAttributes().get(AttributeKey.longKey("app.feed.size")));

        // REST hop to user-service: the gateway's client span is the parent of the server span.
        SpanData restClient = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && "GET".equals(s.getAttributes().get(AttributeKey.stringKey("http.request.method"))));
        assertEquals(gateway.getSpanId(), restClient.getParentSpanId());
        SpanData userServer = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /users/{id}"));
        assertEquals(restClient.getSpanId(), userServer.getParentSpanId());

        // gRPC hop to recommend-service: the same relation over gRPC metadata.
        String rpc = "videosite.recommend.v1.HomeFeedService/GetHomeFeed";
        SpanData grpcClient = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && s.getName().equals(rpc));
        assertEquals(gateway.getSpanId(), grpcClient.getParentSpanId());
        assertEquals("grpc", grpcClient.getAttributes().get(AttributeKey.stringKey("rpc.system")));
        SpanData grpcServer = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals(rpc));
        assertEquals(grpcClient.getSpanId(), grpcServer.getParentSpanId());
    }

    @Test
    void the_profile_and_the_feed_are_fetched_at_the_same_time() {
        // Both stand-ins take 300 ms for this user: made one after the other, the two calls could not overlap.
        String traceId = given().when().get("/api/home?userId=" + UserServiceStandIn.SLOW_USER)
                .then().statusCode(200).extract().header("X-Trace-Id");

        SpanData gateway = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /api/home"));
        SpanData profile = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && "GET".equals(s.getAttributes().get(AttributeKey.stringKey("http.request.method"))));
        SpanData feed = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && s.getName().endsWith("/GetHomeFeed"));
        assertEquals(gateway.getSpanId(), profile.getParentSpanId());
        assertEquals(gateway.getSpanId(), feed.getParentSpanId());
        assertTrue(profile.getStartEpochNanos() < feed.getEndEpochNanos() && feed.getStartEpochNanos() < profile.getEndEpochNanos(),
                "the two hops overlap in time: profile " + profile.getStartEpochNanos() + ".." + profile.getEndEpochNanos()
                        + ", feed " + feed.getStartEpochNanos() + ".." + feed.getEndEpochNanos());
    }

    @Test
    void a_failed_hop_is_an_error_span_in_the_trace_the_problem_names() {
        String traceId = given().when().get("/api/home?userId=" + RecommendServiceStandIn.FEED_FAILS)
                .then().statusCode(502).extract().path("traceId");

        SpanData grpcClient = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT
                && s.getName().endsWith("/GetHomeFeed"));
        // Quarkus leaves a client span's status unset for a status the server sent; the code is recorded.
        assertEquals(14L, grpcClient.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")), "UNAVAILABLE");
        SpanData gateway = awaitSpan(s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER
                && s.getName().equals("GET /api/home"));
        assertEquals(io.opentelemetry.api.trace.StatusCode.ERROR, gateway.getStatus().getStatusCode());
        assertEquals(502L, gateway.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals("exception", gateway.getEvents().get(0).getName(), "the failure is recorded on the gateway's span");
    }

    private SpanData awaitSpan(Predicate<SpanData> match) {
        return InMemorySpans.awaitSpan(spans, match);
    }
}
