package org.acme.user;

import java.time.Instant;

public record Heartbeat(long userId, String page, Instant onlineUntil) {
}
