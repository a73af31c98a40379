package org.acme.workshop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;

import org.acme.conventions.FailureLog;
import org.jboss.logging.Logger;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@code latency} and {@code error} switches of each gRPC method this service serves, named like its server
 * span ({@code videosite.video.v1.VideoCatalogService/ListVideos}). An error fails the call with INTERNAL before
 * the method runs (the exception on the server span, a WARN line); a latency holds the request back that long
 * (on a worker thread by waiting, on an event loop with a timer), inside the server span.
 * <p>
 * A service with Quarkus' gRPC extension (a gRPC client alone included) sets {@code workshop.faults.grpc.enabled=true}
 * whether the kit is switched on or not: that extension finds global interceptors by their annotation and, at
 * startup, refuses one whose bean is switched off. So this bean depends on that property alone, and lets every
 * call through untouched while {@code workshop.faults.enabled} is off. A service without the extension leaves it
 * unset, and this class, which needs gRPC's classes, is never loaded.
 */
@GlobalInterceptor
@ApplicationScoped
@IfBuildProperty(name = GrpcFaultPoints.GRPC_EXTENSION, stringValue = "true")
public class GrpcFaultPoints implements ServerInterceptor, Prioritized {

    static final String GRPC_EXTENSION = "workshop.faults.grpc.enabled";
    private static final Logger LOG = Logger.getLogger(GrpcFaultPoints.class);
    private static final FailureLog FAILURES = FailureLog.of(LOG);

    /** Unresolvable while the kit is switched off: then every call goes through as it came. */
    @Inject
    Instance<FaultSwitches> switches;

    private volatile FaultSwitches faults;

    @Inject
    @Any
    Instance<BindableService> services;

    void offerMethods(@Observes StartupEvent event) {
        if (!switches.isResolvable()) {
            return;
        }
        faults = switches.get();
        for (BindableService service : services) {
            for (ServerMethodDefinition<?, ?> method : service.bindService().getMethods()) {
                String name = method.getMethodDescriptor().getFullMethodName();
                if (!name.startsWith("grpc.")) { // the server's own health and reflection services
                    faults.offerPoint(name);
                }
            }
        }
    }

    /** Below the tracing interceptor's: called after it, so inside the server span. */
    @Override
    public int getPriority() {
        return -100;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        FaultSwitches faults = this.faults;
        if (faults == null) {
            return next.startCall(call, headers);
        }
        String point = call.getMethodDescriptor().getFullMethodName();
        Fault slow = faults.touching(FaultSwitches.LATENCY, point);
        if (faults.strikes(FaultSwitches.ERROR, point)) {
            InjectedFault failure = InjectedFault.at(point);
            Span.current().recordException(failure);
            FAILURES.warn("INTERNAL: " + failure.detail());
            call.close(Status.INTERNAL.withDescription(failure.detail()).withCause(failure), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
        return slow == null ? listener : new Delayed<>(listener, slow.latency());
    }

    /** Passes the request's message and half-close on once {@code latency} has passed since the call came in. */
    private static final class Delayed<ReqT> extends SimpleForwardingServerCallListener<ReqT> {

        private final long releaseAtNanos;
        private List<Runnable> held; // while a timer runs on the event loop; then null again
        private boolean cancelled; // the caller gave up: what is held is dropped, not delivered late

        Delayed(ServerCall.Listener<ReqT> delegate, Duration latency) {
            super(delegate);
            this.releaseAtNanos = System.nanoTime() + latency.toNanos();
        }

        @Override
        public void onMessage(ReqT message) {
            release(() -> super.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            release(super::onHalfClose);
        }

        @Override
        public void onCancel() {
            cancelled = true;
            held = null;
            super.onCancel();
        }

        private void release(Runnable step) {
            long waitNanos = releaseAtNanos - System.nanoTime();
            if (cancelled) {
                return;
            }
            if (held != null) {
                held.add(step);
            } else if (waitNanos <= 0) {
                step.run();
            } else if (!Context.isOnEventLoopThread()) {
                try {
                    Thread.sleep(Duration.ofNanos(waitNanos).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                step.run();
            } else {
                Context context = Vertx.currentContext();
                held = new ArrayList<>(List.of(step));
                context.owner().setTimer(Math.max(1, Duration.ofNanos(waitNanos).toMillis()), id -> context.runOnContext(ignored -> {
                    List<Runnable> steps = held;
                    held = null;
                    if (steps != null && !cancelled) {
                        steps.forEach(Runnable::run);
                    }
                }));
            }
        }
    }
}
