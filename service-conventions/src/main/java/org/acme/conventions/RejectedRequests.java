package org.acme.conventions;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Answers as problem+json the requests refused before any resource runs: by the router (no usable
 * Host header, for one), which Quarkus would answer with its own JSON shape, and a body declared
 * larger than {@code quarkus.http.limits.max-body-size}, which Quarkus would answer with an empty 413.
 */
@IfBuildProperty(name = Conventions.ERROR_CONTRACT, stringValue = "true")
@ApplicationScoped
public class RejectedRequests {

    private static final Logger LOG = Logger.getLogger(RejectedRequests.class);

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    void answerAsProblems(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::refuseOversizedBodies).failureHandler(this::answer);
    }

    // Runs before Quarkus' own check of the same limit.
    void refuseOversizedBodies(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > maxBodySize.asLongValue()) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
            context.fail(413);
        } else {
            context.next();
        }
    }

    void answer(RoutingContext context) {
        HttpServerResponse response = context.response();
        if (response.headWritten() || response.closed()) {
            context.next();
            return;
        }
        int status = context.statusCode() > 0 ? context.statusCode() : 500;
        String detail;
        if (status >= 500) {
            LOG.error("Request failed before reaching a resource", context.failure());
            detail = "unexpected failure; the trace " + TraceIds.current() + " shows where";
        } else if (status == 413) {
            detail = "the request body is larger than " + maxBodySize.asLongValue() + " bytes";
        } else if (status == 400 && context.request().authority() == null) {
            detail = "the request has no valid Host header";
        } else {
            detail = "the request was rejected before reaching a resource (HTTP " + status + ")";
        }
        String traceId = TraceIds.current();
        JsonObject problem = new JsonObject()
                .put("type", "about:blank")
                .put("title", Problem.titleOf(status, "Error"))
                .put("status", status)
                .put("detail", detail)
                .put("instance", ProblemResponses.instance(context.request()));
        if (traceId != null) {
            problem.put("traceId", traceId);
            response.putHeader(TraceIds.HEADER, traceId);
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(problem.encode());
    }
}
