package org.acme.gateway;

import java.net.URI;
import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.ProblemException;

/** Stands in for video-service's REST API in tests. */
@Path("/videos")
public class VideoServiceStandIn {

    static final long SLOW_VIDEO = 555;

    @GET
    @Path("/{id}")
    public VideoClient.Video video(@PathParam("id") long id) throws InterruptedException {
        if (id == SLOW_VIDEO) {
            Thread.sleep(4_000); // longer than the test bound
        }
        if (id > 300 && id != SLOW_VIDEO) {
            throw ProblemException.notFound("video " + id + " does not exist");
        }
        return new VideoClient.Video(id, "Video " + id, "Travel", 60, 1000, 1, Instant.EPOCH);
    }

    @POST
    public Response upload(VideoClient.Upload upload) {
        if (upload.title() == null || upload.title().isBlank()) {
            throw ProblemException.badRequest("title must not be blank");
        }
        VideoClient.Video video = new VideoClient.Video(301, upload.title(), "Community",
                upload.durationSeconds(), upload.sizeBytes(), upload.uploaderId(), Instant.now());
        return Response.created(URI.create("/videos/301")).entity(video).build();
    }
}
