package org.acme.gateway;

/**
 * An upload, as the site's API takes it ({@code POST /api/videos}). Fields are boxed so that a missing one
 * reaches video-service, which validates and counts every attempt, and answers what was wrong.
 */
public record VideoUpload(String title, Integer durationSeconds, Long sizeBytes, Long uploaderId, String category) {

    VideoClient.Upload forVideoService() {
        return new VideoClient.Upload(title, durationSeconds, sizeBytes, uploaderId, category);
    }
}
