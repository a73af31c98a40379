package org.acme.workshop;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.quarkus.arc.properties.IfBuildProperty;
import io.smallrye.mutiny.Uni;

/** Every REST endpoint is a fault point, named like its server span; its latency waits without holding a thread. */
@IfBuildProperty(name = FaultSwitches.ENABLED, stringValue = "true")
public class HttpFaultPoints {

    @Inject
    FaultSwitches faults;

    @ServerRequestFilter
    public Uni<Void> apply(ResourceInfo resource) {
        String point = resource.getResourceMethod() == null ? null : faults.httpPoint(resource.getResourceMethod());
        return point == null ? Uni.createFrom().voidItem() : faults.atLater(point);
    }
}
