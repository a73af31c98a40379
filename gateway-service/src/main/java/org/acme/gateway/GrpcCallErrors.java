package org.acme.gateway;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.GrpcClientErrors;

import io.quarkus.grpc.GlobalInterceptor;

/** Every failed gRPC call of this service is a failed client span, whatever its status (see {@link GrpcClientErrors}). */
@GlobalInterceptor
@ApplicationScoped
public class GrpcCallErrors extends GrpcClientErrors {
}
