package org.acme.gateway;

import java.time.Instant;

/** The answer to a page's heartbeat: the user is online on {@code page} until {@code onlineUntil}, among {@code onlineOnPage}. */
public record Presence(long userId, String page, Instant onlineUntil, long onlineOnPage) {

    static Presence of(UserClient.Presence presence) {
        return new Presence(presence.userId(), presence.page(), presence.onlineUntil(), presence.onlineOnPage());
    }
}
