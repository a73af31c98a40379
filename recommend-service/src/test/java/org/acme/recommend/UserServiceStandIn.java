package org.acme.recommend;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.acme.conventions.ProblemException;

/**
 * Stands in for user-service during tests; recommend-service's REST client really calls it over
 * loopback. A few user ids are wired to the failures the tests need.
 */
@Path("/users")
public class UserServiceStandIn {

    static final long WATCHED_A_BROKEN_VIDEO = 50;
    static final long SLOW_USER = 60;
    /** Watched only {@link VideoServiceStandIn#SLOW_VIDEO}: every catalog call for this feed takes 1.8 s. */
    static final long WATCHED_A_SLOW_VIDEO = 70;
    /** user-service refuses the history request recommend-service built for this user (409). */
    static final long REFUSED_HISTORY = 80;

    @GET
    @Path("/{id}/history")
    public UserClient.WatchHistory history(@PathParam("id") long id, @QueryParam("limit") int limit) throws InterruptedException {
        if (id == SLOW_USER) {
            Thread.sleep(2_500); // longer than the test bound
        }
        if (id == WATCHED_A_SLOW_VIDEO) {
            return new UserClient.WatchHistory(id, List.of(VideoServiceStandIn.SLOW_VIDEO));
        }
        if (id == REFUSED_HISTORY) {
            throw new ProblemException(409, "Conflict", "history of user " + id + " is being rewritten");
        }
        if (id == WATCHED_A_BROKEN_VIDEO) {
            return new UserClient.WatchHistory(id, List.of(VideoServiceStandIn.BROKEN_VIDEO));
        }
        if (id > 100) {
            throw ProblemException.notFound("user " + id + " does not exist");
        }
        // Everyone watched two Travel videos and one Music video.
        return new UserClient.WatchHistory(id, List.of(3L, 6L, 4L));
    }
}
