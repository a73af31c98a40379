package org.acme.video;

import java.util.Comparator;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.acme.conventions.Downstream;
import org.acme.conventions.Downstream.Request;
import org.acme.conventions.ProblemException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.quarkus.runtime.Startup;

/** Accepts or rejects an upload; every attempt counts in {@code app_video_uploads_total{outcome}}. */
// @Startup: both counters exist from boot, before the first upload.
@Startup
@ApplicationScoped
public class VideoUploads {

    /** Scenario flag: the video storage refuses this upload (a share of them, as the flag's provider decides). */
    static final String STORAGE_REFUSAL = "storage-refusal:uploads";

    private static final Logger LOG = Logger.getLogger(VideoUploads.class);

    private final Counter succeeded;
    private final Counter failed;

    @Inject
    Validator validator;

    @Inject
    VideoCatalog catalog;

    @Inject
    @RestClient
    UserClient users;

    @Inject
    Bounds bounds;

    // Scenario flags through OpenFeature: off (their default) unless a provider says otherwise.
    private final Client flags = OpenFeatureAPI.getInstance().getClient();

    VideoUploads(MeterRegistry registry) {
        // Both outcomes exist from the start, so a rate over them is defined before the first failure.
        succeeded = counter(registry, "success");
        failed = counter(registry, "failure");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("app.video.uploads").description("Video upload attempts by outcome")
                .tag("outcome", outcome).register(registry);
    }

    public Video upload(UploadRequest upload) {
        try {
            String category = validate(upload);
            if (flags.getBooleanValue(STORAGE_REFUSAL, false)) {
                throw new ProblemException(503, "Service Unavailable", "the video storage refused the upload; try again later");
            }
            Video video = catalog.add(upload, category);
            succeeded.increment();
            Span.current().setAttribute("app.video.id", video.id);
            LOG.infof("Upload accepted: video %d '%s' by user %d", video.id, video.title, video.uploaderId);
            return video;
        } catch (RuntimeException e) {
            failed.increment();
            LOG.infof("Upload rejected: %s", e.getMessage());
            throw e;
        }
    }

    private String validate(UploadRequest upload) {
        if (upload == null) {
            throw ProblemException.badRequest("body must be a JSON object with title, durationSeconds, sizeBytes and uploaderId");
        }
        String problems = validator.validate(upload).stream()
                .map(ConstraintViolation::getMessage)
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.joining("; "));
        if (!problems.isEmpty()) {
            throw ProblemException.badRequest(problems);
        }
        String category = upload.category() == null ? "Community" : upload.category();
        if (!VideoCatalog.CATEGORIES.contains(category)) {
            throw ProblemException.badRequest("category must be one of " + VideoCatalog.CATEGORIES + ", got '" + category + "'");
        }
        try {
            // The uploader's id is the user's own input: user-service's 404 about it is theirs.
            Downstream.await("user-service", bounds.userService(), Request.CARRIES_USER_ID, () -> users.profile(upload.uploaderId()));
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw ProblemException.badRequest("uploaderId " + upload.uploaderId() + " is not a known user");
            }
            throw e;
        }
        return category;
    }
}
