package org.acme.user;

import java.time.Instant;

/** The answer to a heartbeat: until when the user counts as online, and how many are on that page now. */
public record Heartbeat(long userId, String page, Instant onlineUntil, long onlineOnPage) {
}
