package org.acme.traffic;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.acme.conventions.ProblemException;

/**
 * Stands in for the gateway's public API in tests: the generator's REST client really calls it over
 * loopback. It validates as the real site does, notes when each request arrived, and can be slow.
 */
@Path("/api")
public class GatewayStandIn {

    /** The home feed every user gets here. */
    static final List<Long> FEED = List.of(201L, 202L, 203L);
    static final ConcurrentLinkedQueue<Long> ARRIVALS = new ConcurrentLinkedQueue<>();
    static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    static final AtomicInteger MOST_IN_FLIGHT = new AtomicInteger();
    /** How long each answer takes, in milliseconds. */
    static volatile long delayMillis;

    static void reset() {
        ARRIVALS.clear();
        MOST_IN_FLIGHT.set(0);
        delayMillis = 0;
    }

    /** Requests that arrived between the two instants of System.nanoTime(). */
    static long arrivedBetween(long fromNanos, long toNanos) {
        return ARRIVALS.stream().filter(t -> t >= fromNanos && t < toNanos).count();
    }

    @GET
    @Path("/home")
    public Map<String, Object> home(@QueryParam("userId") long userId) throws InterruptedException {
        answering();
        return Map.of("user", Map.of("id", userId), "feed", FEED.stream().map(id -> Map.of("id", id, "title", "Video " + id)).toList(),
                "feedFromCache", false);
    }

    @GET
    @Path("/videos/{id}")
    public Map<String, Object> video(@PathParam("id") long id, @QueryParam("userId") long userId) throws InterruptedException {
        answering();
        return Map.of("id", id, "title", "Video " + id);
    }

    @POST
    @Path("/users/{id}/heartbeat")
    public Map<String, Object> heartbeat(@PathParam("id") long id, @QueryParam("page") String page) throws InterruptedException {
        answering();
        if (!List.of("home", "video", "upload", "profile", "search").contains(page)) {
            throw ProblemException.badRequest("page must be one of the site's pages, got '" + page + "'");
        }
        return Map.of("userId", id, "page", page);
    }

    @POST
    @Path("/videos")
    public Response upload(GatewayClient.Upload upload) throws InterruptedException {
        answering();
        if (upload.title() == null || upload.title().isBlank() || upload.durationSeconds() < 1
                || upload.durationSeconds() > 12 * 3600) {
            throw ProblemException.badRequest("title must not be blank; durationSeconds must be between 1 and 43200");
        }
        return Response.status(201).entity(Map.of("id", 301, "title", upload.title())).build();
    }

    private static void answering() throws InterruptedException {
        ARRIVALS.add(System.nanoTime());
        int now = IN_FLIGHT.incrementAndGet();
        MOST_IN_FLIGHT.accumulateAndGet(now, Math::max);
        try {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }
}
