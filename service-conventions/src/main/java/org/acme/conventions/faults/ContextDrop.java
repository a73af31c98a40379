package org.acme.conventions.faults;

import io.opentelemetry.context.Context;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;

/**
 * The "broken context" switch, {@code drop-context:<dependency>}: while it is on, calls to that
 * dependency are made without the request's trace context, as behind an async boundary (a thread
 * pool, a queue) that forgot to carry it. The client span then starts a trace of its own, and the
 * dependency's spans land there: one request, two traces. Applied where every downstream call is
 * made ({@code Downstream}, REST and gRPC alike).
 */
public final class ContextDrop {

    static final String KIND = "drop-context";

    private ContextDrop() {
    }

    /** The trace context a call to {@code dependency} carries: the current one, or none while the switch is on. */
    public static Context forCallTo(String dependency) {
        Context current = Context.current();
        ArcContainer container = Arc.container();
        if (container == null) { // plain unit tests: no switches
            return current;
        }
        InstanceHandle<FaultSwitches> faults = container.instance(FaultSwitches.class);
        return faults.isAvailable() && faults.get().touching(KIND, dependency) != null ? Context.root() : current;
    }
}
