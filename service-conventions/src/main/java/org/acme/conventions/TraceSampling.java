package org.acme.conventions;

import java.util.List;

import jakarta.inject.Singleton;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Every trace is kept whole (parent-based, always on: the workshop needs every trace), without the one span
 * nobody reads: the JDBC instrumentation's {@value #CONNECTION_SPAN}, an INTERNAL span for each connection
 * taken from the pool, beside the span of the statement that follows it. It is one of the eight spans of a
 * home page and carries nothing the statement's span and {@code app_db_query_seconds} do not show; not
 * recording it saves what a span costs to build, process and export (docs/BENCHMARKS.md).
 * <p>
 * Quarkus uses a CDI bean of type {@link Sampler} in place of {@code quarkus.otel.traces.sampler}, and still
 * applies {@code quarkus.otel.traces.suppress-*} around it.
 */
@Singleton
public class TraceSampling implements Sampler {

    static final String CONNECTION_SPAN = "DataSource.getConnection";

    private final Sampler everyTrace = Sampler.parentBased(Sampler.alwaysOn());

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (spanKind == SpanKind.INTERNAL && CONNECTION_SPAN.equals(name)) {
            return SamplingResult.drop();
        }
        return everyTrace.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "TraceSampling{" + everyTrace.getDescription() + " without " + CONNECTION_SPAN + "}";
    }
}
