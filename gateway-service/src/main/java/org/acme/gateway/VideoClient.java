package org.acme.gateway;

import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** video-service: video details and uploads. Its types are video-service's; the public API has its own. */
@RegisterRestClient(configKey = "video-service")
@Path("/videos")
public interface VideoClient {

    record Video(long id, String title, String category, int durationSeconds, long sizeBytes,
            long uploaderId, Instant uploadedAt) {
    }

    /** An upload as the site's client sent it: video-service validates and counts every attempt. */
    record Upload(String title, Integer durationSeconds, Long sizeBytes, Long uploaderId, String category) {
    }

    @GET
    @Path("/{id}")
    Uni<Video> video(@PathParam("id") long id);

    @POST
    Uni<Video> upload(Upload upload);
}
