package org.acme.gateway;

import java.time.Instant;

/** A user's public profile, as the site's API answers it ({@code GET /api/users/{id}}, the home page). */
public record UserProfile(long id, String name, String handle, String country, Instant joinedAt) {

    static UserProfile of(UserClient.Profile profile) {
        return new UserProfile(profile.id(), profile.name(), profile.handle(), profile.country(), profile.joinedAt());
    }
}
