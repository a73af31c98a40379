package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer's {@code scripts/fault list} and {@code reset} go on past a service that does not answer (the
 * failure story stops one on purpose) and say which ones did not. Run against admin addresses where nothing
 * listens, so every service is one that does not answer: each must still be asked.
 */
class FaultScriptIT {

    static final List<String> SERVICES = List.of("gateway-service", "user-service", "video-service", "recommend-service");

    @ParameterizedTest
    @ValueSource(strings = { "reset", "list" })
    void every_service_is_asked_even_when_one_does_not_answer(String command) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("e2e.root", ".."));
        ProcessBuilder fault = new ProcessBuilder(root.resolve("scripts/fault").toString(), command).redirectErrorStream(true);
        for (String service : SERVICES) {
            int nobody = Platform.freePort();
            fault.environment().put("FAULT_ADMIN_" + service.toUpperCase().replace('-', '_'), "http://127.0.0.1:" + nobody);
        }
        Process process = fault.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "scripts/fault " + command + " did not end");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), output);
        for (String service : SERVICES) {
            assertTrue(output.contains(service), "scripts/fault " + command + " never named " + service + ":\n" + output);
        }
    }
}
