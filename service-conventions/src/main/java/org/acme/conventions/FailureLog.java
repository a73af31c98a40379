package org.acme.conventions;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

/**
 * One WARN line per distinct failure per interval: during an outage every request fails the same
 * way, and a line for each would bury everything else. The first occurrence is always logged, on
 * the request's own thread so the line carries its trace id; the next line of the same failure
 * says how many were left out since. Every failed request still has its error span.
 */
public final class FailureLog {

    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Distinct failures remembered at once; beyond that the memory starts afresh (nothing is lost but counts). */
    private static final int MAX_DISTINCT = 1_000;

    private record Window(long startNanos, long suppressed, boolean logNow, long reportSuppressed) {
    }

    private final Consumer<String> sink;
    private final LongSupplier clock;
    private final long intervalNanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    FailureLog(Consumer<String> sink, LongSupplier clock, Duration interval) {
        this.sink = sink;
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
    }

    public static FailureLog of(Logger log) {
        return new FailureLog(log::warn, System::nanoTime, INTERVAL);
    }

    /** Logs {@code message} unless the same failure was logged less than an interval ago. */
    public void warn(String message) {
        if (windows.size() > MAX_DISTINCT) {
            windows.clear();
        }
        long now = clock.getAsLong();
        Window window = windows.compute(kind(message), (key, previous) -> {
            if (previous == null || now - previous.startNanos() >= intervalNanos) {
                return new Window(now, 0, true, previous == null ? 0 : previous.suppressed());
            }
            return new Window(previous.startNanos(), previous.suppressed() + 1, false, 0);
        });
        if (window.logNow()) {
            sink.accept(window.reportSuppressed() == 0 ? message
                    : message + " (and " + window.reportSuppressed() + " more like it not logged in the "
                            + Duration.ofNanos(intervalNanos).toSeconds() + " s before)");
        }
    }

    /** Failures that differ only in numbers (ids, milliseconds, ports) are the same kind. */
    static String kind(String message) {
        return message.replaceAll("[0-9]+", "#");
    }
}
