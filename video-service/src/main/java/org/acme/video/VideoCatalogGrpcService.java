package org.acme.video;

import java.util.List;

import jakarta.inject.Inject;

import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.VideoCatalogService;
import org.acme.videosite.proto.video.VideoList;
import org.acme.videosite.proto.video.VideoSummary;

import org.jboss.logging.Logger;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** The catalog as recommend-service sees it, over gRPC. Failures become statuses in {@link GrpcServerStatuses}. */
@GrpcService
public class VideoCatalogGrpcService implements VideoCatalogService {

    static final int MAX_LIST = 50;

    private static final Logger LOG = Logger.getLogger(VideoCatalogGrpcService.class);

    @Inject
    VideoCatalog catalog;

    @Override
    @Blocking
    public Uni<VideoList> getVideos(GetVideosRequest request) {
        return Uni.createFrom().item(() -> {
            List<Long> ids = request.getIdsList();
            if (ids.size() > MAX_LIST || ids.stream().anyMatch(id -> id <= 0)) {
                throw Status.INVALID_ARGUMENT.withDescription("ids must be at most " + MAX_LIST + " positive integers").asRuntimeException();
            }
            VideoList found = toList(catalog.findAll(ids));
            LOG.infof("Looked up %d of %d videos", found.getVideosCount(), ids.size());
            return found;
        });
    }

    @Override
    @Blocking
    public Uni<VideoList> listVideos(ListVideosRequest request) {
        return Uni.createFrom().item(() -> {
            if (request.getLimit() <= 0 || request.getLimit() > MAX_LIST) {
                throw Status.INVALID_ARGUMENT.withDescription("limit must be between 1 and " + MAX_LIST + ", got " + request.getLimit()).asRuntimeException();
            }
            VideoList newest = toList(catalog.newest(request.getCategoriesList(), request.getExcludeIdsList(), request.getLimit()));
            LOG.infof("Listed %d newest videos of categories %s", newest.getVideosCount(), request.getCategoriesList());
            return newest;
        });
    }

    private static VideoList toList(List<Video> videos) {
        VideoList.Builder list = VideoList.newBuilder();
        for (Video video : videos) {
            list.addVideos(VideoSummary.newBuilder()
                    .setId(video.id)
                    .setTitle(video.title)
                    .setCategory(video.category)
                    .setDurationSeconds(video.durationSeconds)
                    .setUploaderId(video.uploaderId));
        }
        return list.build();
    }
}
