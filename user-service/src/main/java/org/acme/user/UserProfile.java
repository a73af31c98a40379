package org.acme.user;

import java.time.Instant;

public record UserProfile(long id, String name, String handle, String country, Instant joinedAt) {

    static UserProfile of(User user) {
        return new UserProfile(user.id, user.name, user.handle, user.country, user.joinedAt);
    }
}
