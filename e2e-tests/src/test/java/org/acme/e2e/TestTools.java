package org.acme.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find Prometheus, promtool, Alertmanager and amtool: the directory scripts/test-tools.sh
 * unpacks them into (Debian 13's versions: Prometheus 2.53, Alertmanager 0.28), else PATH.
 */
final class TestTools {

    private TestTools() {
    }

    static Path directory() {
        String configured = System.getenv("VIDEO_SITE_TEST_TOOLS");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured, "bin");
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("video-site-test-tools/bin");
    }

    /** The tool's path in {@link #directory()}, or its bare name (found on PATH) when it is not there. */
    static String executable(String name) {
        Path unpacked = directory().resolve(name);
        return Files.isExecutable(unpacked) ? unpacked.toString() : name;
    }

    /**
     * Waits until the tool's {@code /-/ready} answers 200 (Prometheus and Alertmanager both have one); fails with the
     * last lines of its log when it exits or the time runs out.
     */
    static void awaitReady(String name, Process process, String baseUrl, Path log, java.time.Duration timeout) {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + tail(log));
            }
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/-/ready")).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException | InterruptedException e) {
                // not listening yet
            }
            ServiceProcess.pause(java.time.Duration.ofMillis(200));
        }
        throw new IllegalStateException(name + " not ready: " + tail(log));
    }

    /** The last 20 lines of a tool's log. */
    static String tail(Path log) {
        try {
            java.util.List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The message for a tool that could not be started. */
    static String missing(String name) {
        return name + " is needed: scripts/test-tools.sh unpacks Prometheus 2.53 and Alertmanager 0.28 into "
                + directory().getParent() + " (scripts/test.sh runs it)";
    }
}
