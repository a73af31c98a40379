package org.acme.video;

import jakarta.enterprise.context.ApplicationScoped;

import org.acme.conventions.GrpcServerErrors;

/** This service's gRPC failures become gRPC statuses as every service's do (see {@link GrpcServerErrors}). */
@ApplicationScoped
public class GrpcErrors extends GrpcServerErrors {
}
