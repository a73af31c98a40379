package org.acme.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.GrpcClientSpanErrors;

import io.quarkus.grpc.GlobalInterceptor;

/** Every failed gRPC call of this service is a failed client span, whatever its status (see {@link GrpcClientSpanErrors}). */
@GlobalInterceptor
@ApplicationScoped
public class GrpcClientSpans extends GrpcClientSpanErrors {
}
