package org.acme.workshop;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One switched-on fault: {@code kind} (latency, error, or a switch a service declares) applied to
 * {@code target} (a fault point, a peer service, a cache). Named {@code kind:target}, as in the
 * {@code app.fault} span attribute and the {@code app_faults_active{fault}} gauge.
 *
 * @param delay  added latency (latency faults), the staircase's step, the CPU time of an expensive computation
 * @param jitter up to this much more, at random
 * @param rate   share of the affected calls that fail, 0 < rate <= 1 (error-like faults)
 */
public record Fault(String kind, String target, Duration delay, Duration jitter, double rate, Instant since) {

    public static String name(String kind, String target) {
        return kind + ":" + target;
    }

    public String name() {
        return name(kind, target);
    }

    /** Whether this call is one of the {@code rate} share that fails. */
    public boolean strikes() {
        return rate >= 1.0 || ThreadLocalRandom.current().nextDouble() < rate;
    }

    /** This call's added latency: the delay plus a random part of the jitter. */
    public Duration latency() {
        long jitterNanos = jitter.toNanos();
        return jitterNanos <= 0 ? delay : delay.plusNanos(ThreadLocalRandom.current().nextLong(jitterNanos + 1));
    }

    /** The settings in words, for the log line and the admin API. */
    public String settings() {
        return switch (kind) {
            case FaultSwitches.LATENCY -> "delay " + delay.toMillis() + "ms" + (jitter.isZero() ? "" : ", jitter " + jitter.toMillis() + "ms");
            case FaultSwitches.STAIRCASE -> "step " + delay.toMillis() + "ms";
            case FaultSwitches.EXPENSIVE -> "cpu " + delay.toMillis() + "ms per computation";
            default -> rate >= 1.0 ? "every call" : "rate " + rate;
        };
    }
}
