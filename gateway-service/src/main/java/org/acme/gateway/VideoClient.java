package org.acme.gateway;

import java.time.Instant;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;

/** video-service: video details and uploads. */
@RegisterRestClient(configKey = "video-service")
@Path("/videos")
public interface VideoClient {

    record VideoDetails(long id, String title, String category, int durationSeconds, long sizeBytes,
            long uploaderId, Instant uploadedAt) {
    }

    /** Passed through as the client sent it: video-service validates and counts every attempt. */
    record Upload(String title, Integer durationSeconds, Long sizeBytes, Long uploaderId, String category) {
    }

    @GET
    @Path("/{id}")
    Uni<VideoDetails> video(@PathParam("id") long id);

    @POST
    Uni<VideoDetails> upload(Upload upload);
}
