package org.acme.conventions;

import java.util.function.Supplier;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The same error contract across a gRPC hop: a {@link ProblemException} travels as the matching
 * gRPC status, and a status coming back becomes a {@link ProblemException} naming the dependency.
 */
public final class GrpcFailures {

    private GrpcFailures() {
    }

    /** Calls a blocking gRPC stub and translates a failure the way {@link Downstream} does for REST. */
    public static <T> T call(String dependency, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw toProblem(dependency, e);
        }
    }

    public static ProblemException toProblem(String dependency, StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        if (status.getCause() != null) {
            description += ": " + Downstream.rootMessage(status.getCause());
        }
        return switch (status.getCode()) {
            case NOT_FOUND -> ProblemException.notFound(description);
            case INVALID_ARGUMENT -> ProblemException.badRequest(description);
            case DEADLINE_EXCEEDED -> DependencyFailure.timedOut(dependency,
                    isLocalDeadline(status) ? "no answer within the deadline" : description, e);
            case UNAVAILABLE -> DependencyFailure.failed(dependency, "unavailable (" + description + ")", e);
            default -> DependencyFailure.failed(dependency, status.getCode() + " (" + description + ")", e);
        };
    }

    /** grpc-java's own words when this side's deadline ran out, as opposed to a timeout reported by the server. */
    private static boolean isLocalDeadline(Status status) {
        String description = status.getDescription();
        return description == null || description.matches("(?s)(CallOptions|Context|ClientCall|[Dd]eadline).*");
    }

    /** The status a gRPC server answers for a failure of its own code. */
    public static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            return e;
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
        return Status.INTERNAL.withDescription(String.valueOf(failure.getMessage())).withCause(failure)
                .asRuntimeException();
    }
}
