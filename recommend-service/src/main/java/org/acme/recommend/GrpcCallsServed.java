package org.acme.recommend;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.FrontRouteOfGrpcCalls;

import io.quarkus.grpc.GlobalInterceptor;

/** Every gRPC call this service serves is counted under the front route its caller's baggage names (see {@link FrontRouteOfGrpcCalls}). */
@GlobalInterceptor
@ApplicationScoped
public class GrpcCallsServed extends FrontRouteOfGrpcCalls {
}
