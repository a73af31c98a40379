package org.acme.recommend;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.acme.videosite.proto.recommend.HomeFeedServiceGrpc.HomeFeedServiceBlockingStub;
import org.junit.jupiter.api.Test;

import io.grpc.Deadline;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The upstream behaviour behind the per-call deadlines of {@link VideoClient} (each call {@code withDeadline} from
 * the request's budget) rather than {@code quarkus.grpc.clients.<name>.deadline}: Quarkus applies that property
 * once, when the stub is injected, as one absolute instant (quarkusio/quarkus#41947), so every call after it has
 * passed fails at once with DEADLINE_EXCEEDED. The test client "deadline-probe" has {@code deadline=1h}. When this
 * test fails, Quarkus applies the property per call and the workaround row in docs/ARCHITECTURE.md can go.
 */
@QuarkusTest
class GrpcDeadlineConfigTest {

    @GrpcClient("deadline-probe")
    HomeFeedServiceBlockingStub probe;

    @Test
    void upstream_the_configured_deadline_is_one_instant_fixed_when_the_stub_is_injected() {
        Deadline deadline = probe.getCallOptions().getDeadline();
        assertNotNull(deadline, "the stub itself carries the deadline, not each call");
        long remaining = deadline.timeRemaining(TimeUnit.SECONDS);
        assertTrue(remaining > 0 && remaining <= 3600, "an instant at most one hour from injection: " + remaining + " s");
        assertSame(deadline, probe.getCallOptions().getDeadline(), "every call through the stub shares that instant");
    }
}
