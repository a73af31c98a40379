package org.acme.conventions;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Publishes Quarkus' own HTTP and gRPC latency timers as histograms, so Prometheus can compute
 * p50/p99 per service and per hop, and Grafana can follow a bucket's exemplar to its trace.
 */
@IfBuildProperty(name = Conventions.LATENCY_HISTOGRAMS, stringValue = "true")
@Singleton
public class LatencyHistograms {

    @Produces
    @Singleton
    MeterFilter requestLatencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                String name = id.getName();
                if (name.startsWith("http.server.requests") || name.startsWith("http.client.requests")
                        || name.startsWith("grpc.server.processing.duration")
                        || name.startsWith("grpc.client.processing.duration")) {
                    return DistributionStatisticConfig.builder()
                            .percentilesHistogram(true)
                            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                            .maximumExpectedValue((double) Duration.ofSeconds(10).toNanos())
                            // A bucket at exactly 0.5 s: the pages' latency objective (observability-stack/prometheus/rules/slo.yml).
                            .serviceLevelObjectives((double) Duration.ofMillis(500).toNanos())
                            .build()
                            .merge(config);
                }
                return config;
            }
        };
    }
}
