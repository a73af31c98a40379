package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With the telemetry backend gone, the site keeps serving at the same speed and its logs stay quiet. */
@Order(6)
@ExtendWith(PlatformExtension.class)
class TelemetryBackendDownIT {

    static final int REQUESTS = 600;
    /** The exporters throttle their own failure messages; more than this per service is a flood. */
    static final long EXPORT_FAILURE_LINES_BOUND = 20;

    @Test
    void requests_succeed_as_fast_and_export_failures_do_not_flood_the_logs(E2eStack stack) {
        Traffic.Result up = Traffic.drive(stack.gateway(), REQUESTS, 2);
        Map<String, Long> linesBefore = exportFailureLines(stack);

        stack.receiver.stop();
        try {
            Traffic.Result down = Traffic.drive(stack.gateway(), REQUESTS, 2);
            // Give the exporters several more export intervals to fail in, with some traffic going.
            Traffic.Result later = Traffic.drive(stack.gateway(), REQUESTS, 2);
            Map<String, Long> linesAfter = exportFailureLines(stack);

            double p50Up = up.percentileMicros(0.5) / 1000.0;
            double p50Down = down.percentileMicros(0.5) / 1000.0;
            System.out.printf("[e2e] p50 with the receiver up %.2f ms, down %.2f ms%n", p50Up, p50Down);
            assertEquals(0, up.failures() + down.failures() + later.failures(),
                    "failures: " + down.failureSamples() + later.failureSamples());
            assertTrue(p50Down <= 2 * p50Up + 1.0, "p50 " + p50Up + " ms up vs " + p50Down + " ms down");
            for (String service : linesAfter.keySet()) {
                long added = linesAfter.get(service) - linesBefore.get(service);
                System.out.printf("[e2e] %-17s export-failure lines while the receiver was down: %d%n", service, added);
                assertTrue(added > 0, service + " says nothing about failing exports: a silent loss");
                assertTrue(added <= EXPORT_FAILURE_LINES_BOUND, service + " wrote " + added + " export-failure lines");
            }
        } finally {
            stack.receiver.start();
        }
    }

    private static Map<String, Long> exportFailureLines(E2eStack stack) {
        Map<String, Long> lines = new LinkedHashMap<>();
        for (ServiceProcess service : stack.platform.services()) {
            lines.put(service.name(), service.lines().stream().filter(l -> l.contains("Failed to export")).count());
        }
        return lines;
    }
}
