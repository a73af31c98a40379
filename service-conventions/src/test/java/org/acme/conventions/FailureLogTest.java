package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class FailureLogTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private final FailureLog failures = new FailureLog(lines::add, now::get, Duration.ofSeconds(10));

    @Test
    void an_outage_logs_its_first_failure_then_one_line_per_interval_with_a_count() {
        for (int i = 0; i < 1_000; i++) {
            failures.warn("Bad Gateway: user-service: unreachable (Connection refused: /127.0.0.1:8081)");
            now.addAndGet(Duration.ofMillis(15).toNanos());
        }
        // 15 s of failures: the first line at once, the next one 10 s later, counting those left out.
        assertEquals(List.of(
                "Bad Gateway: user-service: unreachable (Connection refused: /127.0.0.1:8081)",
                "Bad Gateway: user-service: unreachable (Connection refused: /127.0.0.1:8081)"
                        + " (and 666 more like it not logged in the 10 s before)"),
                lines);
    }

    @Test
    void each_distinct_failure_gets_its_own_first_line() {
        failures.warn("Gateway Timeout: user-service: no answer within 1500 ms");
        failures.warn("Gateway Timeout: user-service: no answer within 1499 ms");
        failures.warn("Bad Gateway: recommend-service: unavailable (video-service: unavailable)");
        assertEquals(List.of("Gateway Timeout: user-service: no answer within 1500 ms",
                "Bad Gateway: recommend-service: unavailable (video-service: unavailable)"), lines);
    }
}
