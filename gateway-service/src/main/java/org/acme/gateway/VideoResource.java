package org.acme.gateway;

import java.net.URI;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.Budget;
import org.acme.conventions.Downstream;
import org.acme.conventions.Downstream.Request;
import org.acme.conventions.Ids;
import org.acme.conventions.ProblemException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.http.HttpServerRequest;

@Path("/api/videos")
public class VideoResource {

    @Inject
    @RestClient
    VideoClient videos;

    @Inject
    @RestClient
    UserClient users;

    @Inject
    Bounds bounds;

    /** A video's page; with {@code userId}, the view goes into that user's watch history. */
    @GET
    @Path("/{id}")
    public VideoDetails video(@PathParam("id") String id, @QueryParam("userId") String userIdParam,
            @Context HttpServerRequest request) {
        long videoId = Ids.parse("video id", id);
        Span.current().setAttribute("app.video.id", videoId);
        Budget budget = Budget.of(bounds.request());
        VideoClient.Video video = Downstream.await("video-service", budget.bound(bounds.videoService()),
                Request.CARRIES_USER_ID, () -> videos.video(videoId));
        // Present but empty ("?userId=") is a 400, as on the home page, not "no user".
        if (request.params().contains("userId")) {
            long userId = Ids.parse("userId", userIdParam != null ? userIdParam : "");
            Span.current().setAttribute("app.user.id", userId);
            Downstream.await("user-service", budget.bound(bounds.userService()), Request.CARRIES_USER_ID,
                    () -> users.recordView(userId, new UserClient.View(videoId)));
        }
        return VideoDetails.of(video);
    }

    @POST
    public Response upload(VideoUpload upload) {
        if (upload == null) {
            throw ProblemException.badRequest("body must be a JSON object with title, durationSeconds, sizeBytes and uploaderId");
        }
        // The upload is the user's own input, forwarded as it came: video-service's 4xx about it is theirs.
        VideoClient.Video video = Downstream.await("video-service",
                Budget.of(bounds.request()).bound(bounds.videoService()), Request.FORWARDS_USER_INPUT, () -> videos.upload(upload.forVideoService()));
        Span.current().setAttribute("app.video.id", video.id());
        return Response.created(URI.create("/api/videos/" + video.id())).entity(VideoDetails.of(video)).build();
    }
}
