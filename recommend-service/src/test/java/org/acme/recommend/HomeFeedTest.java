package org.acme.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.acme.conventions.testing.MetricsScrape;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.HomeFeedServiceGrpc.HomeFeedServiceBlockingStub;
import org.acme.videosite.proto.video.VideoSummary;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HomeFeedTest {

    @GrpcClient("home-feed")
    HomeFeedServiceBlockingStub homeFeed;

    private HomeFeedReply feedFor(long userId) {
        return homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(userId).build());
    }

    @Test
    void the_feed_holds_unwatched_videos_of_the_favourite_categories_newest_first() {
        HomeFeedReply feed = feedFor(1);
        List<Long> ids = feed.getVideosList().stream().map(VideoSummary::getId).toList();

        assertEquals(12, ids.size());
        assertFalse(ids.contains(3L) || ids.contains(6L) || ids.contains(4L), "watched videos are left out");
        // Favourites: Travel (2 views), then Music (1); Tech was never watched.
        assertTrue(feed.getVideosList().stream().allMatch(v -> !v.getCategory().equals("Tech")));
        assertEquals(90L, ids.get(0));
        assertEquals(ids.stream().sorted((a, b) -> Long.compare(b, a)).toList(), ids);
    }

    @Test
    void the_second_identical_request_is_a_cache_hit() {
        double hits = MetricsScrape.value("cache_gets_total", "cache=\"home-feed\"", "result=\"hit\"");
        double misses = MetricsScrape.value("cache_gets_total", "cache=\"home-feed\"", "result=\"miss\"");

        HomeFeedReply first = feedFor(2);
        HomeFeedReply second = feedFor(2);

        assertFalse(first.getFromCache());
        assertTrue(second.getFromCache());
        assertEquals(first.getVideosList(), second.getVideosList());
        assertEquals(misses + 1, MetricsScrape.value("cache_gets_total", "cache=\"home-feed\"", "result=\"miss\""));
        assertEquals(hits + 1, MetricsScrape.value("cache_gets_total", "cache=\"home-feed\"", "result=\"hit\""));
    }

    @Test
    void an_unknown_user_is_not_found() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> feedFor(999));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("user 999 does not exist", e.getStatus().getDescription());
    }

    @Test
    void a_non_positive_user_id_is_an_invalid_argument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> feedFor(0));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        e = assertThrows(StatusRuntimeException.class,
                () -> homeFeed.getHomeFeed(HomeFeedRequest.newBuilder().setUserId(1).setSize(51).build()));
        assertEquals("feed size must be between 1 and 50, got 51", e.getStatus().getDescription());
    }

    @Test
    void a_failing_video_service_is_reported_as_unavailable_and_named() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> feedFor(UserServiceStandIn.WATCHED_A_BROKEN_VIDEO));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("video-service: unavailable (catalog is down"),
                e.getStatus().getDescription());
    }

    @Test
    void a_slow_user_service_is_a_bounded_deadline_exceeded() {
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> feedFor(UserServiceStandIn.SLOW_USER));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertEquals("user-service: no answer within 1000 ms", e.getStatus().getDescription());
        assertTrue(millis < 2_000, "gave up at the bound, not after the slow answer: " + millis + " ms");
    }

    @Test
    void computing_a_feed_stays_within_its_budget_and_names_the_slow_hop() {
        // Each catalog call (1.8 s) fits its own 2 s bound, but two in a row do not fit the 3 s budget.
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> feedFor(UserServiceStandIn.WATCHED_A_SLOW_VIDEO));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("video-service: no answer within "), e.getStatus().getDescription());
        assertTrue(millis < 3_800, "ended by the 3 s budget, not after every slow call: " + millis + " ms");
    }

    @Test
    void a_refusal_of_a_request_recommend_built_is_unavailable_naming_user_service_not_the_callers_mistake() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> feedFor(UserServiceStandIn.REFUSED_HISTORY));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("user-service: answered HTTP 409 (history of user 80 is being rewritten)", e.getStatus().getDescription());
    }
}
