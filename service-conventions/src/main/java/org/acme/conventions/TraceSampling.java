package org.acme.conventions;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The sampler this service is configured with ({@code quarkus.otel.traces.sampler} and its {@code .arg}), without
 * the one span nobody reads: the JDBC instrumentation's {@value #CONNECTION_SPAN}, an INTERNAL span for each
 * connection taken from the pool, beside the span of the statement that follows it. It is one of the eight spans
 * of a home page and carries nothing the statement's span and {@code app_db_query_seconds} do not show; not
 * recording it saves what a span costs to build, process and export (docs/BENCHMARKS.md).
 * <p>
 * Quarkus uses a CDI bean of type {@link Sampler} in place of the one {@code quarkus.otel.traces.sampler} names
 * (and still applies {@code quarkus.otel.traces.suppress-*} around it), so this bean builds the configured one
 * itself and asks it about every other span: a service's sampling setting is honoured. Switched on by
 * {@code conventions.drop-connection-spans.enabled=true}.
 */
@IfBuildProperty(name = Conventions.DROP_CONNECTION_SPANS, stringValue = "true")
@Singleton
public class TraceSampling implements Sampler {

    static final String CONNECTION_SPAN = "DataSource.getConnection";

    private final Sampler configured;

    @Inject
    TraceSampling(@ConfigProperty(name = "quarkus.otel.traces.sampler", defaultValue = "parentbased_always_on") String sampler,
            @ConfigProperty(name = "quarkus.otel.traces.sampler.arg", defaultValue = "1.0") double ratio) {
        this.configured = configured(sampler, ratio);
    }

    /** The sampler OpenTelemetry's SDK would build for {@code otel.traces.sampler} = {@code name}. */
    static Sampler configured(String name, double ratio) {
        return switch (name) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
            case "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
            default -> throw new IllegalStateException("quarkus.otel.traces.sampler=" + name + " cannot be combined with "
                    + Conventions.DROP_CONNECTION_SPANS + "; set one of them differently");
        };
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (spanKind == SpanKind.INTERNAL && CONNECTION_SPAN.equals(name)) {
            return SamplingResult.drop();
        }
        return configured.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "TraceSampling{" + configured.getDescription() + " without " + CONNECTION_SPAN + "}";
    }
}
