package org.acme.recommend;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** user-service, asked what a user watched. */
@RegisterRestClient(configKey = "user-service")
@Path("/users")
public interface UserClient {

    record WatchHistory(long userId, List<Long> videoIds) {
    }

    @GET
    @Path("/{id}/history")
    Uni<WatchHistory> history(@PathParam("id") long userId, @QueryParam("limit") int limit);
}
