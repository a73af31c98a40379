package org.acme.gateway;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.Budget;
import org.acme.conventions.Downstream;
import org.acme.conventions.Downstream.Request;
import org.acme.conventions.Ids;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.opentelemetry.api.trace.Span;

@Path("/api/users/{id}")
public class UserResource {

    @Inject
    @RestClient
    UserClient users;

    @Inject
    Bounds bounds;

    @GET
    public UserProfile profile(@PathParam("id") String id) {
        long userId = userId(id);
        return UserProfile.of(Downstream.await("user-service", Budget.of(bounds.request()).bound(bounds.userService()), Request.CARRIES_USER_ID,
                () -> users.profile(userId)));
    }

    /** Marks the user online on a page for a while; the site's pages send one every few seconds. */
    @POST
    @Path("/heartbeat")
    public Presence heartbeat(@PathParam("id") String id, @QueryParam("page") String page) {
        long userId = userId(id);
        // The page is the user's own input: user-service's 400 about it is theirs.
        return Presence.of(Downstream.await("user-service", Budget.of(bounds.request()).bound(bounds.userService()),
                Request.FORWARDS_USER_INPUT, () -> users.heartbeat(userId, page)));
    }

    private static long userId(String raw) {
        long userId = Ids.parse("user id", raw);
        Span.current().setAttribute("app.user.id", userId);
        return userId;
    }
}
