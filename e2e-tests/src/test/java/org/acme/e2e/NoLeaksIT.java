package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sustained use leaks nothing: a well-known OpenTelemetry demo builds a REST client per request and
 * runs out of file descriptors near 10 000 requests. Each service's descriptors and threads must end
 * where they were after warm-up, within a stated bound, and its memory must stop growing.
 */
@Order(5)
@ExtendWith(PlatformExtension.class)
class NoLeaksIT {

    static final int WARM_UP = 2_000;
    static final int REQUESTS = 20_000;
    static final int CONCURRENCY = 8;
    /** Pools grow to their working size during warm-up; beyond that, a few come and go. */
    static final long FD_BOUND = 25;
    static final long THREAD_BOUND = 25;
    /** The heap is fixed and pre-touched, so resident memory that keeps climbing is growth outside it. */
    static final long RSS_SECOND_HALF_BOUND_KIB = 48 * 1024;

    record Snapshot(long fds, long threads, long rssKib) {
        static Snapshot of(ServiceProcess service) {
            return new Snapshot(service.openFileDescriptors(), service.threads(), service.rssKib());
        }
    }

    @Test
    void twenty_thousand_requests_leave_descriptors_threads_and_memory_bounded(E2eStack stack) {
        Traffic.Result warmUp = Traffic.drive(stack.gateway(), WARM_UP, CONCURRENCY);
        assertEquals(0, warmUp.failures(), "warm-up failures: " + warmUp.failureSamples());
        Map<String, Snapshot> before = snapshot(stack);

        long start = System.nanoTime();
        Traffic.Result firstHalf = Traffic.drive(stack.gateway(), REQUESTS / 2, CONCURRENCY);
        Map<String, Snapshot> middle = snapshot(stack);
        Traffic.Result secondHalf = Traffic.drive(stack.gateway(), REQUESTS / 2, CONCURRENCY);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Snapshot> after = snapshot(stack);

        System.out.printf("[e2e] %d requests in %.1f s (%.0f req/s, concurrency %d), p50 %.1f ms, p99 %.1f ms%n",
                REQUESTS, seconds, REQUESTS / seconds, CONCURRENCY, secondHalf.percentileMicros(0.50) / 1000.0,
                secondHalf.percentileMicros(0.99) / 1000.0);
        for (String service : before.keySet()) {
            System.out.printf("[e2e] %-17s fds %d → %d → %d, threads %d → %d → %d, RSS %d → %d → %d MiB%n", service,
                    before.get(service).fds(), middle.get(service).fds(), after.get(service).fds(),
                    before.get(service).threads(), middle.get(service).threads(), after.get(service).threads(),
                    before.get(service).rssKib() / 1024, middle.get(service).rssKib() / 1024,
                    after.get(service).rssKib() / 1024);
        }

        assertEquals(0, firstHalf.failures() + secondHalf.failures(),
                "failed requests: " + firstHalf.failureSamples() + secondHalf.failureSamples());
        for (String service : before.keySet()) {
            Snapshot b = before.get(service);
            Snapshot m = middle.get(service);
            Snapshot a = after.get(service);
            assertTrue(a.fds() <= b.fds() + FD_BOUND, service + " file descriptors " + b.fds() + " → " + a.fds());
            assertTrue(a.threads() <= b.threads() + THREAD_BOUND, service + " threads " + b.threads() + " → " + a.threads());
            assertTrue(a.rssKib() - m.rssKib() <= RSS_SECOND_HALF_BOUND_KIB,
                    service + " RSS kept climbing: " + m.rssKib() / 1024 + " → " + a.rssKib() / 1024 + " MiB");
        }
    }

    private static Map<String, Snapshot> snapshot(E2eStack stack) {
        Map<String, Snapshot> snapshots = new LinkedHashMap<>();
        for (ServiceProcess service : stack.platform.services()) {
            snapshots.put(service.name(), Snapshot.of(service));
        }
        return snapshots;
    }
}
