package org.acme.conventions;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Tags;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Keeps the route of a failed request in {@code http_server_requests_seconds{uri}}. This module's defaults set
 * {@code quarkus.micrometer.binder.http-server.suppress4xx-errors}, so that a client cannot choose a label with a
 * made-up path. In Quarkus 3.33.2 that setting applies to every status of 400 or more, 5xx included, and keeps the
 * {@code uri} only when the route template differs from the path (HttpCommonTags.uri): every failure of a route
 * without parameters ({@code GET /api/home}, {@code POST /api/videos}) was counted under {@code uri="UNKNOWN"},
 * outside the pages' error ratio, so no availability alert could fire for the home page. Found on 2026-12-05 by
 * AlertsIT (lab 6's page never came). The template put here is the one of the REST resource that matched, the
 * server's, never the client's path; a request no resource matched keeps {@code UNKNOWN} or {@code NOT_FOUND}.
 * Delete when {@code RouteOfFailedRequestsStillNeededTest} (gateway) fails.
 */
@IfBuildProperty(name = Conventions.LATENCY_HISTOGRAMS, stringValue = "true")
@Singleton
public class RouteOfFailedRequests {

    /** Where Quarkus REST leaves the matched resource's path template, for its own metrics. */
    static final String URL_PATH_TEMPLATE = "UrlPathTemplate";

    @Produces
    @Singleton
    HttpServerMetricsTagsContributor routeOfFailedRequests() {
        return context -> {
            if (context.response() == null || context.response().statusCode() < 400) {
                return Tags.empty();
            }
            Object template = context.requestContextLocalData(URL_PATH_TEMPLATE);
            return template instanceof String route && route.startsWith("/") ? Tags.of("uri", route) : Tags.empty();
        };
    }
}
