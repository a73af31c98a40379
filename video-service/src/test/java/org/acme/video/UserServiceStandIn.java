package org.acme.video;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.ProblemException;

/** Stands in for user-service during tests; the REST client really calls it over loopback. */
@Path("/users")
public class UserServiceStandIn {

    @GET
    @Path("/{id}")
    public Response profile(@PathParam("id") long id) {
        if (id > 40) {
            throw ProblemException.notFound("user " + id + " does not exist");
        }
        return Response.ok(new UserClient.UserProfile(id, "User " + id)).build();
    }
}
