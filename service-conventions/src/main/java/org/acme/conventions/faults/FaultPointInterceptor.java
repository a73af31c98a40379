package org.acme.conventions.faults;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/** Applies the fault switches of a {@link FaultPoint} method before it runs, inside its span. */
@FaultPoint
@Interceptor
// After the platform's interceptors (the span, the timer, the transaction), so the fault happens inside them.
@Priority(Interceptor.Priority.APPLICATION)
public class FaultPointInterceptor {

    @Inject
    FaultSwitches faults;

    @AroundInvoke
    Object apply(InvocationContext invocation) throws Exception {
        FaultPoint point = invocation.getMethod().getAnnotation(FaultPoint.class);
        if (point != null) { // a fault point is a method; the annotation on a class names nothing
            faults.at(point.value());
        }
        return invocation.proceed();
    }
}
