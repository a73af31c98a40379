package org.acme.video;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Keeps the gRPC catalog closed until the demo data is loaded. The separate gRPC server listens
 * before Quarkus' startup observers run, so without this a caller starting at the same time got an
 * empty catalog, and recommend-service cached an empty home feed for a minute. UNAVAILABLE instead:
 * the caller fails now, says why, and asks again.
 */
@ApplicationScoped
@GlobalInterceptor
public class CatalogLoadedGate implements ServerInterceptor {

    @Inject
    DemoCatalog demo;

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (demo.loaded() || call.getMethodDescriptor().getServiceName().startsWith("grpc.health")) {
            return next.startCall(call, headers);
        }
        call.close(Status.UNAVAILABLE.withDescription("starting: the demo catalog is not loaded yet"), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
