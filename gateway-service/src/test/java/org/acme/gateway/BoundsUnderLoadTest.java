package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(BoundsUnderLoadTest.SmallPool.class)
class BoundsUnderLoadTest {

    /** Two pooled connections to video-service: the third concurrent call has to wait for one. */
    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.rest-client.video-service.connection-pool-size", "2");
        }
    }

    @Test
    void a_calls_bound_holds_while_it_waits_for_a_pooled_connection() throws Exception {
        // Warm the path first: the figure below is the bound, not the application's first request.
        await().atMost(Duration.ofSeconds(30)).until(() -> given().when().get("/api/videos/1").statusCode() == 200);
        given().when().get("/api/videos/" + VideoServiceStandIn.SLOW_VIDEO).then().statusCode(504);
        int concurrent = 6;
        ExecutorService clients = Executors.newFixedThreadPool(concurrent);
        try {
            List<Future<long[]>> calls = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                calls.add(clients.submit(() -> {
                    long start = System.nanoTime();
                    int status = given().when().get("/api/videos/" + VideoServiceStandIn.SLOW_VIDEO).then().extract().statusCode();
                    return new long[] { status, (System.nanoTime() - start) / 1_000_000 };
                }));
            }
            for (Future<long[]> call : calls) {
                long[] outcome = call.get();
                assertEquals(504, outcome[0]);
                // The bound is 2 s; queued behind two slow calls, a read timeout alone takes 4-6 s.
                assertTrue(outcome[1] < 3_500, "answered within the bound whatever the queue: " + outcome[1] + " ms");
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
