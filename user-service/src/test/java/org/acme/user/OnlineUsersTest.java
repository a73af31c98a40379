package org.acme.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class OnlineUsersTest {

    private Instant now = Instant.parse("2026-03-01T10:00:00Z");

    private final Clock clock = new Clock() {
        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    };

    @Test
    void a_user_stays_online_for_the_heartbeat_window_only() {
        OnlineUsers online = new OnlineUsers(clock, Duration.ofSeconds(60));
        online.heartbeat(1, "home");
        online.heartbeat(2, "home");

        now = now.plusSeconds(30);
        online.heartbeat(2, "home");
        assertEquals(2, online.count("home"));

        now = now.plusSeconds(31);
        assertEquals(1, online.count("home"), "user 1's heartbeat is 61 s old");

        now = now.plusSeconds(30);
        assertEquals(0, online.count("home"));
    }
}
