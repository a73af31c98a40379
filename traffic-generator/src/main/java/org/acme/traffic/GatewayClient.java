package org.acme.traffic;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The site's public API, as a browser calls it. Every method answers the raw {@link Response}: a
 * 4xx or 5xx is an outcome to count, not an exception (quarkus.rest-client.disable-default-mapper).
 */
@RegisterRestClient(configKey = "gateway")
@Path("/api")
public interface GatewayClient {

    /** The part of the home page a user acts on: the feed's video ids. */
    // Read with readEntity, which a native image needs registered (no client method returns them).
    @RegisterForReflection
    record HomePage(List<FeedItem> feed) {
    }

    @RegisterForReflection
    record FeedItem(long id) {
    }

    record Upload(String title, int durationSeconds, long sizeBytes, long uploaderId, String category) {
    }

    @GET
    @Path("/home")
    Response home(@QueryParam("userId") long userId);

    /** A video's page; the view goes into the user's watch history. */
    @GET
    @Path("/videos/{id}")
    Response watch(@PathParam("id") long videoId, @QueryParam("userId") long userId);

    @POST
    @Path("/users/{id}/heartbeat")
    Response heartbeat(@PathParam("id") long userId, @QueryParam("page") String page);

    @POST
    @Path("/videos")
    Response upload(Upload upload);
}
