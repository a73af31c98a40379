package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.instrumentation.api.instrumenter.SpanStatusBuilder;
import io.opentelemetry.instrumentation.api.instrumenter.SpanStatusExtractor;

/**
 * The upstream behaviour {@link GrpcClientSpanErrors} works around, at the place it is decided: Quarkus' gRPC
 * client instrumentation ends the span with {@code status.getCause()} as the error, and its status extractor makes
 * the span ERROR only when that error is not null. When the first test fails, a failed call is a failed span
 * without help and the workaround can go (docs/ARCHITECTURE.md, "Workarounds of upstream behaviour").
 */
class GrpcClientSpanErrorsTest {

    private static final String EXTRACTOR =
            "io.quarkus.opentelemetry.runtime.tracing.instrumentation.grpc.GrpcSpanStatusExtractor";

    /** The status Quarkus' extractor gives a span that closed with {@code status}, as its client listener calls it. */
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static StatusCode spanStatusFor(Status status) throws Exception {
        Constructor<?> constructor = Class.forName(EXTRACTOR).getDeclaredConstructor();
        constructor.setAccessible(true);
        SpanStatusExtractor extractor = (SpanStatusExtractor) constructor.newInstance();
        StatusCode[] set = new StatusCode[1];
        SpanStatusBuilder builder = new SpanStatusBuilder() {
            @Override
            public SpanStatusBuilder setStatus(StatusCode code, String description) {
                set[0] = code;
                return this;
            }
        };
        // GrpcTracingClientInterceptor.TracingClientCallListener.onClose: instrumenter.end(context, request, status, status.getCause())
        Method extract = Class.forName(EXTRACTOR).getMethod("extract", SpanStatusBuilder.class, Object.class, Object.class,
                Throwable.class);
        extract.setAccessible(true);
        extract.invoke(extractor, builder, null, status, status.getCause());
        return set[0];
    }

    @Test
    void upstream_a_status_answered_without_a_java_cause_leaves_the_client_span_unset() throws Exception {
        assertEquals(StatusCode.UNSET, spanStatusFor(Status.UNAVAILABLE.withDescription("peer gone")));
        assertEquals(StatusCode.UNSET, spanStatusFor(Status.DEADLINE_EXCEEDED));
    }

    @Test
    void with_the_workaround_the_same_status_makes_the_span_an_error() throws Exception {
        Status answered = Status.UNAVAILABLE.withDescription("peer gone");
        Status handedOn = GrpcClientSpanErrors.withCause(answered);
        assertEquals(StatusCode.ERROR, spanStatusFor(handedOn));
        assertEquals(answered.getCode(), handedOn.getCode());
        assertEquals(answered.getDescription(), handedOn.getDescription());
    }

    @Test
    void a_successful_call_stays_unset_and_an_existing_cause_is_kept() throws Exception {
        assertEquals(StatusCode.UNSET, spanStatusFor(GrpcClientSpanErrors.withCause(Status.OK)));
        IllegalStateException cause = new IllegalStateException("local");
        assertEquals(cause, GrpcClientSpanErrors.withCause(Status.INTERNAL.withCause(cause)).getCause());
        assertNull(Status.INTERNAL.getCause());
    }
}
