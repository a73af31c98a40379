package org.acme.conventions.faults;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

/**
 * A named operation that the {@code latency} and {@code error} fault switches can reach: a database
 * query or a gRPC method. Name it like the span it runs in, so a learner can copy the name from
 * Jaeger into {@code scripts/fault}. Every REST endpoint is a fault point without this annotation
 * (named like its server span, {@code GET /users/{id}/history}).
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
public @interface FaultPoint {

    @Nonbinding
    String value() default "";
}
