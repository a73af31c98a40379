package org.acme.recommend;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * How long recommend-service waits, in {@code app.bounds.*}: a budget per feed request, and a bound
 * per downstream call that fits inside it (the sums are in docs/ARCHITECTURE.md).
 */
@ConfigMapping(prefix = "app.bounds")
public interface Bounds {

    /** The most one feed request may take; less when the caller's gRPC deadline leaves less. */
    Duration feed();

    /** Kept from the caller's deadline to send the answer back, so the caller hears which hop failed. */
    Duration reply();

    /** One call to user-service, the wait for a pooled connection included. */
    @WithName("user-service")
    Duration userService();

    /** One call to video-service: its gRPC deadline. */
    @WithName("video-service")
    Duration videoService();
}
