package org.acme.conventions;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem detail, as every service of the site answers a failure.
 * {@code traceId} leads from the error a user saw to the trace that explains it.
 */
// Only ever a Response entity or a readEntity target, which Quarkus does not register by itself:
// without this, a native image would serialize it as {}.
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String traceId) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** The standard title of an HTTP status ("Bad Gateway" for 502), or {@code fallback} for one Jakarta REST does not name. */
    public static String titleOf(int status, String fallback) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : fallback;
    }
}
