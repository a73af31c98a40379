package org.acme.conventions;

import java.util.stream.Collectors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** Answers every failure of a service as problem+json carrying the trace id. */
public class ProblemResponses {

    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);
    private static final FailureLog FAILURES = FailureLog.of(LOG);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        if (e.status() >= 500) {
            FAILURES.warn(e.title() + ": " + e.detail());
            markFailed(e);
        } else {
            LOG.debugf("%s: %s", e.title(), e.detail());
        }
        return respond(e.status(), e.title(), e.detail(), uri);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        String detail = cause instanceof JsonProcessingException json
                ? malformedJson(json, "")
                : status == 404 ? "no resource at " + (uri != null ? uri.getRequestUri().getRawPath() : "this path")
                : e.getMessage();
        if (status >= 500) {
            LOG.error("Request failed", e);
            markFailed(e);
        }
        return respond(status, Problem.titleOf(status, "Error"), detail, uri);
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return respond(400, "Bad Request", malformedJson(e, ""), uri);
    }

    // Replaces Quarkus' built-in mapper for a JSON value of the wrong type, which answers plain JSON.
    @ServerExceptionMapper
    public Response jsonValue(MismatchedInputException e, UriInfo uri) {
        String field = e.getPath().stream().map(p -> p.getFieldName() != null ? p.getFieldName() : "[" + p.getIndex() + "]")
                .collect(Collectors.joining("."));
        return respond(400, "Bad Request", malformedJson(e, field), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.error("Unexpected failure", e);
        markFailed(e);
        return respond(500, "Internal Server Error",
                "unexpected " + e.getClass().getSimpleName() + "; the trace " + TraceIds.current() + " shows where",
                uri);
    }

    /** {@code field}: the JSON path of the offending value, or empty when the body as a whole is malformed. */
    private static String malformedJson(JsonProcessingException e, String field) {
        // Jackson appends where in the source it stopped; the client only needs what was wrong.
        String what = e.getOriginalMessage().replaceAll("\\s*(\\(start marker at )?\\[Source:.*$", "");
        return "malformed JSON body: " + (field.isEmpty() ? "" : field + ": ") + what;
    }

    private static void markFailed(Throwable e) {
        Span span = Span.current();
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getMessage());
    }

    private static Response respond(int status, String title, String detail, UriInfo uri) {
        Problem problem = new Problem("about:blank", title, status, detail,
                uri != null ? uri.getRequestUri().getRawPath() : null, TraceIds.current());
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
