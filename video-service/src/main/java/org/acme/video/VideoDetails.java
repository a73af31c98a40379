package org.acme.video;

import java.time.Instant;

public record VideoDetails(long id, String title, String category, int durationSeconds, long sizeBytes,
        long uploaderId, Instant uploadedAt) {

    static VideoDetails of(Video video) {
        return new VideoDetails(video.id, video.title, video.category, video.durationSeconds, video.sizeBytes,
                video.uploaderId, video.uploadedAt);
    }
}
