package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The trainer's stack check (scripts/check-stack.py), run against what can run here: the four
 * services and a real Prometheus (2.53, with the stack's scrape config: exemplars included). Jaeger,
 * Loki and Grafana only run in Docker, so those steps are left out.
 */
@Order(3)
@ExtendWith(PlatformExtension.class)
class StackCheckIT {

    record Run(int exit, String output) {
    }

    static Run checkStack(E2eStack stack, String... extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", StackLintIT.ROOT.resolve("scripts/check-stack.py").toString(),
                "--site", stack.gateway(), "--prometheus", stack.prometheus.baseUrl(), "--alertmanager",
                stack.alertmanager.baseUrl(), "--wait", "10",
                "--skip", "jaeger,loki,grafana"));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "check-stack.py hung");
        System.out.println("[stack check]\n" + output);
        return new Run(process.exitValue(), output);
    }

    @Test
    void the_stack_check_passes_the_site_and_prometheus_steps_on_a_healthy_platform(E2eStack stack) throws Exception {
        Run run = checkStack(stack, "--jobs", String.join(",", Platform.SERVICES));
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().matches("(?s).*PASS site +GET /api/home\\?userId=\\d+ → 200, feed computed \\(not cached\\), trace id [0-9a-f]{32}.*"),
                run.output());
        assertTrue(run.output().contains("PASS targets    4 of 4 jobs up"), run.output());
        assertTrue(run.output().matches("(?s).*PASS exemplars +\\d+ exemplars on the /api/home latency.*"), run.output());
        // The stack's scrape config names the traffic generator, which does not run here: ServiceDown may fire for it.
        assertTrue(run.output().matches("(?s).*PASS alerts +\\d+ alert rules and \\d+ recording rules loaded; firing: (none|ServiceDown)\n.*"),
                run.output());
        JsonNode firing = stack.prometheus.query("ALERTS{alertstate=\"firing\"}");
        for (JsonNode alert : firing) {
            assertEquals("traffic-generator", alert.path("metric").path("job").asText(), "firing on a healthy platform: " + firing);
        }
        assertTrue(run.output().contains("PASS alerts     Prometheus sends alerts to http://" + stack.alertmanager.address()), run.output());
        assertTrue(run.output().matches("(?s).*PASS pipeline +spans exported over 5 min: .*gateway-service [1-9].*; dropped: none.*"),
                run.output());
        assertTrue(run.output().contains("SKIP jaeger"), run.output());
    }

    @Test
    void the_stack_check_names_a_target_that_is_down_and_says_where_to_look(E2eStack stack) throws Exception {
        // The stack's scrape config also names the Collector, which does not run here: it is down.
        Run run = checkStack(stack);
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("FAIL targets") && run.output().contains("down: otel-collector"), run.output());
        assertTrue(run.output().contains("look at: Prometheus → Status → Targets"), run.output());
    }

    @Test
    void the_stack_check_fails_when_the_site_does_not_answer(E2eStack stack) throws Exception {
        List<String> command = List.of("python3", StackLintIT.ROOT.resolve("scripts/check-stack.py").toString(),
                "--site", "http://127.0.0.1:" + Platform.freePort(), "--prometheus", stack.prometheus.baseUrl(),
                "--skip", "targets,exemplars,grafana", "--wait", "1");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("FAIL site") && output.contains("SKIP jaeger     no trace id"), output);
    }
}
