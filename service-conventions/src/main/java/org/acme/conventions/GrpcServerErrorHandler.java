package org.acme.conventions;

import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;

/**
 * The server's side of the error contract across a gRPC hop: the one place where a failure of a service's
 * gRPC methods becomes a gRPC status (and a WARN line). A service that serves gRPC turns it on in its own
 * code, as a bean ({@code @ApplicationScoped class GrpcServerStatuses extends GrpcServerErrorHandler}); it is
 * abstract here so that services without a gRPC server never load it (and Quarkus' gRPC extension refuses a
 * handler it finds switched off).
 */
public abstract class GrpcServerErrorHandler implements ExceptionHandlerProvider {

    private final Logger log = Logger.getLogger(getClass());
    /** Where the WARN lines go; a test may look at them. */
    FailureLog failures = FailureLog.of(log);

    @Override
    public Throwable transform(Throwable failure) {
        StatusRuntimeException status = statusOf(failure);
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

    /** The status a gRPC server answers for a failure of its own code. */
    static StatusRuntimeException statusOf(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            return e;
        }
        if (failure instanceof StatusException e) {
            return e.getStatus().asRuntimeException(e.getTrailers());
        }
        if (failure instanceof ProblemException p) {
            Status status = switch (p.status()) {
                case 400 -> Status.INVALID_ARGUMENT;
                case 404 -> Status.NOT_FOUND;
                case 504 -> Status.DEADLINE_EXCEEDED;
                case 502 -> Status.UNAVAILABLE;
                default -> Status.INTERNAL;
            };
            return status.withDescription(p.detail()).withCause(p).asRuntimeException();
        }
        if (failure instanceof TimeoutException || failure instanceof io.smallrye.mutiny.TimeoutException) {
            return Status.DEADLINE_EXCEEDED.withDescription("no answer within this service's budget").withCause(failure)
                    .asRuntimeException();
        }
        return Status.INTERNAL.withDescription(String.valueOf(failure.getMessage())).withCause(failure)
                .asRuntimeException();
    }
}
