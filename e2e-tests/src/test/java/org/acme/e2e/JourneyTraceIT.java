package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;

/**
 * The traffic generator against the real four services: a journey it plays is one trace, rooted
 * in the generator, through the gateway into every service. It runs only for this test, and
 * before the tests that break the platform on purpose.
 */
@Order(3)
@ExtendWith(PlatformExtension.class)
class JourneyTraceIT {

    private static final String HOME_AND_WATCH = "journey home-and-watch";

    @Test
    void a_journey_of_the_traffic_generator_is_one_trace_from_its_root_span_through_all_four_services(E2eStack stack) {
        Set<String> startedBefore = stack.receiver.rootsOf(Platform.TRAFFIC_GENERATOR, HOME_AND_WATCH).stream()
                .map(ReceivedSpan::traceId).collect(Collectors.toSet());
        stack.platform.startTrafficGenerator(Platform.Launch.withJvmOptions(List.of("-Xmx64m")),
                Map.of("APP_TRAFFIC_RATE", "4", "APP_TRAFFIC_THINK_TIME", "100ms"));
        SpanTree trace;
        try {
            // The journey's root span ends last, when the user leaves; the rest of its trace follows within a batch or
            // two. The first journeys meet cold JVMs (on a busy machine they may time out): the first one that went
            // through without an error is the one looked at.
            trace = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(
                    () -> stack.receiver.rootsOf(Platform.TRAFFIC_GENERATOR, HOME_AND_WATCH).stream()
                            .filter(root -> !startedBefore.contains(root.traceId()))
                            .map(root -> new SpanTree(stack.receiver.spansOf(root.traceId())))
                            .filter(JourneyTraceIT::completeAndSucceeded).findFirst().orElse(null),
                    tree -> tree != null);
        } finally {
            stack.platform.stopTrafficGenerator();
        }
        System.out.println("[e2e] a journey of the traffic generator:\n" + trace.render());

        assertEquals(1, trace.roots().size(), trace.render());
        ReceivedSpan journey = trace.roots().get(0);
        assertEquals(Platform.TRAFFIC_GENERATOR, journey.service());
        assertEquals("home-and-watch", journey.attribute("app.journey"));
        String userId = journey.attribute("app.user.id");

        // Under the journey: the generator's client calls, each with exactly one gateway request under it.
        List<ReceivedSpan> calls = trace.children(journey);
        assertEquals(4, calls.size(), "home, heartbeat, video page, heartbeat:\n" + trace.render());
        List<String> gatewayRequests = calls.stream().map(call -> {
            assertEquals(SpanKind.SPAN_KIND_CLIENT, call.span().getKind());
            assertEquals(Platform.TRAFFIC_GENERATOR, call.service());
            List<ReceivedSpan> served = trace.children(call);
            assertEquals(1, served.size(), call.span().getName() + " has one server span under it:\n" + trace.render());
            assertEquals("gateway-service", served.get(0).service());
            assertEquals(SpanKind.SPAN_KIND_SERVER, served.get(0).span().getKind());
            assertEquals("200", served.get(0).attribute("http.response.status_code"), trace.render());
            return served.get(0).span().getName();
        }).toList();
        assertEquals(List.of("GET /api/home", "POST /api/users/{id}/heartbeat", "GET /api/videos/{id}",
                "POST /api/users/{id}/heartbeat"), gatewayRequests);
        assertEquals(userId, trace.children(calls.get(0)).get(0).attribute("app.user.id"));
        assertEquals(journey.attribute("app.video.id"), trace.children(calls.get(2)).get(0).attribute("app.video.id"));
        assertTrue(trace.spans().stream().noneMatch(s -> s.span().getStatus().getCode().getNumber() == 2),
                "no span failed:\n" + trace.render());
    }

    /** Every parent present, every service in it, a server span under each call of the generator, and no error. */
    private static boolean completeAndSucceeded(SpanTree tree) {
        return tree.orphans().isEmpty() && services(tree).containsAll(Platform.APPLICATIONS)
                && tree.roots().stream().flatMap(root -> tree.children(root).stream()).allMatch(call -> !tree.children(call).isEmpty())
                && tree.spans().stream().noneMatch(s -> s.span().getStatus().getCode().getNumber() == 2);
    }

    private static Set<String> services(SpanTree tree) {
        return tree.spans().stream().map(ReceivedSpan::service).collect(Collectors.toSet());
    }
}
