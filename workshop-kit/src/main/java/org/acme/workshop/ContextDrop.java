package org.acme.workshop;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.OutgoingTraceContext;

import io.opentelemetry.context.Context;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The "broken context" switch, {@code drop-context:<dependency>}: while it is on, calls to that
 * dependency are made without the request's trace context, as behind an async boundary (a thread
 * pool, a queue) that forgot to carry it. The client span then starts a trace of its own, and the
 * dependency's spans land there: one request, two traces. service-conventions asks this bean, as its
 * {@link OutgoingTraceContext}, where every downstream call is made (REST and gRPC alike).
 */
// Unremovable: nothing injects it; service-conventions looks it up by its type.
@Unremovable
@ApplicationScoped
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class ContextDrop implements OutgoingTraceContext {

    static final String KIND = "drop-context";

    @Inject
    FaultSwitches faults;

    @Override
    public Context forCallTo(String dependency, Context current) {
        return faults.touching(KIND, dependency) != null ? Context.root() : current;
    }
}
