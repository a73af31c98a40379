package org.acme.video;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/** How long video-service waits, in {@code app.bounds.*} (the sums are in docs/ARCHITECTURE.md). */
@ConfigMapping(prefix = "app.bounds")
public interface Bounds {

    /** One call to user-service, the wait for a pooled connection included. */
    @WithName("user-service")
    Duration userService();
}
