package org.acme.gateway;

import java.util.List;

/** Everything the site's home page shows, in one answer. */
public record HomePage(UserProfile user, List<FeedItem> feed, boolean feedFromCache) {

    public record FeedItem(long id, String title, String category, int durationSeconds) {
    }
}
