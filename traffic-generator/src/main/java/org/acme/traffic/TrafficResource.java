package org.acme.traffic;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.util.Iterator;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import org.acme.conventions.ProblemException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The trainer's controls (scripts/traffic), on the generator's own port, which compose publishes on
 * 127.0.0.1 only. Thin: parse, validate, call the crowd.
 * <p>
 * Not for web pages: a change takes a JSON body only ({@code application/json}, which a page can send to
 * another origin only after a CORS preflight, and this port allows none), and any request carrying an
 * {@code Origin} header, which a browser adds to every cross-origin request and to same-origin POSTs, is
 * refused (403) before it changes anything. scripts/traffic sends neither.
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

    /** {@code PUT /admin/traffic/rate} with {@code {"requestsPerSecond": 10}}; 0 stops the traffic. */
    @PUT
    @Path("/rate")
    @Consumes(MediaType.APPLICATION_JSON)
    public Crowd.State rate(@HeaderParam("Origin") String origin, JsonNode body) {
        notFromAPage(origin);
        return crowd.setRate(number("requestsPerSecond", field(body, "requestsPerSecond", Set.of("requestsPerSecond")), 0));
    }

    /**
     * {@code POST /admin/traffic/surge} with {@code {"factor": 5, "duration": "2m"}}: five times the rate for two
     * minutes, then back by itself. Both fields may be left out (5 and 2m); the factor may be written "5x".
     */
    @POST
    @Path("/surge")
    @Consumes(MediaType.APPLICATION_JSON)
    public Crowd.State surge(@HeaderParam("Origin") String origin, JsonNode body) {
        notFromAPage(origin);
        String factor = orDefault(field(body, "factor", SURGE_FIELDS), "5");
        String duration = orDefault(field(body, "duration", SURGE_FIELDS), "2m");
        double times = number("factor", factor.endsWith("x") ? factor.substring(0, factor.length() - 1) : factor, 0);
        if (times <= 1 || times > Crowd.MAX_SURGE_FACTOR) {
            throw ProblemException.badRequest("factor must be above 1 and at most " + (int) Crowd.MAX_SURGE_FACTOR
                    + ", got '" + ProblemException.excerpt(factor) + "'");
        }
        return crowd.surge(times, duration(duration));
    }

    /**
     * {@code PUT /admin/traffic/forecast} with {@code {"factor": "5x"}}: announces that the front traffic will grow
     * five times, without sending any more of it; {@code 1} (or {@code "off"}) withdraws the announcement.
     */
    @PUT
    @Path("/forecast")
    @Consumes(MediaType.APPLICATION_JSON)
    public Crowd.State forecast(@HeaderParam("Origin") String origin, JsonNode body) {
        notFromAPage(origin);
        String factor = field(body, "factor", Set.of("factor"));
        if ("off".equals(factor)) {
            return crowd.announce(1);
        }
        double times = number("factor", factor != null && factor.endsWith("x") ? factor.substring(0, factor.length() - 1) : factor, 0);
        if (times < 1 || times > Crowd.MAX_FORECAST_FACTOR) {
            throw ProblemException.badRequest("factor must be between 1 (no surge announced) and "
                    + (int) Crowd.MAX_FORECAST_FACTOR + ", got '" + ProblemException.excerpt(factor) + "'");
        }
        return crowd.announce(times);
    }

    @DELETE
    @Path("/surge")
    public Crowd.State calm(@HeaderParam("Origin") String origin) {
        notFromAPage(origin);
        return crowd.calm();
    }

    private static final Set<String> SURGE_FIELDS = Set.of("factor", "duration");

    private static void notFromAPage(String origin) {
        if (origin != null) {
            throw new ProblemException(403, "Forbidden",
                    "the traffic controls are not for web pages: a request with an Origin header changes nothing");
        }
    }

    /** A field of a JSON object as text (a number or a string), null when absent; any other field is refused. */
    private static String field(JsonNode body, String name, Set<String> known) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("the body must be a JSON object, like {\"" + name + "\": …}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String other = names.next();
            if (!known.contains(other)) {
                throw ProblemException.badRequest("unknown field '" + ProblemException.excerpt(other) + "'; known: "
                        + String.join(", ", known.stream().sorted().toList()));
            }
        }
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber() && !value.isTextual()) {
            throw ProblemException.badRequest(name + " must be a number or a string, got " + value.getNodeType().name().toLowerCase());
        }
        return value.asText();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
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
