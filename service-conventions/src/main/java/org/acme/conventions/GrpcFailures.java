package org.acme.conventions;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.acme.conventions.Downstream.Forward;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/**
 * The same error contract across a gRPC hop: a {@link ProblemException} travels as the matching
 * gRPC status, and a status coming back becomes a {@link ProblemException} naming the dependency,
 * with the same rules as {@link Downstream} for REST.
 */
public final class GrpcFailures {

    private GrpcFailures() {
    }

    /**
     * A failed call to {@code dependency} as the caller answers it.
     *
     * @param deadline the deadline this side gave the call: if it has passed, this side gave up waiting
     */
    public static ProblemException toProblem(String dependency, Deadline deadline, Duration bound, Forward forward,
            Throwable failure) {
        Status status = Status.fromThrowable(failure);
        String description = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        // A cause that is the status itself (GrpcClientErrors) would only repeat it.
        if (status.getCause() != null && !(status.getCause() instanceof StatusRuntimeException)) {
            description += ": " + Downstream.rootMessage(status.getCause());
        }
        return switch (status.getCode()) {
            case NOT_FOUND -> forward != Forward.NOTHING ? ProblemException.notFound(description)
                    : DependencyFailure.failed(dependency, "NOT_FOUND (" + description + ")", failure);
            case INVALID_ARGUMENT -> forward == Forward.CLIENT_ERRORS ? ProblemException.badRequest(description)
                    : DependencyFailure.failed(dependency, "INVALID_ARGUMENT (" + description + ")", failure);
            case DEADLINE_EXCEEDED -> deadline.isExpired()
                    ? DependencyFailure.timedOut(dependency, "no answer within " + bound.toMillis() + " ms", failure)
                    : DependencyFailure.timedOut(dependency, "timed out (" + description + ")", failure);
            case UNAVAILABLE -> DependencyFailure.failed(dependency, "unavailable (" + description + ")", failure);
            default -> DependencyFailure.failed(dependency, status.getCode() + " (" + description + ")", failure);
        };
    }

    /** The status a gRPC server answers for a failure of its own code. */
    public static StatusRuntimeException toStatus(Throwable failure) {
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
