package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class FrontRoutesTest {

    @Path("/api/videos/")
    static class Videos {
        @GET
        @Path("/{id: [0-9]+}")
        public void video() {
        }

        @GET
        public void list() {
        }
    }

    @Path("api/home")
    static class Home {
        @GET
        public void home() {
        }
    }

    @Test
    void the_route_is_the_method_and_the_path_template_without_parameter_patterns() throws Exception {
        assertEquals("GET /api/videos/{id}", FrontRoutes.template("GET", Videos.class, Videos.class.getMethod("video")));
        assertEquals("GET /api/videos", FrontRoutes.template("GET", Videos.class, Videos.class.getMethod("list")));
        assertEquals("GET /api/home", FrontRoutes.template("GET", Home.class, Home.class.getMethod("home")));
        assertEquals("POST /", FrontRoutes.template("POST", null, null));
    }

    @Test
    void the_route_is_read_from_the_w3c_baggage_header_among_other_entries() {
        assertEquals("GET /api/home", FrontRoutes.routeInBaggage("front.route=GET%20%2Fapi%2Fhome"));
        assertEquals("GET /api/videos/{id}",
                FrontRoutes.routeInBaggage("user=7, front.route=GET%20%2Fapi%2Fvideos%2F%7Bid%7D;meta=x,other=1"));
        assertEquals("none", FrontRoutes.routeInBaggage(null));
        assertEquals("none", FrontRoutes.routeInBaggage(""));
        assertEquals("none", FrontRoutes.routeInBaggage("user=7"));
    }

    @Test
    void a_value_that_is_not_a_route_is_other() {
        assertEquals("other", FrontRoutes.routeInBaggage("front.route=anything"));
        assertEquals("other", FrontRoutes.routeInBaggage("front.route=GET%20%2Fapi%2F%3Cscript%3E"));
        assertEquals("other", FrontRoutes.routeInBaggage("front.route=TRACE%20%2Fapi"));
        assertEquals("other", FrontRoutes.accepted("GET /" + "a".repeat(200)));
        assertEquals("POST /api/users/{id}/heartbeat", FrontRoutes.accepted("POST /api/users/{id}/heartbeat"));
    }

    @Test
    void a_caller_cannot_grow_the_label_past_the_first_routes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        FrontRoutes routes = new FrontRoutes(registry, false);
        for (int i = 0; i < FrontRoutes.MAX_ROUTES + 10; i++) {
            routes.count("GET /api/r" + i);
        }
        routes.count("GET /api/r0");
        routes.count("none");
        routes.count("other");
        Map<String, Double> counted = new TreeMap<>();
        for (Counter counter : registry.find("app.calls.served").counters()) {
            counted.put(counter.getId().getTag("front_route"), counter.count());
        }
        assertEquals(FrontRoutes.MAX_ROUTES + 2, counted.size(), counted.toString());
        assertEquals(2.0, counted.get("GET /api/r0"));
        assertEquals(11.0, counted.get("other"), "the routes past the first ones, and the one counted as other");
        assertEquals(1.0, counted.get("none"));
    }
}
