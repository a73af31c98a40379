package org.acme.conventions;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;

/**
 * A client span for a REST call whose request never went out. The REST client's own span starts when the
 * request is written on a connection, so a refused or timed-out connection, or a pooled connection found
 * closed before the request was written (the peer just died), left no span for the hop that failed, only
 * the caller's red server span: the trace would not lead to it. {@link Downstream} makes this one,
 * {@code connect <dependency>}, when {@link CallSpans} saw no client span start for the call. It covers the
 * attempt (from the call to the failure), carries the peer's address from the REST client's configured URL,
 * the failure as its exception event, and an error status.
 * <p>
 * Workaround, with {@link CallSpans}: the REST client's span starts when the request is written (Quarkus
 * 3.33.2). Delete both when a refused connection leaves a client span of the REST client's own
 * ({@code DependencyDownTest} shows the span this one stands in for). Switched on by
 * {@code conventions.unreachable-peer-spans.enabled=true}.
 */
final class UnreachablePeerSpans {

    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private UnreachablePeerSpans() {
    }

    static void record(String dependency, Context parent, long startEpochNanos, Throwable failure, String detail) {
        ArcContainer container = Arc.container();
        if (container == null) { // plain unit tests: no tracer
            return;
        }
        InstanceHandle<Tracer> tracer = container.instance(Tracer.class);
        if (!tracer.isAvailable() || !container.instance(CallSpans.class).isAvailable()) { // not switched on
            return;
        }
        Span span = tracer.get().spanBuilder("connect " + dependency).setSpanKind(SpanKind.CLIENT).setParent(parent)
                .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS).startSpan();
        peerUrl(dependency).ifPresent(url -> {
            span.setAttribute(SERVER_ADDRESS, url.getHost());
            if (url.getPort() > 0) {
                span.setAttribute(SERVER_PORT, (long) url.getPort());
            }
        });
        Throwable root = Downstream.rootCause(failure);
        span.setAttribute(ERROR_TYPE, root.getClass().getName());
        span.recordException(root);
        span.setStatus(StatusCode.ERROR, detail);
        span.end();
    }

    /** The REST client's URL for the dependency: its config key is the dependency's name. */
    private static Optional<URI> peerUrl(String dependency) {
        try {
            return ConfigProvider.getConfig().getOptionalValue("quarkus.rest-client." + dependency + ".url", String.class)
                    .map(URI::create);
        } catch (IllegalArgumentException notAUri) {
            return Optional.empty();
        }
    }
}
