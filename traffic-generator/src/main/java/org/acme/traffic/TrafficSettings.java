package org.acme.traffic;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** How the generator plays users: {@code app.traffic.*} in application.properties. */
@ConfigMapping(prefix = "app.traffic")
public interface TrafficSettings {

    /** Whether it sends traffic from startup; off, it waits for a rate to be set through the admin API. */
    boolean enabled();

    /** Requests per second sent to the gateway, all journeys together. */
    double rate();

    /** The highest rate the admin API accepts, surge included. */
    double maxRate();

    /** Users playing a journey at the same time, at most: a journey that finds them all busy is dropped, never queued. */
    int users();

    /** Mean pause of a user between two steps of a journey (each pause is drawn between half and one and a half of it). */
    Duration thinkTime();

    /** Share of uploads that are invalid on purpose, so that the 400 path shows in the telemetry. */
    double invalidUploads();

    /** Demo data: users 1..userCount and videos 1..videoCount exist. */
    int userCount();

    int videoCount();
}
