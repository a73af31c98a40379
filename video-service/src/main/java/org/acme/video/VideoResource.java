package org.acme.video;

import java.net.URI;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.Ids;

import io.opentelemetry.api.trace.Span;

@Path("/videos")
public class VideoResource {

    @Inject
    VideoCatalog catalog;

    @Inject
    VideoUploads uploads;

    @GET
    @Path("/{id}")
    public VideoDetails video(@PathParam("id") String id) {
        long videoId = Ids.parse("video id", id);
        Span.current().setAttribute("app.video.id", videoId);
        return VideoDetails.of(catalog.find(videoId));
    }

    @POST
    public Response upload(UploadRequest upload) {
        Video video = uploads.upload(upload);
        return Response.created(URI.create("/videos/" + video.id)).entity(VideoDetails.of(video)).build();
    }
}
