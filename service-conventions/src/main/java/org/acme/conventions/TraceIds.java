package org.acme.conventions;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.quarkus.arc.properties.IfBuildProperty;

/** Puts the trace id on every response, success or failure, so no answer is a dead end. */
@IfBuildProperty(name = Conventions.ERROR_CONTRACT, stringValue = "true")
public class TraceIds {

    /** The response header that carries the trace id. */
    public static final String HEADER = "X-Trace-Id";

    public static String current() {
        SpanContext context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    @ServerResponseFilter
    public void addTraceId(ContainerRequestContext request, ContainerResponseContext response) {
        String traceId = current();
        if (traceId != null) {
            response.getHeaders().putSingle(HEADER, traceId);
        }
    }
}
