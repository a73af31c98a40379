package org.acme.conventions;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Workaround: the management interface (health, metrics, and whatever else a service puts there) answers web pages
 * of other origins no CORS header, so a page in the user's browser cannot read it.
 * <ul>
 * <li>Upstream behaviour: Quarkus puts Vert.x' {@code CorsHandler} allowing every origin ({@code *}) first on the
 * management interface's router, whatever {@code quarkus.http.cors.*} says (seen in
 * {@code VertxHttpRecorder.initializeManagementInterface}, Quarkus 3.33.2); no setting switches it off.</li>
 * <li>Seen in: Quarkus 3.33.2.</li>
 * <li>Delete when: {@code ManagementInterfaceCorsTest.upstream_a_preflight_to_the_management_interface_is_allowed_from_anywhere}
 * (gateway-service) fails: Quarkus no longer allows every origin there.</li>
 * </ul>
 * It removes the CORS headers from every answer that reaches a route. A preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) is answered by Quarkus' handler before any route, so it keeps its
 * {@code *}: the request that follows it then carries an {@code Origin}, which the fault admin API refuses, and
 * its answer carries no CORS header, so the page cannot read it.
 */
@IfBuildProperty(name = Conventions.MANAGEMENT_WITHOUT_CORS, stringValue = "true")
@ApplicationScoped
public class ManagementInterfaceWithoutCors {

    static final List<CharSequence> CORS_HEADERS = List.of(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN,
            HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS,
            HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS,
            HttpHeaders.ACCESS_CONTROL_MAX_AGE);

    void withoutCors(@Observes ManagementInterface managementInterface) {
        managementInterface.router().route().order(Integer.MIN_VALUE).handler(context -> {
            HttpServerResponse response = context.response();
            strip(response.headers());
            context.addHeadersEndHandler(ignored -> strip(response.headers()));
            context.next();
        });
    }

    private static void strip(MultiMap headers) {
        CORS_HEADERS.forEach(headers::remove);
    }
}
