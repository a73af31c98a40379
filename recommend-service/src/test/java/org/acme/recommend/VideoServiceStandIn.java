package org.acme.recommend;

import java.util.List;
import java.util.stream.LongStream;

import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.VideoCatalogService;
import org.acme.videosite.proto.video.VideoList;
import org.acme.videosite.proto.video.VideoSummary;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * Stands in for video-service's gRPC catalog during tests, served by the test application's own
 * gRPC server: recommend-service's client really calls it over loopback. Video n belongs to
 * category n % 3 (Travel, Music, Tech); there are 90 videos.
 */
@GrpcService
public class VideoServiceStandIn implements VideoCatalogService {

    static final long BROKEN_VIDEO = 9_999;
    static final long SLOW_VIDEO = 7_777;
    static final java.time.Duration SLOW = java.time.Duration.ofMillis(1_800);
    static final List<String> CATEGORIES = List.of("Travel", "Music", "Tech");

    @Override
    public Uni<VideoList> getVideos(GetVideosRequest request) {
        if (request.getIdsList().contains(BROKEN_VIDEO)) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription("catalog is down").asRuntimeException());
        }
        Uni<VideoList> found = Uni.createFrom().item(list(request.getIdsList().stream().mapToLong(Long::longValue)));
        return request.getIdsList().contains(SLOW_VIDEO) ? found.onItem().delayIt().by(SLOW) : found;
    }

    @Override
    public Uni<VideoList> listVideos(ListVideosRequest request) {
        LongStream newestFirst = LongStream.iterate(90, id -> id >= 1, id -> id - 1)
                .filter(id -> request.getCategoriesCount() == 0
                        || request.getCategoriesList().contains(category(id)))
                .filter(id -> !request.getExcludeIdsList().contains(id))
                .limit(request.getLimit());
        Uni<VideoList> newest = Uni.createFrom().item(list(newestFirst));
        return request.getExcludeIdsList().contains(SLOW_VIDEO) ? newest.onItem().delayIt().by(SLOW) : newest;
    }

    static String category(long id) {
        return CATEGORIES.get((int) (id % 3));
    }

    private static VideoList list(LongStream ids) {
        VideoList.Builder list = VideoList.newBuilder();
        ids.forEach(id -> list.addVideos(VideoSummary.newBuilder()
                .setId(id).setTitle("Video " + id).setCategory(category(id)).setDurationSeconds(60)));
        return list.build();
    }
}
