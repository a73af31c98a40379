package org.acme.recommend;

import java.util.Collection;
import java.util.List;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.acme.conventions.Budget;
import org.acme.conventions.Downstream.Request;
import org.acme.conventions.GrpcDependency;
import org.acme.videosite.proto.video.GetVideosRequest;
import org.acme.videosite.proto.video.ListVideosRequest;
import org.acme.videosite.proto.video.MutinyVideoCatalogServiceGrpc.MutinyVideoCatalogServiceStub;
import org.acme.videosite.proto.video.VideoList;
import org.acme.videosite.proto.video.VideoSummary;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * video-service, over gRPC: the catalog. Every request is built here, so any refusal is this
 * platform's failure (502), never the user's.
 */
@ApplicationScoped
public class VideoClient {

    @GrpcClient("video-service")
    MutinyVideoCatalogServiceStub catalog;

    @GrpcClient("video-service")
    Channel channel;

    @Inject
    Bounds bounds;

    private GrpcDependency videoService;

    @PostConstruct
    void init() {
        videoService = new GrpcDependency("video-service", channel);
    }

    public Uni<List<VideoSummary>> byIds(List<Long> ids, Budget budget) {
        GetVideosRequest request = GetVideosRequest.newBuilder().addAllIds(ids).build();
        return videoService.call(budget.bound(bounds.videoService()), Request.BUILT_HERE,
                deadline -> catalog.withDeadline(deadline).getVideos(request)).map(VideoList::getVideosList);
    }

    /** The newest videos of {@code categories} (all categories if empty), leaving out {@code excluded}. */
    public Uni<List<VideoSummary>> newest(List<String> categories, Collection<Long> excluded, int limit, Budget budget) {
        ListVideosRequest request = ListVideosRequest.newBuilder()
                .addAllCategories(categories).addAllExcludeIds(excluded).setLimit(limit).build();
        return videoService.call(budget.bound(bounds.videoService()), Request.BUILT_HERE,
                deadline -> catalog.withDeadline(deadline).listVideos(request)).map(VideoList::getVideosList);
    }
}
