package org.acme.conventions;

import java.time.Duration;

import org.acme.conventions.Downstream.Request;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The client's side of the error contract across a gRPC hop: a status coming back becomes a
 * {@link ProblemException} naming the dependency, with the same rules as {@link Downstream} for REST.
 * (The server's side, a failure becoming a status, is {@link GrpcServerErrorHandler}.)
 */
public final class GrpcClientFailures {

    private GrpcClientFailures() {
    }

    /**
     * A failed call to {@code dependency} as the caller answers it.
     *
     * @param deadline the deadline this side gave the call: if it has passed, this side gave up waiting
     */
    public static ProblemException toProblem(String dependency, Deadline deadline, Duration bound, Request request,
            Throwable failure) {
        Status status = Status.fromThrowable(failure);
        String description = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        // A cause that is the status itself (GrpcClientSpanErrors) would only repeat it.
        if (status.getCause() != null && !(status.getCause() instanceof StatusRuntimeException)) {
            description += ": " + Downstream.rootMessage(status.getCause());
        }
        return switch (status.getCode()) {
            case NOT_FOUND -> request != Request.BUILT_HERE ? ProblemException.notFound(description)
                    : DependencyFailure.failed(dependency, "NOT_FOUND (" + description + ")", failure);
            case INVALID_ARGUMENT -> request == Request.FORWARDS_USER_INPUT ? ProblemException.badRequest(description)
                    : DependencyFailure.failed(dependency, "INVALID_ARGUMENT (" + description + ")", failure);
            case DEADLINE_EXCEEDED -> deadline.isExpired()
                    ? DependencyFailure.timedOut(dependency, "no answer within " + bound.toMillis() + " ms", failure)
                    : DependencyFailure.timedOut(dependency, "timed out (" + description + ")", failure);
            case UNAVAILABLE -> DependencyFailure.failed(dependency, "unavailable (" + description + ")", failure);
            default -> DependencyFailure.failed(dependency, status.getCode() + " (" + description + ")", failure);
        };
    }
}
