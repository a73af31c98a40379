package org.acme.workshop;

import java.lang.reflect.Method;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.micrometer.core.annotation.Timed;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The {@code latency} and {@code error} switches of each operation a service times ({@code @Timed}) inside a
 * span of its own ({@code @WithSpan("db.find_video")}), reached by that span's name: a database query, as the
 * learner sees it in Jaeger. The business class carries only its own telemetry annotations; this interceptor
 * binds to {@code @Timed} (Quarkus makes it an interceptor binding whose members do not bind) and runs after
 * the span, the timer and the transaction have started, so the added time and the failure show in all three.
 */
@Timed
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class TimedFaultPoints {

    @Inject
    FaultSwitches faults;

    @AroundInvoke
    Object apply(InvocationContext invocation) throws Exception {
        String point = pointOf(invocation.getMethod());
        if (point != null) {
            faults.at(point);
        }
        return invocation.proceed();
    }

    /** The fault point a method is, by the name of the span it runs in; null if it is none. */
    static String pointOf(Method method) {
        WithSpan span = method.getAnnotation(WithSpan.class);
        return span != null && !span.value().isBlank() && method.isAnnotationPresent(Timed.class) ? span.value() : null;
    }
}
