package org.acme.gateway;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * How long the gateway waits, in {@code app.bounds.*}: one budget per incoming request, and a bound
 * per downstream call that fits inside it (the sums are in docs/ARCHITECTURE.md).
 */
@ConfigMapping(prefix = "app.bounds")
public interface Bounds {

    /** Everything one incoming request does, its calls to other services included. */
    Duration request();

    /** One call to user-service, the wait for a pooled connection included. */
    @WithName("user-service")
    Duration userService();

    /** One call to video-service, the wait for a pooled connection included. */
    @WithName("video-service")
    Duration videoService();

    /** One call to recommend-service: its gRPC deadline, which recommend-service works within. */
    @WithName("recommend-service")
    Duration recommendService();
}
