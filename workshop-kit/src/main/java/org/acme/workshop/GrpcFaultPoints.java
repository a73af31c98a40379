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

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The {@code latency} and {@code error} switches of each gRPC method this service serves, named like its server
 * span ({@code videosite.video.v1.VideoCatalogService/ListVideos}). An error closes the call with INTERNAL before
 * the method runs; a latency holds the request back that long (on a worker thread by waiting, on an event loop
 * with a timer), inside the server span. Switched on with {@code workshop.faults.grpc.enabled=true} beside
 * {@code workshop.faults.enabled=true} in every service that has Quarkus' gRPC extension (a gRPC client alone
 * included): that extension refuses, at build time, a global interceptor it finds switched off.
 */
@GlobalInterceptor
@ApplicationScoped
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
@IfBuildProperty(name = "workshop.faults.grpc.enabled", stringValue = "true")
public class GrpcFaultPoints implements ServerInterceptor, Prioritized {

    @Inject
    FaultSwitches faults;

    @Inject
    @Any
    Instance<BindableService> services;

    void offerMethods(@Observes StartupEvent event) {
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
        String point = call.getMethodDescriptor().getFullMethodName();
        Fault slow = faults.touching(FaultSwitches.LATENCY, point);
        if (faults.strikes(FaultSwitches.ERROR, point)) {
            call.close(Status.INTERNAL.withDescription(InjectedFault.at(point).detail()), new Metadata());
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

        private void release(Runnable step) {
            long waitNanos = releaseAtNanos - System.nanoTime();
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
                    steps.forEach(Runnable::run);
                }));
            }
        }
    }
}
