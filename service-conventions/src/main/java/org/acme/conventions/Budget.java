package org.acme.conventions;

import java.time.Duration;

/**
 * The time one incoming request may take, started when it arrived. Every call the request makes is
 * bounded by its own limit and by what is left of the budget, whichever is shorter, so the bounds
 * of the inner calls always fit inside the outer one.
 */
public final class Budget {

    private final long deadlineNanos;

    private Budget(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    public static Budget of(Duration total) {
        return new Budget(System.nanoTime() + total.toNanos());
    }

    /** This budget, or less if the caller's own deadline leaves less (minus the time to send the answer back). */
    public Budget atMost(Duration callersRemaining, Duration toAnswer) {
        long callers = System.nanoTime() + callersRemaining.minus(toAnswer).toNanos();
        return callers < deadlineNanos ? new Budget(callers) : this;
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** The bound of one call: its own limit, or what is left of the budget if that is less. */
    public Duration bound(Duration callLimit) {
        Duration remaining = remaining();
        return remaining.compareTo(callLimit) < 0 ? remaining : callLimit;
    }
}
