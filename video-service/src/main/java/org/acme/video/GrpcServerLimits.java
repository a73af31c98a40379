package org.acme.video;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.GrpcServerBounds;

import io.quarkus.grpc.GlobalInterceptor;

/** This service's gRPC server is bounded: calls per connection, calls in all, idle connections (see {@link GrpcServerBounds}). */
@GlobalInterceptor
@ApplicationScoped
public class GrpcServerLimits extends GrpcServerBounds {
}
