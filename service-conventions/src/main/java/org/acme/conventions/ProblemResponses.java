package org.acme.conventions;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.channels.ClosedChannelException;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Answers every failure of a service as problem+json carrying the trace id. Details speak of the
 * request (a field, a value), never of the Java code behind it.
 */
@IfBuildProperty(name = Conventions.ERROR_CONTRACT, stringValue = "true")
public class ProblemResponses {

    private static final Logger LOG = Logger.getLogger(ProblemResponses.class);
    private static final FailureLog FAILURES = FailureLog.of(LOG);

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        if (e.status() >= 500) {
            FAILURES.warn(e.title() + ": " + e.detail());
            markFailed(e);
        } else {
            LOG.debugf("%s: %s", e.title(), e.detail());
        }
        return respond(e.status(), e.title(), e.detail(), request);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        String detail = e.getCause() instanceof JsonProcessingException json ? malformedJson(json)
                : status == 404 ? "no resource at " + instance(request)
                : e.getMessage();
        if (status >= 500) {
            LOG.error("Request failed", e);
            markFailed(e);
        }
        return respond(status, Problem.titleOf(status, "Error"), detail, request);
    }

    // Replaces Quarkus' built-in mappers for JSON errors, which answer plain JSON naming Java classes.
    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return respond(400, "Bad Request", malformedJson(e), request);
    }

    @ServerExceptionMapper
    public Response jsonValue(MismatchedInputException e, HttpServerRequest request) {
        return respond(400, "Bad Request", malformedJson(e), request);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        if (clientWentAway(e)) {
            // Nobody reads this answer; it keeps the request out of the 5xx count and the error log.
            LOG.debugf("Client closed the connection before its request was complete: %s", e.toString());
            return respond(400, "Bad Request", "the request ended early: the client closed the connection", request);
        }
        LOG.error("Unexpected failure", e);
        markFailed(e);
        return respond(500, "Internal Server Error",
                "unexpected failure; the trace " + TraceIds.current() + " shows where", request);
    }

    /** The request path as the problem's {@code instance}, cut so that a huge URL is not echoed whole. */
    static String instance(HttpServerRequest request) {
        String path = request != null ? request.path() : null;
        if (path == null) {
            return null;
        }
        return path.length() <= 200 ? path : path.substring(0, 200) + "…";
    }

    private static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClosedChannelException || t instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    private static String malformedJson(JsonProcessingException e) {
        if (e instanceof MismatchedInputException mismatch) {
            String field = fieldOf(mismatch);
            return "malformed JSON body: " + (field.isEmpty() ? "" : field + ": ") + expected(mismatch.getTargetType());
        }
        if (e instanceof JsonMappingException mapping && !(e instanceof JsonParseException)) {
            String field = fieldOf(mapping);
            return "malformed JSON body: " + (field.isEmpty() ? "unexpected value" : field + ": unexpected value");
        }
        // A syntax error: Jackson's words, without where in its source it stopped or any type it names.
        String what = e.getOriginalMessage().replaceAll("\\s*(\\(start marker at )?\\[Source:.*$", "")
                .replaceAll("`[^`]*`", "a value");
        return "malformed JSON body: " + what;
    }

    private static String fieldOf(JsonMappingException e) {
        return e.getPath().stream().map(p -> p.getFieldName() != null ? p.getFieldName() : "[" + p.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** What the JSON value should have been, in JSON's words. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "a value of another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == BigInteger.class) {
            return "must be an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class || type == BigDecimal.class) {
            return "must be a number";
        }
        if (type == String.class || type.isEnum()) {
            return "must be a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "must be an array";
        }
        if (Map.class.isAssignableFrom(type) || !type.isPrimitive()) {
            return "must be an object";
        }
        return "a value of another type";
    }

    private static void markFailed(Throwable e) {
        Span span = Span.current();
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getMessage());
    }

    private static Response respond(int status, String title, String detail, HttpServerRequest request) {
        Problem problem = new Problem("about:blank", title, status, detail, instance(request), TraceIds.current());
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
