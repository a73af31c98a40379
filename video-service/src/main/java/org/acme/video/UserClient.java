package org.acme.video;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** user-service, asked whether an uploader exists. */
@RegisterRestClient(configKey = "user-service")
@Path("/users")
public interface UserClient {

    record UserProfile(long id, String name) {
    }

    @GET
    @Path("/{id}")
    Uni<UserProfile> profile(@PathParam("id") long id);
}
