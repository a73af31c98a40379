package org.acme.video;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** What a client sends to publish a video. The limits are part of the public API (see the README). */
public record UploadRequest(
        @NotBlank(message = "title must not be blank")
        @Size(max = UploadRequest.MAX_TITLE_LENGTH, message = "title must be at most {max} characters")
        @Pattern(regexp = "[^\\p{Cc}]*", message = "title must not contain control characters")
        String title,
        @NotNull(message = "durationSeconds is required")
        @Positive(message = "durationSeconds must be positive")
        @Max(value = UploadRequest.MAX_DURATION_SECONDS, message = "durationSeconds must be at most {value} (12 hours)")
        Integer durationSeconds,
        @NotNull(message = "sizeBytes is required")
        @Positive(message = "sizeBytes must be positive")
        @Max(value = UploadRequest.MAX_SIZE_BYTES, message = "sizeBytes must be at most {value} (2 GiB)")
        Long sizeBytes,
        @NotNull(message = "uploaderId is required")
        @Positive(message = "uploaderId must be a positive integer")
        Long uploaderId,
        String category) {

    public static final int MAX_TITLE_LENGTH = 120;
    public static final long MAX_DURATION_SECONDS = 12 * 3600;
    public static final long MAX_SIZE_BYTES = 2L * 1024 * 1024 * 1024;
}
