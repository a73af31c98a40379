package org.acme.gateway;

import java.time.Instant;

/** A video, as the site's API answers it ({@code GET /api/videos/{id}}, an accepted upload). */
public record VideoDetails(long id, String title, String category, int durationSeconds, long sizeBytes, long uploaderId,
        Instant uploadedAt) {

    static VideoDetails of(VideoClient.Video video) {
        return new VideoDetails(video.id(), video.title(), video.category(), video.durationSeconds(), video.sizeBytes(),
                video.uploaderId(), video.uploadedAt());
    }
}
