package org.acme.conventions;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.inject.spi.Prioritized;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.vertx.grpc.VertxServerBuilder;

/**
 * Bounds of a gRPC server, so that no client can exhaust it with calls or connections:
 * <ul>
 * <li>at most {@code conventions.grpc-server.max-calls-per-connection} calls in flight on one connection (HTTP/2's
 * {@code MAX_CONCURRENT_STREAMS}: a client beyond it waits for one of its calls to end);</li>
 * <li>at most {@code conventions.grpc-server.max-calls} calls in flight in all, counted from the moment a call
 * arrives, so that calls queued for a worker thread count too; one more is refused at once with
 * RESOURCE_EXHAUSTED;</li>
 * <li>a connection with no call for {@code conventions.grpc-server.max-connection-idle} is closed (HTTP/2
 * {@code GOAWAY}), like the public HTTP port's idle timeout.</li>
 * </ul>
 * A message over {@code quarkus.grpc.server.max-inbound-message-size} is refused unread by grpc-java
 * (RESOURCE_EXHAUSTED), which logs it at java.util.logging's WARNING, on the connection's thread, with no trace id
 * ({@code io.grpc.netty.NettyServerStream}; the shared settings set that category to ERROR). Here it is one WARN
 * line per kind of refusal and interval ({@link FailureLog}), carrying the trace id of the caller's
 * {@code traceparent}, the trace the refused call's spans belong to.
 * Quarkus 3.33's gRPC server settings have none of these (only keep-alive), hence a builder customizer and an
 * interceptor. A service with a gRPC server turns them on with one class of its own:
 * {@code @GlobalInterceptor @ApplicationScoped class GrpcServerLimits extends GrpcServerBounds {}} (Quarkus finds
 * global interceptors by their annotation, so the class is declared in the service). It applies to Quarkus'
 * separate gRPC server, the default ({@code quarkus.grpc.server.use-separate-server=true}).
 */
public abstract class GrpcServerBounds implements ServerBuilderCustomizer<VertxServerBuilder>, ServerInterceptor, Prioritized {

    /** Outside Quarkus' own server interceptors (its blocking handler is 2147483587): queued calls count. */
    static final int PRIORITY = 2_147_483_590;

    private static final Logger LOG = Logger.getLogger(GrpcServerBounds.class);
    private static final FailureLog FAILURES = FailureLog.of(LOG);

    @ConfigProperty(name = "conventions.grpc-server.max-calls-per-connection", defaultValue = "100")
    int maxCallsPerConnection;

    @ConfigProperty(name = "conventions.grpc-server.max-calls", defaultValue = "200")
    int maxCalls;

    @ConfigProperty(name = "conventions.grpc-server.max-connection-idle", defaultValue = "20s")
    Duration maxConnectionIdle;

    private Semaphore inFlight;

    @PostConstruct
    void init() {
        inFlight = new Semaphore(maxCalls);
    }

    @Override
    public void customize(GrpcServerConfiguration config, VertxServerBuilder builder) {
        builder.nettyBuilder()
                .maxConcurrentCallsPerConnection(maxCallsPerConnection)
                .maxConnectionIdle(maxConnectionIdle.toMillis(), TimeUnit.MILLISECONDS)
                .addStreamTracerFactory(new ServerStreamTracer.Factory() {
                    @Override
                    public ServerStreamTracer newServerStreamTracer(String method, Metadata headers) {
                        return new ServerStreamTracer() {
                            @Override
                            public void streamClosed(Status status) {
                                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && status.getDescription() != null
                                        && status.getDescription().startsWith("gRPC message exceeds maximum size")) {
                                    inTraceOf(headers, () -> FAILURES.warn("Refused a gRPC request to " + method + " unread: "
                                            + status.getDescription()));
                                }
                            }
                        };
                    }
                });
    }

    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

    /** Runs {@code log} with the trace of the caller's {@code traceparent} (W3C) current, for the log line's trace id. */
    static void inTraceOf(Metadata headers, Runnable log) {
        String[] parts = String.valueOf(headers.get(TRACEPARENT)).split("-");
        SpanContext caller = SpanContext.getInvalid();
        if (parts.length == 4 && parts[3].length() == 2 && parts[3].matches("[0-9a-f]{2}")) {
            caller = SpanContext.createFromRemoteParent(parts[1], parts[2], TraceFlags.fromHex(parts[3], 0), TraceState.getDefault());
        }
        if (!caller.isValid()) {
            log.run();
            return;
        }
        org.jboss.logging.MDC.put("traceId", caller.getTraceId());
        org.jboss.logging.MDC.put("spanId", caller.getSpanId());
        try (Scope scope = Context.root().with(Span.wrap(caller)).makeCurrent()) {
            log.run();
        } finally {
            org.jboss.logging.MDC.remove("traceId");
            org.jboss.logging.MDC.remove("spanId");
        }
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (!inFlight.tryAcquire()) {
            FAILURES.warn("Refused a gRPC call to " + call.getMethodDescriptor().getFullMethodName() + ": " + maxCalls
                    + " calls in flight, the most this service takes");
            call.close(Status.RESOURCE_EXHAUSTED.withDescription(
                    "the server has " + maxCalls + " calls in flight, the most it takes; try again later"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                inFlight.release();
            }
        };
        try {
            return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                @Override
                public void onComplete() {
                    try {
                        super.onComplete();
                    } finally {
                        release.run();
                    }
                }

                @Override
                public void onCancel() {
                    try {
                        super.onCancel();
                    } finally {
                        release.run();
                    }
                }
            };
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
    }
}
