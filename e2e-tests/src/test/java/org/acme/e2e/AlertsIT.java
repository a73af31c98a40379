package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.acme.e2e.AlertmanagerServer.Notification;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An alert travels the whole way, as it would in the compose stack: a rule of the stack's own files fires in a
 * real Prometheus, the stack's own Alertmanager configuration routes it to its receiver, and when the cause is
 * gone it resolves there too. {@code ServiceDown} is the alert a build can afford to wait for (30 s); every
 * alert's own threshold and timing is proven by {@code promtool test rules} (StackLintIT).
 */
@Order(6)
@ExtendWith(PlatformExtension.class)
class AlertsIT {

    /** The rule's 30 s, one scrape and one evaluation (1 s each here), and scheduling slack. */
    static final Duration FIRES_WITHIN = Duration.ofSeconds(60);
    /** Back up, the alert resolves at the next evaluation; Alertmanager says so at the group's next interval (1 min). */
    static final Duration RESOLVES_WITHIN = Duration.ofSeconds(120);

    @Test
    void a_service_that_is_down_pages_through_alertmanager_and_resolves_when_it_is_back(E2eStack stack) {
        int before = stack.alertmanager.notifications().size();
        ServiceProcess video = stack.platform.service("video-service");
        long down = System.nanoTime();
        video.kill();
        Notification firing;
        long back;
        try {
            firing = await(stack, before, FIRES_WITHIN, n -> n.alertname().equals("ServiceDown") && n.status().equals("firing"));
        } finally {
            stack.platform.restart("video-service");
            back = System.nanoTime();
        }
        long firedAfter = Duration.ofNanos(System.nanoTime() - down).toSeconds();
        Notification resolved = await(stack, before, RESOLVES_WITHIN,
                n -> n.alertname().equals("ServiceDown") && n.status().equals("resolved"));
        System.out.printf("[alerts] ServiceDown for video-service: notified to %s about %d s after the kill; resolved"
                + " notification %d s after the service was back%n", firing.receiver(), firedAfter,
                Duration.ofNanos(System.nanoTime() - back).toSeconds());

        assertEquals("pager", firing.receiver(), "severity page goes to the pager: " + firing.body());
        JsonNode alert = firing.body().path("alerts").get(0);
        assertEquals("video-service", alert.path("labels").path("service").asText(), alert.toString());
        assertEquals("page", alert.path("labels").path("severity").asText(), alert.toString());
        assertEquals("video-service does not answer Prometheus", alert.path("annotations").path("summary").asText());
        assertEquals("docs/runbooks/ServiceDown.md", alert.path("annotations").path("runbook_url").asText());
        assertEquals("pager", resolved.receiver());
        // Nothing else about video-service reached a receiver: ServiceDown explains (and inhibits) its other alerts.
        // Alerts about other services may come and go on this shared stack (users online fall after the labs' heartbeats).
        List<Notification> others = stack.alertmanager.notifications().subList(before, stack.alertmanager.notifications().size())
                .stream().filter(n -> !n.alertname().equals("ServiceDown") && n.body().path("alerts").findValuesAsText("service")
                        .contains("video-service")).toList();
        assertEquals(List.of(), others.stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status()).toList(),
                "while video-service is down, ServiceDown alone is sent about it");
    }

    private static Notification await(E2eStack stack, int after, Duration within, Predicate<Notification> wanted) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<Notification> all = stack.alertmanager.notifications();
            for (Notification n : all.subList(after, all.size())) {
                if (wanted.test(n) && n.body().path("alerts").get(0).path("labels").path("service").asText().equals("video-service")) {
                    return n;
                }
            }
            ServiceProcess.pause(Duration.ofMillis(500));
        }
        throw new AssertionError("no such notification within " + within + "; Alertmanager sent: "
                + stack.alertmanager.notifications().stream().map(n -> n.receiver() + " " + n.alertname() + " " + n.status()).toList()
                + "; Prometheus' alerts: " + stack.prometheus.query("ALERTS"));
    }

    @Test
    void every_alert_rule_of_the_stack_is_loaded_and_evaluates(E2eStack stack) {
        JsonNode groups = Http.json(Http.get(stack.prometheus.baseUrl() + "/api/v1/rules")).path("data").path("groups");
        int alerting = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertTrue(rule.path("health").asText().matches("ok|unknown"), rule.toString());
                if (rule.path("type").asText().equals("alerting")) {
                    alerting++;
                }
            }
        }
        assertEquals(StackLintIT.alertNames().size(), alerting, "every alert of alerts.yml is loaded: " + groups);
    }
}
