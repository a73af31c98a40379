package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.acme.e2e.OtlpReceiver.ReceivedLog;
import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;

/** "Something went wrong" at the front: from the error the user saw to the failing hop and its logs. */
@Order(4)
@ExtendWith(PlatformExtension.class)
class FailureStoryIT {

    @Test
    void with_video_service_down_the_error_leads_to_the_failing_hop_and_its_logs(E2eStack stack) {
        FeedCache.off(stack); // so recommend-service needs video-service for this user's feed
        stack.platform.service("video-service").stop();
        try {
            HttpResponse<String> response = Http.get(stack.gateway() + "/api/home?userId=33");

            assertEquals(502, response.statusCode(), response.body());
            JsonNode problem = Http.problem(response);
            assertEquals(502, problem.path("status").asInt());
            assertEquals("Bad Gateway", problem.path("title").asText());
            assertTrue(problem.path("detail").asText().startsWith("recommend-service: unavailable (video-service: "),
                    problem.toString());
            String traceId = problem.path("traceId").asText();
            assertEquals(Http.traceId(response), traceId);

            // The trace: recommend-service's call to video-service is the failing span.
            ReceivedSpan failingHop = await().atMost(Duration.ofSeconds(10)).until(
                    () -> stack.receiver.spansOf(traceId).stream()
                            .filter(s -> s.service().equals("recommend-service")
                                    && s.span().getKind() == SpanKind.SPAN_KIND_CLIENT
                                    && s.span().getName().startsWith("videosite.video.v1.VideoCatalogService/"))
                            .findFirst().orElse(null),
                    span -> span != null);
            assertEquals(StatusCode.STATUS_CODE_ERROR, failingHop.span().getStatus().getCode());
            assertEquals("14", failingHop.attribute("rpc.grpc.status_code"), "UNAVAILABLE");

            // Its logs: a WARN (or worse) record with the same trace id, from the service that saw it fail.
            // Log records are exported in batches, behind the spans: on a loaded machine that takes a while.
            List<ReceivedLog> warnings = await().atMost(Duration.ofSeconds(30)).until(
                    () -> stack.receiver.logsOf(traceId).stream()
                            .filter(l -> l.record().getSeverityNumberValue() >= SeverityNumber.SEVERITY_NUMBER_WARN_VALUE)
                            .toList(),
                    logs -> logs.stream().anyMatch(l -> l.service().equals("recommend-service"))
                            && logs.stream().anyMatch(l -> l.service().equals("gateway-service")));
            assertTrue(warnings.stream().allMatch(l -> l.traceId().equals(traceId)), warnings.toString());
        } finally {
            stack.platform.restart("video-service");
            FeedCache.on(stack);
            // Back up: the same request succeeds again (the gRPC channel reconnects on its own); waited for
            // even if a check above failed, so that the tests after this one find the site whole.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> Http.get(stack.gateway() + "/api/home?userId=33").statusCode() == 200);
        }
    }
}
