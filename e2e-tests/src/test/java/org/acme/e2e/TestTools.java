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

    /** The message for a tool that could not be started. */
    static String missing(String name) {
        return name + " is needed: scripts/test-tools.sh unpacks Prometheus 2.53 and Alertmanager 0.28 into "
                + directory().getParent() + " (scripts/test.sh runs it)";
    }
}
