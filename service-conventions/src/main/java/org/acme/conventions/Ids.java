package org.acme.conventions;

/** Ids of users and videos are positive integers; anything else is the client's mistake. */
public final class Ids {

    private Ids() {
    }

    /** Parses an id from a path or query parameter, or fails with a 400 that names it. */
    public static long parse(String name, String raw) {
        if (raw == null || raw.isBlank()) {
            throw ProblemException.badRequest(name + " is required");
        }
        try {
            long id = Long.parseLong(raw.trim());
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest(name + " must be a positive integer, got '" + abbreviate(raw) + "'");
    }

    private static String abbreviate(String raw) {
        return raw.length() <= 40 ? raw : raw.substring(0, 40) + "…";
    }
}
