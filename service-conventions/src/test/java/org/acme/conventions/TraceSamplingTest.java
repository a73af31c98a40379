package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;

class TraceSamplingTest {

    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    final TraceSampling sampling = new TraceSampling("parentbased_always_on", 1.0);

    @Test
    void a_trace_is_recorded_from_its_root_on() {
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), "GET /api/home", SpanKind.SERVER));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampledParent(), "SELECT users.users", SpanKind.CLIENT));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(sampledParent(), "db.find_user", SpanKind.INTERNAL));
    }

    @Test
    void a_caller_that_did_not_sample_is_followed() {
        assertEquals(SamplingDecision.DROP, decide(remoteParent(TraceFlags.getDefault()), "GET /users/{id}", SpanKind.SERVER));
    }

    @Test
    void the_connection_span_is_not_recorded() {
        assertEquals(SamplingDecision.DROP, decide(sampledParent(), "DataSource.getConnection", SpanKind.INTERNAL));
    }

    @Test
    void a_configured_ratio_of_zero_records_no_span_at_all() {
        TraceSampling none = new TraceSampling("traceidratio", 0.0);
        assertEquals(SamplingDecision.DROP, decide(none, Context.root(), "GET /api/home", SpanKind.SERVER));
        assertEquals(SamplingDecision.DROP, decide(none, sampledParent(), "db.find_user", SpanKind.INTERNAL));
    }

    @Test
    void a_parent_based_ratio_follows_a_sampled_caller_and_still_drops_the_connection_span() {
        TraceSampling tenth = new TraceSampling("parentbased_traceidratio", 0.1);
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(tenth, sampledParent(), "GET /users/{id}", SpanKind.SERVER));
        assertEquals(SamplingDecision.DROP, decide(tenth, sampledParent(), "DataSource.getConnection", SpanKind.INTERNAL));
    }

    @Test
    void a_sampler_it_cannot_build_is_refused_at_start_not_ignored() {
        assertThrows(IllegalStateException.class, () -> new TraceSampling("jaeger_remote", 1.0));
    }

    private SamplingDecision decide(Context parent, String name, SpanKind kind) {
        return decide(sampling, parent, name, kind);
    }

    private static SamplingDecision decide(TraceSampling sampling, Context parent, String name, SpanKind kind) {
        return sampling.shouldSample(parent, TRACE, name, kind, Attributes.empty(), List.of()).getDecision();
    }

    private static Context sampledParent() {
        return remoteParent(TraceFlags.getSampled());
    }

    private static Context remoteParent(TraceFlags flags) {
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE, "b7ad6b7169203331", flags, TraceState.getDefault())));
    }
}
