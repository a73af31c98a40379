package org.acme.conventions;

import java.util.regex.Pattern;

/** Ids of users and videos are positive integers; anything else is the client's mistake. */
public final class Ids {

    // ASCII digits only: Long.parseLong alone also takes "+5" and other scripts' digits.
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private Ids() {
    }

    /** Parses an id from a path or query parameter, or fails with a 400 that names it. */
    public static long parse(String name, String raw) {
        if (raw == null) {
            throw ProblemException.badRequest(name + " is required");
        }
        if (DIGITS.matcher(raw).matches()) {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        }
        throw ProblemException.badRequest(name + " must be a positive integer, got '" + ProblemException.excerpt(raw) + "'");
    }
}
