package org.acme.gateway;

import java.time.Duration;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.Downstream.Request;
import org.acme.conventions.GrpcDependency;
import org.acme.videosite.proto.recommend.HomeFeedReply;
import org.acme.videosite.proto.recommend.HomeFeedRequest;
import org.acme.videosite.proto.recommend.MutinyHomeFeedServiceGrpc.MutinyHomeFeedServiceStub;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/** recommend-service, over gRPC: a user's home feed. */
@ApplicationScoped
public class RecommendClient {

    @GrpcClient("recommend-service")
    MutinyHomeFeedServiceStub feeds;

    @GrpcClient("recommend-service")
    Channel channel;

    private GrpcDependency recommendService;

    @PostConstruct
    void init() {
        recommendService = new GrpcDependency("recommend-service", channel);
    }

    /** The user's id is the user's own: an unknown user is their 404; any other refusal is a 502. */
    public Uni<HomeFeedReply> homeFeed(long userId, Duration bound) {
        HomeFeedRequest request = HomeFeedRequest.newBuilder().setUserId(userId).build();
        return recommendService.call(bound, Request.CARRIES_USER_ID, deadline -> feeds.withDeadline(deadline).getHomeFeed(request));
    }
}
