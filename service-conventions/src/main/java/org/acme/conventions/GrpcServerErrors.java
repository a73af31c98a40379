package org.acme.conventions;

import org.jboss.logging.Logger;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;

/**
 * The one place where a failure of a service's gRPC methods becomes a gRPC status (and a WARN line).
 * Each gRPC service declares it as a bean ({@code @ApplicationScoped class GrpcErrors extends
 * GrpcServerErrors}); it is abstract here so that the services without a gRPC server never load it.
 */
public abstract class GrpcServerErrors implements ExceptionHandlerProvider {

    private final Logger log = Logger.getLogger(getClass());
    /** Where the WARN lines go; a test may look at them. */
    FailureLog failures = FailureLog.of(log);

    @Override
    public Throwable transform(Throwable failure) {
        StatusRuntimeException status = GrpcFailures.toStatus(failure);
        Status.Code code = status.getStatus().getCode();
        if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.NOT_FOUND) {
            failures.warn(code + ": " + status.getStatus().getDescription());
        }
        return status;
    }

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> call, Metadata metadata) {
                if (call.isCancelled()) {
                    // The caller gave up (its deadline passed, or it went away) while this call was still
                    // working: the caller has already counted it as timed out, nobody reads this answer, and
                    // what failed is often only a consequence (the request's scope ended under a running
                    // query: "Session/EntityManager is closed"). A WARN line here would blame the wrong thing.
                    log.debugf("%s: failed after its caller had given up: %s", call.getMethodDescriptor().getFullMethodName(),
                            failure.toString());
                    call.close(Status.CANCELLED.withDescription("the caller had given up"), metadata);
                    return;
                }
                call.close(((StatusRuntimeException) transform(failure)).getStatus(), metadata);
            }
        };
    }
}
