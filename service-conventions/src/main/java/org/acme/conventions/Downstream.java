package org.acme.conventions;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.tuples.Tuple2;
import io.vertx.core.Vertx;

/**
 * Calls a downstream service through its REST client, bounded, and turns whatever goes wrong into
 * a {@link ProblemException} that names the dependency.
 * <p>
 * The bound covers the whole call, the wait for a pooled connection included, so it holds whatever
 * the load. A peer that cannot be reached is a 502; one that does not answer in time a 504. A 4xx
 * answer is the caller's own mistake only where the caller forwarded the user's input
 * ({@link Request}); otherwise the platform built a request its peer refused: a 502 naming the hop.
 */
public final class Downstream {

    /**
     * What of the user's own input a request to a dependency carries. It decides whose mistake a 4xx answer
     * is: the user's, passed on as it came, or this platform's, a 502 naming the hop.
     */
    public enum Request {
        /** Built by this service alone: any 4xx is this platform's failure (502). */
        BUILT_HERE,
        /** Carries an id the user gave: a 404 is theirs (that id does not exist), any other 4xx a 502. */
        CARRIES_USER_ID,
        /** Forwards the user's input as it came (an upload): every 4xx is theirs. */
        FORWARDS_USER_INPUT
    }

    private Downstream() {
    }

    /** The call as a {@link Uni}, to combine with other calls made at the same time. */
    public static <T> Uni<T> call(String dependency, Duration bound, Request request, Supplier<Uni<T>> call) {
        long millis = bound.toMillis();
        if (millis <= 0) { // the request's budget is spent: no call, and a timeout that says so (Mutiny refuses a zero wait)
            return Uni.createFrom().failure(DependencyFailure.timedOut(dependency, "not called: no time left in this request's budget", null));
        }
        return Uni.createFrom().deferred(() -> {
            Context caller = Context.current();
            Instant started = Instant.now();
            long startEpochNanos = started.getEpochSecond() * 1_000_000_000L + started.getNano();
            AtomicBoolean clientSpan = new AtomicBoolean();
            return onItsOwnContext(dependency, clientSpan, call)
                    .ifNoItem().after(Duration.ofMillis(millis)).fail()
                    .onFailure().transform(e -> {
                        ProblemException problem = toProblem(dependency, millis, request, e);
                        if (!clientSpan.get()) { // no request was sent: the REST client made no span (CallSpans)
                            UnreachablePeerSpans.record(dependency, caller, startEpochNanos, e, problem.detail());
                        }
                        return problem;
                    });
        });
    }

    /** The call, waited for on this thread; it never waits longer than {@code bound}. */
    public static <T> T await(String dependency, Duration bound, Request request, Supplier<Uni<T>> call) {
        return await(call(dependency, bound, request, call));
    }

    /**
     * Makes two calls at once and waits for both, each within its own bound. The answer, or the
     * failure, comes when both have ended, even if one failed at once: answering then would leave the
     * other call running with nobody waiting for it, and under a fast failure (a peer refusing
     * connections) the next requests would pile calls onto the healthy peer, more than this service has
     * requests in flight. The trace then shows how each hop really ended. Should both fail, the first
     * one's failure is the answer.
     */
    public static <A, B> Tuple2<A, B> awaitBoth(Uni<A> first, Uni<B> second) {
        return await(Uni.combine().all().unis(first, second).collectFailures().asTuple()
                .onFailure(CompositeException.class).transform(e -> ((CompositeException) e).getCauses().get(0)));
    }

    /**
     * Waits on this thread for calls made with {@link #call} (one, or several combined), each bounded,
     * so the wait is too. Should anything have left another trace context on this request's Vert.x
     * context meanwhile (see {@link #onItsOwnContext}), the request's own is put back.
     */
    public static <T> T await(Uni<T> calls) {
        Context request = Context.current();
        try {
            return calls.await().indefinitely();
        } finally {
            if (Context.current() != request) {
                request.makeCurrent(); // ends with the request's Vert.x context, like the request's own scope
            }
        }
    }

    /**
     * Makes the call on a Vert.x context of its own, carrying the caller's trace context (or the one an
     * {@link OutgoingTraceContext} bean chooses, if the application has one). Quarkus keeps
     * the current trace context on the Vert.x context, and the clients run their callbacks on the one
     * they were called from: two calls in flight on the request's own context, from other threads,
     * would leave another trace context there (or none), and the request's spans, logs and
     * problem+json would lose their trace id.
     */
    static <T> Uni<T> onItsOwnContext(String dependency, Supplier<Uni<T>> call) {
        return onItsOwnContext(dependency, null, call);
    }

    /** The same, the trace context carrying {@code clientSpan} (if not null): raised by {@link CallSpans} when the client starts its span. */
    private static <T> Uni<T> onItsOwnContext(String dependency, AtomicBoolean clientSpan, Supplier<Uni<T>> call) {
        Context outgoing = outgoingContext(dependency);
        Context trace = clientSpan != null ? CallSpans.watching(outgoing, clientSpan) : outgoing;
        io.vertx.core.Context callers = Vertx.currentContext();
        if (callers == null) {
            try (Scope scope = trace.makeCurrent()) {
                return call.get();
            }
        }
        io.vertx.core.Context own = VertxContext.createNewDuplicatedContext(callers);
        return Uni.createFrom().emitter(emitter -> own.runOnContext(ignored -> {
            try (Scope scope = trace.makeCurrent()) {
                Cancellable running = call.get().subscribe().with(emitter::complete, emitter::fail);
                emitter.onTermination(running::cancel);
            }
        }));
    }

    private static Context outgoingContext(String dependency) {
        Context current = Context.current();
        ArcContainer container = Arc.container();
        if (container == null) { // plain unit tests: no beans
            return current;
        }
        InstanceHandle<OutgoingTraceContext> chooser = container.instance(OutgoingTraceContext.class);
        return chooser.isAvailable() ? chooser.get().forCallTo(dependency, current) : current;
    }

    static ProblemException toProblem(String dependency, long boundMillis, Request request, Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof WebApplicationException answered) {
                return fromResponse(dependency, request, answered.getResponse(), failure);
            }
            if (unreachable(t) == t) {
                return DependencyFailure.failed(dependency, "unreachable (" + rootMessage(failure) + ")", failure);
            }
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException) {
                return DependencyFailure.timedOut(dependency, "no answer within " + boundMillis + " ms", failure);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return DependencyFailure.failed(dependency, "failed (" + rootMessage(failure) + ")", failure);
    }

    /** The failure to connect in {@code failure}'s causes (refused, timed out, no route, unknown host), or null. */
    static Throwable unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                return t;
            }
        }
        return null;
    }

    static ProblemException fromResponse(String dependency, Request request, Response response, Throwable cause) {
        int status = response.getStatus();
        String detail = detailOf(response);
        boolean theirs = switch (request) {
            case BUILT_HERE -> false;
            case CARRIES_USER_ID -> status == 404;
            case FORWARDS_USER_INPUT -> status >= 400 && status < 500;
        };
        if (theirs) {
            return new ProblemException(status, Problem.titleOf(status, "Client Error"),
                    detail != null ? detail : dependency + " answered HTTP " + status, cause);
        }
        if (status == 504) {
            return DependencyFailure.timedOut(dependency, "timed out (" + (detail != null ? detail : "HTTP 504") + ")", cause);
        }
        return DependencyFailure.failed(dependency,
                "answered HTTP " + status + (detail != null ? " (" + detail + ")" : ""), cause);
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

    static String rootMessage(Throwable e) {
        Throwable root = rootCause(e);
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** The last of {@code e}'s causes (itself when it has none). */
    static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
