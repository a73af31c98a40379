package org.acme.recommend;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.GrpcServerErrorHandler;

/** This service's gRPC failures become gRPC statuses as every service's do (see {@link GrpcServerErrorHandler}). */
@ApplicationScoped
public class GrpcServerStatuses extends GrpcServerErrorHandler {
}
