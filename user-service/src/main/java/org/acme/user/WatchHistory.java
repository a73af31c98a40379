package org.acme.user;

import java.util.List;

/** The videos a user watched, most recent first. */
public record WatchHistory(long userId, List<Long> videoIds) {
}
