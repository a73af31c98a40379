package org.acme.conventions;

/**
 * The build properties a service sets to {@code true} to turn a convention on. Nothing in this module acts
 * by being on the class path: a service turns on, in its {@code application.properties}, what it uses.
 * The classes it calls itself ({@link Downstream}, {@link GrpcDependency}, {@link Budget}, {@link Ids}…) need
 * no switch.
 */
public final class Conventions {

    /**
     * Every failure answered as problem+json with the trace id, the trace id on every response, strict JSON
     * input, JSON answers whatever the Accept header, the problem schema in OpenAPI
     * ({@link ProblemResponses}, {@link RejectedRequests}, {@link TraceIds}, {@link StrictJson},
     * {@link JsonAnswers}, {@link ProblemsInOpenApi}).
     */
    public static final String ERROR_CONTRACT = "conventions.error-contract.enabled";

    /**
     * Latency histograms of Quarkus' HTTP and gRPC timers, scraped with their exemplars ({@link LatencyHistograms};
     * Prometheus asks for OpenMetrics with {@code scrape_protocols}), a failed request counted under its route
     * ({@link RouteOfFailedRequests}).
     */
    public static final String LATENCY_HISTOGRAMS = "conventions.latency-histograms.enabled";

    /** No span for each JDBC connection taken from the pool, the configured sampler deciding the rest ({@link TraceSampling}). */
    public static final String DROP_CONNECTION_SPANS = "conventions.drop-connection-spans.enabled";

    /** A client span for a REST call whose request never went out ({@link CallSpans}, {@link UnreachablePeerSpans}). */
    public static final String UNREACHABLE_PEER_SPANS = "conventions.unreachable-peer-spans.enabled";

    /** No CORS headers on the management interface's answers ({@link ManagementInterfaceWithoutCors}). */
    public static final String MANAGEMENT_WITHOUT_CORS = "conventions.management-without-cors.enabled";

    /**
     * Spans and log records exported through OpenTelemetry's own batch processors and OTLP/gRPC exporters, every one
     * counted as exported or dropped and why ({@link CountedTelemetryExport}, {@link TelemetryCounts}); needs
     * {@code quarkus.otel.exporter.otlp.enabled=false}.
     */
    public static final String COUNTED_TELEMETRY_EXPORT = "conventions.counted-telemetry-export.enabled";

    /**
     * The sizes of what a service can run out of, beside the use Quarkus measures: its CPU allowance and its
     * connection pool ({@link CapacityMetrics}, {@link CpuAllowance}); the surge forecast's recording rules read them.
     */
    public static final String CAPACITY_METRICS = "conventions.capacity-metrics.enabled";

    /**
     * Every call a service serves counted by the front request it belongs to, {@code app_calls_served_total{front_route}}
     * ({@link FrontRoutes}; gRPC calls with {@link FrontRouteOfGrpcCalls}); the edge sets
     * {@code conventions.calls-by-front-route.edge=true} and puts its route into the baggage.
     */
    public static final String CALLS_BY_FRONT_ROUTE = "conventions.calls-by-front-route.enabled";

    private Conventions() {
    }
}
