package org.acme.conventions.faults;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.smallrye.mutiny.Uni;

/** Every REST endpoint is a fault point, named like its server span; its latency waits without holding a thread. */
public class HttpFaultPoints {

    @Inject
    FaultSwitches faults;

    @ServerRequestFilter
    public Uni<Void> apply(ResourceInfo resource) {
        String point = resource.getResourceMethod() == null ? null : faults.httpPoint(resource.getResourceMethod());
        return point == null ? Uni.createFrom().voidItem() : faults.atLater(point);
    }
}
