package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With the telemetry backend hung (it takes connections and never answers, the worst case for an exporter),
 * no request waits for it: every request is answered within the gateway's budget while each export hangs
 * until the exporter's own timeout, and the exporters say that they fail without flooding the logs.
 * <p>
 * The verdict does not compare latencies (a busy machine would make that flake): an export that hangs lasts the
 * exporter's timeout (10 s, Quarkus' default), two and a half times the gateway's 4 s budget, so a request
 * that waited for one would be a 504, and any failed request fails the test.
 */
@Order(6)
@ExtendWith(PlatformExtension.class)
class TelemetryBackendDownIT {

    /** Quarkus' default OTLP export timeout: how long each hung export lasts. */
    static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);
    /** The exporters throttle their own failure messages; more than this per service is a flood. */
    static final long EXPORT_FAILURE_LINES_BOUND = 20;

    @Test
    void no_request_waits_for_a_hung_backend_and_export_failures_are_said_once_in_a_while(E2eStack stack) throws IOException {
        int port = URI.create(stack.receiver.endpoint()).getPort();
        Map<String, Long> linesBefore = exportFailureLines(stack);
        stack.receiver.stop();
        List<Traffic.Result> rounds = new ArrayList<>();
        Map<String, Long> added;
        int connections;
        try (BlackHole backend = BlackHole.listen(port)) {
            // Traffic until every service has had an export time out (at least one export timeout), within a deadline.
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            do {
                rounds.add(Traffic.drive(stack.gateway(), 200, 2));
                added = added(linesBefore, exportFailureLines(stack));
            } while (added.values().stream().anyMatch(n -> n == 0) && System.nanoTime() < deadline);
            connections = backend.connections();
        } finally {
            stack.receiver.start();
        }

        int requests = rounds.stream().mapToInt(Traffic.Result::requests).sum();
        int failures = rounds.stream().mapToInt(Traffic.Result::failures).sum();
        long slowestMillis = rounds.stream().mapToLong(r -> r.percentileMicros(1.0)).max().orElse(0) / 1000;
        System.out.printf("[e2e] backend hung: %d requests, %d failed, slowest %d ms; %d connections to the hung backend%n",
                requests, failures, slowestMillis, connections);
        assertTrue(connections > 0, "no exporter reached the hung backend: the test proved nothing");
        assertEquals(0, failures, "requests failed while the backend hung: "
                + rounds.stream().flatMap(r -> r.failureSamples().stream()).limit(5).toList());
        assertTrue(slowestMillis < EXPORT_TIMEOUT.toMillis(), "a request took " + slowestMillis + " ms: it waited for an export");
        for (Map.Entry<String, Long> service : added.entrySet()) {
            System.out.printf("[e2e] %-17s export-failure lines while the backend hung: %d%n", service.getKey(), service.getValue());
            assertTrue(service.getValue() > 0, service.getKey() + " says nothing about failing exports: a silent loss");
            assertTrue(service.getValue() <= EXPORT_FAILURE_LINES_BOUND,
                    service.getKey() + " wrote " + service.getValue() + " export-failure lines");
        }
    }

    private static Map<String, Long> added(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> added = new LinkedHashMap<>();
        after.forEach((service, lines) -> added.put(service, lines - before.getOrDefault(service, 0L)));
        return added;
    }

    private static Map<String, Long> exportFailureLines(E2eStack stack) {
        Map<String, Long> lines = new LinkedHashMap<>();
        for (ServiceProcess service : stack.platform.services()) {
            lines.put(service.name(), service.lines().stream().filter(l -> l.contains("Failed to export")).count());
        }
        return lines;
    }

    /** A backend that takes every connection and never answers on it: each export on it hangs until its timeout. */
    static final class BlackHole implements AutoCloseable {

        private final ServerSocket server;
        private final List<Socket> held = new ArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();

        private BlackHole(ServerSocket server) {
            this.server = server;
            Thread acceptor = new Thread(this::hold, "black-hole-backend");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static BlackHole listen(int port) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new BlackHole(server);
        }

        private void hold() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    synchronized (held) {
                        held.add(socket);
                    }
                } catch (IOException closed) {
                    return;
                }
            }
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() {
            try {
                server.close();
                synchronized (held) {
                    for (Socket socket : held) {
                        socket.close();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
