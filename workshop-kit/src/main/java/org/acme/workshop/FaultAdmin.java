package org.acme.workshop;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.acme.conventions.Problem;
import org.acme.conventions.ProblemException;
import org.acme.conventions.TraceIds;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The trainer's side of the fault switches, for {@code scripts/fault}:
 * <pre>
 * GET    /admin/faults                 what is on, and every switch this service has
 * POST   /admin/faults                 {"kind":"latency","target":"db.find_videos","delay":"300ms","jitter":"100ms"}
 *                                      {"kind":"error","target":"GET /users/{id}/history","rate":0.5}
 * DELETE /admin/faults                 every fault off
 * DELETE /admin/faults?fault=kind:target  one fault off
 * </pre>
 * On the service's management interface when it has one (the gateway: never on its public port),
 * otherwise on its own HTTP port (the backends, which are not public).
 */
@ApplicationScoped
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class FaultAdmin {

    static final String PATH = "/admin/faults";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s)");

    @Inject
    FaultSwitches faults;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    @ConfigProperty(name = "quarkus.management.enabled", defaultValue = "false")
    boolean management;

    void onPublicRouter(@Observes Router router) {
        if (!management) {
            routes(router);
        }
    }

    void onManagementInterface(@Observes ManagementInterface managementInterface) {
        routes(managementInterface.router());
    }

    private void routes(Router router) {
        router.get(PATH).handler(this::list);
        // Vert.x wants the body handler first; it reads at most 4 KiB.
        router.post(PATH).handler(BodyHandler.create().setBodyLimit(4_096)).handler(FaultAdmin::refuseBrowsers)
                .handler(FaultAdmin::jsonOnly).handler(this::switchOn);
        router.delete(PATH).handler(FaultAdmin::refuseBrowsers).handler(this::switchOff);
    }

    /**
     * The admin API is for the trainer's scripts, never for a web page: a request a browser sent on a page's
     * behalf carries that page's {@code Origin} (any cross-origin request does, and so does a same-origin POST),
     * so a request with one changes nothing. No CORS header is ever sent, so a page cannot read the answers.
     */
    private static void refuseBrowsers(RoutingContext rc) {
        if (rc.request().getHeader("Origin") != null) {
            problem(rc, 403, "the fault switches are not for web pages: a request with an Origin header changes nothing");
        } else {
            rc.next();
        }
    }

    /** Only a JSON body: a page's form or no-cors fetch (text/plain, a form) cannot send one without a CORS preflight. */
    private static void jsonOnly(RoutingContext rc) {
        String type = rc.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            problem(rc, 415, "the body must be application/json, got " + (type == null ? "no Content-Type" : ProblemException.excerpt(type)));
        } else {
            rc.next();
        }
    }

    private void list(RoutingContext rc) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("service", service);
        state.put("active", faults.active().stream().map(FaultAdmin::describe).toList());
        state.put("available", faults.available().keySet());
        answer(rc, 200, state);
    }

    private void switchOn(RoutingContext rc) {
        try {
            JsonNode body = json.readTree(rc.body().asString() == null ? "" : rc.body().asString());
            if (body == null || !body.isObject()) {
                throw new IllegalArgumentException("the body must be a JSON object such as {\"kind\":\"latency\",\"target\":\"db.find_videos\",\"delay\":\"300ms\"}");
            }
            Fault fault = faults.switchOn(text(body, "kind", true), text(body, "target", true),
                    duration(body, "delay"), duration(body, "jitter"), rate(body));
            answer(rc, 200, describe(fault));
        } catch (JsonProcessingException e) {
            problem(rc, 400, "the body is not valid JSON");
        } catch (IllegalArgumentException e) {
            problem(rc, 400, e.getMessage());
        }
    }

    private void switchOff(RoutingContext rc) {
        List<String> named = rc.queryParam("fault");
        if (named.isEmpty()) {
            answer(rc, 200, Map.of("service", service, "switchedOff", faults.reset()));
        } else if (faults.switchOff(named.get(0))) {
            answer(rc, 200, Map.of("service", service, "switchedOff", 1));
        } else {
            problem(rc, 404, "fault " + named.get(0) + " is not on");
        }
    }

    private static Map<String, Object> describe(Fault fault) {
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("fault", fault.name());
        description.put("settings", fault.settings());
        description.put("since", fault.since().toString());
        return description;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            if (required) {
                throw new IllegalArgumentException("'" + field + "' is required, as a string");
            }
            return null;
        }
        return value.asText();
    }

    private static Duration duration(JsonNode body, String field) {
        String value = text(body, field, false);
        if (value == null) {
            return null;
        }
        Matcher m = DURATION.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + field + "' must be a duration such as 300ms or 2s, got " + value);
        }
        long amount = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
    }

    private static Double rate(JsonNode body) {
        JsonNode value = body.get("rate");
        if (value == null) {
            return null;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("'rate' must be a number, more than 0 and at most 1");
        }
        return value.asDouble();
    }

    private static void problem(RoutingContext rc, int status, String detail) {
        Problem problem = new Problem("about:blank", Problem.titleOf(status, "Error"), status, detail, PATH, TraceIds.current());
        rc.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE).end(Json.encode(problem));
    }

    private static void answer(RoutingContext rc, int status, Object body) {
        rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(Json.encode(body));
    }
}
