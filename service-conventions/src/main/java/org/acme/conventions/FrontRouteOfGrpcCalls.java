package org.acme.conventions;

import jakarta.inject.Inject;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * The gRPC half of {@link FrontRoutes}: every gRPC call this service serves counted under the front route its
 * caller's {@code baggage} metadata names. A service with a gRPC server and
 * {@code conventions.calls-by-front-route.enabled=true} declares it with one class of its own (Quarkus finds global
 * interceptors by their annotation, as for {@link GrpcServerBounds}):
 * {@code @GlobalInterceptor @ApplicationScoped class CallsServedOverGrpc extends FrontRouteOfGrpcCalls {}}.
 */
public abstract class FrontRouteOfGrpcCalls implements ServerInterceptor {

    private static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    FrontRoutes routes;

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        Iterable<String> values = headers.getAll(BAGGAGE);
        routes.count(FrontRoutes.routeInBaggage(values == null ? null : String.join(",", values)));
        return next.startCall(call, headers);
    }
}
