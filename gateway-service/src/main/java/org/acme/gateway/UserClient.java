package org.acme.gateway;

import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** user-service: profiles, watch history, who is online. Its types are user-service's answers; the public API has its own. Each call is a {@link Uni}, so its bound covers the whole call. */
@RegisterRestClient(configKey = "user-service")
@Path("/users/{id}")
public interface UserClient {

    record Profile(long id, String name, String handle, String country, Instant joinedAt) {
    }

    record View(long videoId) {
    }

    record Presence(long userId, String page, Instant onlineUntil, long onlineOnPage) {
    }

    @GET
    Uni<Profile> profile(@PathParam("id") long id);

    @POST
    @Path("/history")
    Uni<Void> recordView(@PathParam("id") long id, View view);

    @POST
    @Path("/heartbeat")
    Uni<Presence> heartbeat(@PathParam("id") long id, @QueryParam("page") String page);
}
