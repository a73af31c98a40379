package org.acme.gateway;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.ProblemException;

/** Stands in for user-service in tests; the gateway's REST client really calls it over loopback. */
@Path("/users/{id}")
public class UserServiceStandIn {

    static final long BROKEN_USER = 99;
    /** Answers after 300 ms, as does recommend-service for this user: the two calls overlap only if made at once. */
    static final long SLOW_USER = 98;
    /** user-service refuses to record a view of this video: a request the gateway built, not the user's mistake. */
    static final long UNRECORDABLE_VIDEO = 244;
    static final List<String> VIEWS = new CopyOnWriteArrayList<>();
    /** The W3C baggage header of each profile request, as the gateway sent it. */
    static final List<String> BAGGAGE = new CopyOnWriteArrayList<>();
    /** Profile requests being answered right now. */
    static final AtomicInteger PROFILES_IN_FLIGHT = new AtomicInteger();

    @GET
    public UserClient.Profile profile(@PathParam("id") long id, @HeaderParam("baggage") String baggage) throws InterruptedException {
        BAGGAGE.add(String.valueOf(baggage));
        PROFILES_IN_FLIGHT.incrementAndGet();
        try {
            return answerProfile(id);
        } finally {
            PROFILES_IN_FLIGHT.decrementAndGet();
        }
    }

    private static UserClient.Profile answerProfile(long id) throws InterruptedException {
        if (id == SLOW_USER || id == RecommendServiceStandIn.FEED_FAILS_PROFILE_SLOW) {
            Thread.sleep(300);
        }
        if (id == BROKEN_USER) {
            throw new IllegalStateException("the users table is on fire");
        }
        if (id > 100) {
            throw ProblemException.notFound("user " + id + " does not exist");
        }
        return new UserClient.Profile(id, "User " + id, "user" + id, "FR", Instant.parse("2026-01-01T00:00:00Z"));
    }

    @POST
    @Path("/history")
    public void recordView(@PathParam("id") long id, UserClient.View view) throws InterruptedException {
        answerProfile(id);
        if (view.videoId() == UNRECORDABLE_VIDEO) {
            throw new ProblemException(409, "Conflict", "video " + UNRECORDABLE_VIDEO + " cannot be recorded");
        }
        VIEWS.add(id + ":" + view.videoId());
    }

    @POST
    @Path("/heartbeat")
    public UserClient.Presence heartbeat(@PathParam("id") long id, @QueryParam("page") String page) throws InterruptedException {
        answerProfile(id);
        if (!"home".equals(page)) {
            throw ProblemException.badRequest("page must be one of [home], got '" + page + "'");
        }
        return new UserClient.Presence(id, page, Instant.now().plusSeconds(60), 1);
    }
}
