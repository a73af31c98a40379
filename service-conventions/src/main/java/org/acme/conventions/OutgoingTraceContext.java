package org.acme.conventions;

import io.opentelemetry.context.Context;

/**
 * Chooses the trace context a call to a dependency carries. {@link Downstream} and {@link GrpcDependency} ask
 * the bean of this type if the application has one; without one, a call carries the caller's context, as it
 * should. An extension point for tooling that breaks propagation on purpose (a workshop's context-drop
 * switch); a production service has no bean of this type.
 */
public interface OutgoingTraceContext {

    /** The context a call to {@code dependency} is made under, given the caller's {@code current} one. */
    Context forCallTo(String dependency, Context current);
}
