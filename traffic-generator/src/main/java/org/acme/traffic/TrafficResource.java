package org.acme.traffic;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.ProblemException;

/**
 * The trainer's controls (scripts/traffic), on the generator's own port, which compose publishes on
 * 127.0.0.1 only. Thin: parse, validate, call the crowd.
 */
@Path("/admin/traffic")
public class TrafficResource {

    static final Duration LONGEST_SURGE = Duration.ofHours(1);
    private static final Pattern SECONDS_MINUTES_HOURS = Pattern.compile("(\\d{1,5})\\s*(s|m|h)?");

    @Inject
    Crowd crowd;

    @GET
    public Crowd.State state() {
        return crowd.state();
    }

    /** {@code PUT /admin/traffic/rate?requestsPerSecond=10}; 0 stops the traffic. */
    @PUT
    @Path("/rate")
    public Crowd.State rate(@QueryParam("requestsPerSecond") String requestsPerSecond) {
        return crowd.setRate(number("requestsPerSecond", requestsPerSecond, 0));
    }

    /** {@code POST /admin/traffic/surge?factor=5&duration=2m}: five times the rate for two minutes, then back by itself. */
    @POST
    @Path("/surge")
    public Crowd.State surge(@QueryParam("factor") @DefaultValue("5") String factor,
            @QueryParam("duration") @DefaultValue("2m") String duration) {
        double times = number("factor", factor.endsWith("x") ? factor.substring(0, factor.length() - 1) : factor, 0);
        if (times <= 1 || times > Crowd.MAX_SURGE_FACTOR) {
            throw ProblemException.badRequest("factor must be above 1 and at most " + (int) Crowd.MAX_SURGE_FACTOR
                    + ", got '" + ProblemException.excerpt(factor) + "'");
        }
        return crowd.surge(times, duration(duration));
    }

    @DELETE
    @Path("/surge")
    public Crowd.State calm() {
        return crowd.calm();
    }

    private static double number(String name, String raw, double atLeast) {
        if (raw == null || raw.isBlank()) {
            throw ProblemException.badRequest(name + " is required");
        }
        try {
            double value = Double.parseDouble(raw.trim());
            if (Double.isFinite(value) && value >= atLeast) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below, as for an out-of-range number
        }
        throw ProblemException.badRequest(name + " must be a number of at least " + (int) atLeast + ", got '"
                + ProblemException.excerpt(raw) + "'");
    }

    /** 90 (seconds), 90s, 2m, 1h, or ISO-8601 (PT2M); between 1 s and an hour. */
    static Duration duration(String raw) {
        Duration duration = null;
        Matcher plain = SECONDS_MINUTES_HOURS.matcher(raw.trim());
        if (plain.matches()) {
            long amount = Long.parseLong(plain.group(1));
            String unit = plain.group(2) == null ? "s" : plain.group(2);
            duration = unit.equals("h") ? Duration.ofHours(amount) : unit.equals("m") ? Duration.ofMinutes(amount) : Duration.ofSeconds(amount);
        } else {
            try {
                duration = Duration.parse(raw.trim());
            } catch (DateTimeParseException e) {
                // answered below
            }
        }
        if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(LONGEST_SURGE) > 0) {
            throw ProblemException.badRequest("duration must be between 1s and 1h (like 90s, 2m or PT2M), got '"
                    + ProblemException.excerpt(raw) + "'");
        }
        return duration;
    }
}
