package org.acme.conventions;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Singleton;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Tells whether a downstream call got a client span of its own. {@link Downstream} makes each call under a
 * trace context that carries a flag; when the REST client's instrumentation starts its client span under
 * that context, this processor (Quarkus adds every {@link SpanProcessor} bean to the tracer) raises the
 * flag. A call that failed with the flag down never sent its request (connection refused, timed out, or a
 * pooled connection found closed before the request was written), so the trace holds no span of the hop
 * that failed unless {@link UnreachablePeerSpans} makes one; a call with the flag up already has one.
 */
@IfBuildProperty(name = Conventions.UNREACHABLE_PEER_SPANS, stringValue = "true")
@Singleton
public class CallSpans implements SpanProcessor {

    private static final ContextKey<AtomicBoolean> CLIENT_SPAN_STARTED = ContextKey.named("org.acme.call.client-span-started");

    /** {@code context}, carrying {@code started}: raised when a client span starts under it. */
    static Context watching(Context context, AtomicBoolean started) {
        return context.with(CLIENT_SPAN_STARTED, started);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        if (span.getKind() == SpanKind.CLIENT) {
            AtomicBoolean started = parentContext.get(CLIENT_SPAN_STARTED);
            if (started != null) {
                started.set(true);
            }
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
