package org.acme.user;

import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.Ids;
import org.acme.conventions.ProblemException;

import io.opentelemetry.api.trace.Span;

@Path("/users/{id}")
public class UserResource {

    static final int MAX_HISTORY = 100;

    @Inject
    UserDirectory directory;

    @Inject
    OnlineUsers online;

    @GET
    public UserProfile profile(@PathParam("id") String id) {
        return UserProfile.of(directory.find(userId(id)));
    }

    @GET
    @Path("/history")
    public WatchHistory history(@PathParam("id") String id, @QueryParam("limit") String limit) {
        long userId = userId(id);
        return new WatchHistory(userId, directory.watchHistory(userId, historyLimit(limit)));
    }

    @POST
    @Path("/history")
    public Response recordView(@PathParam("id") String id, ViewRequest view) {
        long userId = userId(id);
        if (view == null || view.videoId() == null) {
            throw ProblemException.badRequest("body must be {\"videoId\": <positive integer>}");
        }
        long videoId = Ids.parse("videoId", view.videoId().toString());
        Span.current().setAttribute("app.video.id", videoId);
        directory.recordView(userId, videoId);
        return Response.noContent().build();
    }

    @POST
    @Path("/heartbeat")
    public Heartbeat heartbeat(@PathParam("id") String id, @QueryParam("page") String page) {
        long userId = userId(id);
        directory.find(userId);
        Instant until = online.heartbeat(userId, page);
        return new Heartbeat(userId, page, until, online.count(page));
    }

    private static long userId(String raw) {
        long userId = Ids.parse("user id", raw);
        Span.current().setAttribute("app.user.id", userId);
        return userId;
    }

    private static int historyLimit(String raw) {
        if (raw == null) {
            return 20;
        }
        long limit = Ids.parse("limit", raw);
        if (limit > MAX_HISTORY) {
            throw ProblemException.badRequest("limit must be at most " + MAX_HISTORY + ", got " + limit);
        }
        return (int) limit;
    }
}
