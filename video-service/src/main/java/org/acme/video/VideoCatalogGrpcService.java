package org.acme.video;

import java.util.List;

import jakarta.inject.Inject;

import org.acme.conventions.MalformedGrpcRequests;
import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.MutinyVideoCatalogServiceGrpc;
import org.acme.videosite.proto.video.VideoList;
import org.acme.videosite.proto.video.VideoSummary;

import org.jboss.logging.Logger;

import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;

/** The catalog as recommend-service sees it, over gRPC. Failures become statuses in {@link GrpcServerStatuses}. */
@GrpcService
public class VideoCatalogGrpcService extends MutinyVideoCatalogServiceGrpc.VideoCatalogServiceImplBase {

    /** A body that is not a valid request message answers INVALID_ARGUMENT (see {@link MalformedGrpcRequests}). */
    @Override
    public ServerServiceDefinition bindService() {
        return MalformedGrpcRequests.answered(super.bindService());
    }

    static final int MAX_LIST = 50;
    /** Bounds of ListVideos' lists (video_catalog.proto says them too): a request is work and memory in proportion. */
    static final int MAX_EXCLUDED = 200;
    static final int MAX_CATEGORIES = 20;

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
            if (request.getExcludeIdsCount() > MAX_EXCLUDED) {
                throw Status.INVALID_ARGUMENT.withDescription("exclude_ids must hold at most " + MAX_EXCLUDED + " ids, got "
                        + request.getExcludeIdsCount()).asRuntimeException();
            }
            if (request.getCategoriesCount() > MAX_CATEGORIES) {
                throw Status.INVALID_ARGUMENT.withDescription("categories must hold at most " + MAX_CATEGORIES + " names, got "
                        + request.getCategoriesCount()).asRuntimeException();
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
