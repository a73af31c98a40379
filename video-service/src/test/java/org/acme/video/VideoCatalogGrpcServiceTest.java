package org.acme.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.acme.conventions.testing.MetricsScrape;
import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.VideoCatalogServiceGrpc.VideoCatalogServiceBlockingStub;
import org.acme.videosite.proto.video.VideoSummary;
import org.junit.jupiter.api.Test;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class VideoCatalogGrpcServiceTest {

    @GrpcClient("video-catalog")
    VideoCatalogServiceBlockingStub catalog;

    @Inject
    DemoCatalog demo;

    @Test
    void get_videos_answers_in_the_order_asked_and_leaves_out_unknown_ids() {
        List<VideoSummary> videos = catalog.getVideos(GetVideosRequest.newBuilder()
                .addAllIds(List.of(9L, 100000L, 2L)).build()).getVideosList();
        assertEquals(List.of(9L, 2L), videos.stream().map(VideoSummary::getId).toList());
        assertEquals("Ramen in 15 minutes", videos.get(0).getTitle());
    }

    @Test
    void list_videos_gives_the_newest_of_the_categories_without_the_excluded() {
        List<VideoSummary> videos = catalog.listVideos(ListVideosRequest.newBuilder()
                .addCategories("Travel").addExcludeIds(298L).setLimit(3).build()).getVideosList();
        assertEquals(3, videos.size());
        assertTrue(videos.stream().allMatch(v -> v.getCategory().equals("Travel")));
        assertTrue(videos.stream().noneMatch(v -> v.getId() == 298L));
        assertTrue(videos.get(0).getId() > videos.get(1).getId(), "newest first");
    }

    @Test
    void each_call_is_counted_under_the_front_route_its_baggage_names() {
        String home = "front_route=\"GET /api/home\"";
        String none = "front_route=\"none\"";
        double homeBefore = MetricsScrape.value("app_calls_served_total", home);
        double noneBefore = MetricsScrape.value("app_calls_served_total", none);
        Metadata baggage = new Metadata();
        baggage.put(Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER), "user=3,front.route=GET%20%2Fapi%2Fhome");
        catalog.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(baggage))
                .getVideos(GetVideosRequest.newBuilder().addIds(2L).build());
        assertEquals(homeBefore + 1, MetricsScrape.value("app_calls_served_total", home));
        catalog.getVideos(GetVideosRequest.newBuilder().addIds(2L).build());
        assertEquals(noneBefore + 1, MetricsScrape.value("app_calls_served_total", none), "a call without baggage");
    }

    @Test
    void bad_arguments_are_invalid_argument() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> catalog.listVideos(ListVideosRequest.newBuilder().setLimit(0).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("limit must be between 1 and 50, got 0", e.getStatus().getDescription());

        e = assertThrows(StatusRuntimeException.class,
                () -> catalog.getVideos(GetVideosRequest.newBuilder().addIds(-1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void every_list_in_a_request_has_a_bound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> catalog.listVideos(ListVideosRequest.newBuilder()
                .addAllExcludeIds(LongStream.rangeClosed(1, 201).boxed().toList()).setLimit(5).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("exclude_ids must hold at most 200 ids, got 201", e.getStatus().getDescription());

        e = assertThrows(StatusRuntimeException.class, () -> catalog.listVideos(ListVideosRequest.newBuilder()
                .addAllCategories(IntStream.rangeClosed(1, 21).mapToObj(i -> "Category " + i).toList()).setLimit(5).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("categories must hold at most 20 names, got 21", e.getStatus().getDescription());

        // The bounds stand: 200 excluded ids and 20 categories are answered.
        assertEquals(5, catalog.listVideos(ListVideosRequest.newBuilder()
                .addAllExcludeIds(LongStream.rangeClosed(1000, 1199).boxed().toList()).setLimit(5).build()).getVideosCount());
    }

    @Test
    void a_message_far_over_any_bound_is_refused_before_it_is_read_whole() {
        // 50 000 excluded ids (about 150 KB) once made the service run out of memory.
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> catalog.listVideos(ListVideosRequest.newBuilder()
                .addAllExcludeIds(LongStream.rangeClosed(1, 50_000).boxed().toList()).setLimit(5).build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(3, catalog.listVideos(ListVideosRequest.newBuilder().setLimit(3).build()).getVideosCount());
    }

    @Test
    void until_the_demo_catalog_is_loaded_the_catalog_is_unavailable_rather_than_empty() {
        // The gRPC server listens before startup observers (the seeding) have run: an empty answer
        // then would be cached by recommend-service as an empty home feed for a minute.
        demo.markLoaded(false);
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> catalog.listVideos(ListVideosRequest.newBuilder().setLimit(3).build()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals("starting: the demo catalog is not loaded yet", e.getStatus().getDescription());
        } finally {
            demo.markLoaded(true);
        }
        assertEquals(3, catalog.listVideos(ListVideosRequest.newBuilder().setLimit(3).build()).getVideosCount());
    }
}
