package org.acme.conventions;

import java.util.function.Supplier;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/**
 * Calls a downstream service through its REST client and turns whatever goes wrong into a
 * {@link ProblemException} that names the dependency: its own 4xx pass through with their
 * detail, anything else becomes a 502, and a timeout a 504.
 */
public final class Downstream {

    private Downstream() {
    }

    public static <T> T call(String dependency, Supplier<T> call) {
        try {
            return call.get();
        } catch (WebApplicationException e) {
            throw fromResponse(dependency, e.getResponse(), e);
        } catch (ProcessingException e) {
            throw fromTransport(dependency, e);
        }
    }

    public static void run(String dependency, Runnable call) {
        call(dependency, () -> {
            call.run();
            return null;
        });
    }

    static ProblemException fromResponse(String dependency, Response response, Throwable cause) {
        int status = response.getStatus();
        String detail = detailOf(response);
        return switch (status) {
            case 400, 404, 409, 413, 422 -> new ProblemException(status, Problem.titleOf(status, "Client Error"),
                    detail != null ? detail : dependency + " answered HTTP " + status, cause);
            case 504 -> DependencyFailure.timedOut(dependency, detail != null ? detail : "answered HTTP 504", cause);
            default -> DependencyFailure.failed(dependency,
                    "answered HTTP " + status + (detail != null ? " (" + detail + ")" : ""), cause);
        };
    }

    static ProblemException fromTransport(String dependency, Throwable e) {
        if (isTimeout(e)) {
            return DependencyFailure.timedOut(dependency, "no answer within the configured timeout", e);
        }
        return DependencyFailure.failed(dependency, "unreachable (" + rootMessage(e) + ")", e);
    }

    private static String detailOf(Response response) {
        try {
            if (response.hasEntity()) {
                return response.readEntity(Problem.class).detail();
            }
        } catch (RuntimeException notAProblemBody) {
            // the dependency did not answer with problem+json; its status alone is reported
        }
        return null;
    }

    static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getSimpleName().toLowerCase();
            String message = String.valueOf(t.getMessage()).toLowerCase();
            if (name.contains("timeout") || message.contains("timeout period") || message.contains("timed out")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
