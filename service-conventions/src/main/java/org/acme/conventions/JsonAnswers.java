package org.acme.conventions;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.arc.properties.IfBuildProperty;

/**
 * The API speaks JSON only and answers it whatever the Accept header asks (RFC 9110 lets a server
 * do so), so that a 406 never hides the real answer, such as the 400 of a malformed id.
 */
@IfBuildProperty(name = Conventions.ERROR_CONTRACT, stringValue = "true")
public class JsonAnswers {

    @ServerRequestFilter(preMatching = true)
    public void answerJson(ContainerRequestContext request) {
        if (request.getHeaderString(HttpHeaders.ACCEPT) == null) {
            return;
        }
        boolean acceptsJson;
        try {
            acceptsJson = request.getAcceptableMediaTypes().stream()
                    .anyMatch(type -> type.isCompatible(MediaType.APPLICATION_JSON_TYPE)
                            || type.isCompatible(MediaType.valueOf(Problem.MEDIA_TYPE)));
        } catch (IllegalArgumentException unparsable) {
            acceptsJson = false;
        }
        if (!acceptsJson) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
        }
    }
}
