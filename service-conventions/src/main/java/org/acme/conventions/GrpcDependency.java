package org.acme.conventions;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.acme.conventions.Downstream.Request;

import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.smallrye.mutiny.Uni;

/**
 * A downstream service reached over gRPC: each call gets a deadline, and its failure becomes a
 * {@link ProblemException} naming the service.
 * <p>
 * After a failed connection, grpc-java waits longer and longer before it tries again (up to two
 * minutes), so a peer that is back would stay "unavailable" for seconds. An unavailable answer
 * asks the channel to try again at once instead (at most every {@link #RECONNECT_EVERY}), so
 * recovery follows the peer's return within a fraction of a second.
 */
public final class GrpcDependency {

    static final Duration RECONNECT_EVERY = Duration.ofMillis(200);

    private final String name;
    private final Channel channel;
    private final AtomicLong lastReconnect = new AtomicLong(System.nanoTime() - RECONNECT_EVERY.toNanos());

    public GrpcDependency(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
    }

    public String name() {
        return name;
    }

    /** Makes the call with a deadline {@code bound} from now; the call is made on subscription. */
    public <T> Uni<T> call(Duration bound, Request request, Function<Deadline, Uni<T>> call) {
        return Uni.createFrom().deferred(() -> {
            Deadline deadline = Deadline.after(Math.max(0, bound.toMillis()), TimeUnit.MILLISECONDS);
            return Downstream.onItsOwnContext(name, () -> call.apply(deadline))
                    .onFailure().invoke(this::reconnectSoonIfUnavailable)
                    .onFailure().transform(e -> GrpcClientFailures.toProblem(name, deadline, bound, request, e));
        });
    }

    private void reconnectSoonIfUnavailable(Throwable failure) {
        if (Status.fromThrowable(failure).getCode() != Status.Code.UNAVAILABLE
                || !(channel instanceof ManagedChannel managed)) {
            return;
        }
        long last = lastReconnect.get();
        long now = System.nanoTime();
        if (now - last >= RECONNECT_EVERY.toNanos() && lastReconnect.compareAndSet(last, now)) {
            managed.resetConnectBackoff();
        }
    }
}
