package org.acme.video;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.FailureLog;
import org.acme.conventions.GrpcFailures;
import org.jboss.logging.Logger;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;

/** The one place where a failure of this service's gRPC methods becomes a gRPC status (and a WARN line). */
@ApplicationScoped
public class GrpcErrors implements ExceptionHandlerProvider {

    private static final FailureLog FAILURES = FailureLog.of(Logger.getLogger(GrpcErrors.class));

    @Override
    public Throwable transform(Throwable failure) {
        StatusRuntimeException status = GrpcFailures.toStatus(failure);
        Status.Code code = status.getStatus().getCode();
        if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.NOT_FOUND) {
            FAILURES.warn(code + ": " + status.getStatus().getDescription());
        }
        return status;
    }

    @Override
    public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(ServerCall.Listener<ReqT> listener,
            ServerCall<ReqT, RespT> call, Metadata metadata) {
        return new ExceptionHandler<>(listener, call, metadata) {
            @Override
            protected void handleException(Throwable failure, ServerCall<ReqT, RespT> call, Metadata metadata) {
                call.close(((StatusRuntimeException) transform(failure)).getStatus(), metadata);
            }
        };
    }
}
