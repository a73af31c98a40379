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
        @Pattern(regexp = UploadRequest.NO_HIDDEN_CHARACTERS, message = "title must not contain control characters or "
                + "invisible formatting characters (bidi overrides, zero-width spaces)")
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
    /**
     * No control character, and none of the invisible format characters that make a title read otherwise than it is
     * stored: bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the zero-width space (U+200B),
     * word joiner and invisible operators (U+2060–U+2064), the byte order mark (U+FEFF). The joiners (U+200C, U+200D,
     * which emoji sequences and some scripts need) and the direction marks (U+200E, U+200F) stay allowed.
     */
    static final String NO_HIDDEN_CHARACTERS = "[^\\p{Cc}\\u200B\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]*";
    public static final long MAX_DURATION_SECONDS = 12 * 3600;
    public static final long MAX_SIZE_BYTES = 2L * 1024 * 1024 * 1024;
}
