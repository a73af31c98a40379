package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.Downstream.Request;
import org.junit.jupiter.api.Test;

import io.netty.channel.ConnectTimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.impl.NoStackTraceTimeoutException;

/** How a failed REST call to another service reaches the caller: by exception type, never by message text. */
class DownstreamTest {

    private static ProblemException failing(Request request, Throwable failure) {
        return assertThrows(ProblemException.class,
                () -> Downstream.await("user-service", Duration.ofSeconds(1), request, () -> Uni.createFrom().failure(failure)));
    }

    private static WebApplicationException answered(int status) {
        return new WebApplicationException(Response.status(status).build());
    }

    @Test
    void a_spent_budget_is_a_504_without_calling_instead_of_an_error_about_a_zero_timeout() {
        java.util.concurrent.atomic.AtomicBoolean called = new java.util.concurrent.atomic.AtomicBoolean();
        ProblemException e = assertThrows(ProblemException.class, () -> Downstream.await("user-service", Duration.ZERO,
                Request.BUILT_HERE, () -> {
                    called.set(true);
                    return Uni.createFrom().item("answer");
                }));
        assertEquals(504, e.status());
        assertTrue(e.detail().startsWith("user-service: not called: no time left"), e.detail());
        assertTrue(!called.get(), "the dependency was not called");
    }

    @Test
    void a_refused_connection_is_a_502_unreachable() {
        ProblemException e = failing(Request.CARRIES_USER_ID,
                new ProcessingException(new ConnectException("Connection refused: /127.0.0.1:1")));
        assertEquals(502, e.status());
        assertEquals("user-service: unreachable (Connection refused: /127.0.0.1:1)", e.detail());
    }

    @Test
    void a_connect_timeout_is_a_502_unreachable_not_a_504() {
        // The peer could not be reached at all: nothing was asked, so nothing "did not answer".
        ProblemException e = failing(Request.CARRIES_USER_ID,
                new ProcessingException(new ConnectTimeoutException("connection timed out after 1000 ms: /10.0.0.1:81")));
        assertEquals(502, e.status());
        assertTrue(e.detail().startsWith("user-service: unreachable (connection timed out"), e.detail());
    }

    @Test
    void a_read_timeout_is_a_504() {
        ProblemException e = failing(Request.CARRIES_USER_ID,
                new ProcessingException(new NoStackTraceTimeoutException("The timeout period of 1000ms has been exceeded")));
        assertEquals(504, e.status());
        assertEquals("user-service: no answer within 1000 ms", e.detail());
        assertEquals(504, failing(Request.CARRIES_USER_ID, new SocketTimeoutException("Read timed out")).status());
    }

    @Test
    void a_message_that_merely_mentions_a_timeout_is_not_a_timeout() {
        ProblemException e = failing(Request.CARRIES_USER_ID,
                new ProcessingException(new IllegalStateException("timed out waiting for the timeout period")));
        assertEquals(502, e.status());
    }

    @Test
    void no_answer_within_the_bound_is_a_504_even_while_waiting_for_a_pooled_connection() {
        long start = System.nanoTime();
        ProblemException e = assertThrows(ProblemException.class, () -> Downstream.await("video-service",
                Duration.ofMillis(200), Request.BUILT_HERE, () -> Uni.createFrom().nothing()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, e.status());
        assertEquals("video-service: no answer within 200 ms", e.detail());
        assertTrue(millis < 1_000, "bounded by the call's own bound: " + millis + " ms");
    }

    @Test
    void a_4xx_to_a_request_the_platform_built_is_the_platforms_502_naming_the_hop() {
        for (int status : new int[] { 400, 404, 409, 413, 422 }) {
            ProblemException e = failing(Request.BUILT_HERE, answered(status));
            assertEquals(502, e.status(), "HTTP " + status);
            assertEquals("user-service: answered HTTP " + status, e.detail());
        }
    }

    @Test
    void a_404_passes_through_where_the_users_own_id_is_the_cause() {
        assertEquals(404, failing(Request.CARRIES_USER_ID, answered(404)).status());
        assertEquals(502, failing(Request.CARRIES_USER_ID, answered(400)).status());
        assertEquals(502, failing(Request.CARRIES_USER_ID, answered(409)).status());
    }

    @Test
    void client_errors_pass_through_where_the_gateway_forwards_the_users_own_input() {
        for (int status : new int[] { 400, 404, 409, 413, 422 }) {
            assertEquals(status, failing(Request.FORWARDS_USER_INPUT, answered(status)).status());
        }
        assertEquals(502, failing(Request.FORWARDS_USER_INPUT, answered(500)).status());
        assertEquals(504, failing(Request.FORWARDS_USER_INPUT, answered(504)).status());
    }

    @Test
    void two_calls_at_once_answer_when_both_have_ended_even_if_one_failed_at_once() {
        long start = System.nanoTime();
        ProblemException e = assertThrows(ProblemException.class, () -> Downstream.awaitBoth(
                Downstream.call("user-service", Duration.ofSeconds(1), Request.BUILT_HERE,
                        () -> Uni.createFrom().item("profile").onItem().delayIt().by(Duration.ofMillis(200))),
                Downstream.call("recommend-service", Duration.ofSeconds(1), Request.BUILT_HERE,
                        () -> Uni.createFrom().failure(new ProcessingException(new ConnectException("Connection refused"))))));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("recommend-service: unreachable (Connection refused)", e.detail());
        assertTrue(millis >= 200, "answered after " + millis + " ms, before the other call had ended");
    }

    @Test
    void when_both_calls_fail_the_first_ones_failure_is_the_answer() {
        ProblemException e = assertThrows(ProblemException.class, () -> Downstream.awaitBoth(
                Downstream.call("user-service", Duration.ofSeconds(1), Request.BUILT_HERE,
                        () -> Uni.createFrom().failure(new ProcessingException(new ConnectException("Connection refused")))),
                Downstream.call("recommend-service", Duration.ofSeconds(1), Request.BUILT_HERE,
                        () -> Uni.createFrom().failure(new ProcessingException(new ConnectException("Connection refused"))))));
        assertEquals(502, e.status());
        assertEquals("user-service: unreachable (Connection refused)", e.detail());
    }
}
