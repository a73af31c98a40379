package org.acme.conventions;

import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.opentelemetry.runtime.AutoConfiguredOpenTelemetrySdkBuilderCustomizer;

/**
 * Spans and log records leave this service counted ({@link TelemetryCounts}): through OpenTelemetry's own batch
 * processors and OTLP exporters, built here with a meter for their drops, in place of Quarkus' exporter.
 * <p>
 * Why not Quarkus' exporter: in Quarkus 3.33 it gives its batch processors and exporters no meter, so a span
 * dropped from a full queue or lost in a failed export is counted nowhere; and its export result can stay
 * uncompleted after some send failures (quarkusio/quarkus#55614, fixed after 3.33), stalling the processor for its
 * whole export timeout. The settings are Quarkus' own ({@code quarkus.otel.exporter.otlp.*},
 * {@code quarkus.otel.bsp.*}, {@code quarkus.otel.blrp.*}, read here with Quarkus' defaults), so a service's
 * configuration and the {@code QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT} of compose mean what they meant.
 * <p>
 * Switched on by {@code conventions.counted-telemetry-export.enabled=true} with
 * {@code quarkus.otel.exporter.otlp.enabled=false} (or every span would leave twice). The exporters share one
 * event-loop thread of their own: telemetry never waits for, nor holds up, the application's event loops. Plain
 * text or TLS follows the endpoint's scheme. {@code quarkus.otel.exporter.otlp.protocol=http/protobuf} (or a signal's own)
 * sends OTLP/HTTP instead, to {@code <endpoint>/v1/traces} and {@code /v1/logs}, over the JDK's HTTP client.
 */
@IfBuildProperty(name = Conventions.COUNTED_TELEMETRY_EXPORT, stringValue = "true")
@Singleton
public class CountedTelemetryExport implements AutoConfiguredOpenTelemetrySdkBuilderCustomizer {

    /**
     * A failed export is tried twice more, 0.25 s and 0.5 s later (the SDK's default would wait about 8 s over five
     * attempts): the processor sends one export at a time, and the queue, not the retries, rides out a short outage.
     */
    static final RetryPolicy RETRIES = RetryPolicy.builder().setMaxAttempts(3).setInitialBackoff(Duration.ofMillis(250))
            .setMaxBackoff(Duration.ofSeconds(1)).setBackoffMultiplier(2).build();

    @Inject
    TelemetryCounts counts;

    @ConfigProperty(name = "quarkus.otel.exporter.otlp.endpoint", defaultValue = "http://localhost:4317")
    String endpoint;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.traces.endpoint")
    Optional<String> tracesEndpoint;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.logs.endpoint")
    Optional<String> logsEndpoint;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.traces.timeout", defaultValue = "10s")
    Duration tracesTimeout;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.logs.timeout", defaultValue = "10s")
    Duration logsTimeout;
    @ConfigProperty(name = "quarkus.otel.logs.enabled", defaultValue = "false")
    boolean logsEnabled;
    /** grpc (Quarkus' default) or http/protobuf; a signal's own setting wins. */
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.protocol", defaultValue = "grpc")
    String protocol;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.traces.protocol")
    Optional<String> tracesProtocol;
    @ConfigProperty(name = "quarkus.otel.exporter.otlp.logs.protocol")
    Optional<String> logsProtocol;

    @ConfigProperty(name = "quarkus.otel.bsp.schedule.delay", defaultValue = "5s")
    Duration spanDelay;
    @ConfigProperty(name = "quarkus.otel.bsp.max.queue.size", defaultValue = "2048")
    int spanQueue;
    @ConfigProperty(name = "quarkus.otel.bsp.max.export.batch.size", defaultValue = "512")
    int spanBatch;
    @ConfigProperty(name = "quarkus.otel.bsp.export.timeout", defaultValue = "30s")
    Duration spanExportTimeout;

    @ConfigProperty(name = "quarkus.otel.blrp.schedule.delay", defaultValue = "1s")
    Duration logDelay;
    @ConfigProperty(name = "quarkus.otel.blrp.max.queue.size", defaultValue = "2048")
    int logQueue;
    @ConfigProperty(name = "quarkus.otel.blrp.max.export.batch.size", defaultValue = "512")
    int logBatch;
    @ConfigProperty(name = "quarkus.otel.blrp.export.timeout", defaultValue = "30s")
    Duration logExportTimeout;

    @Override
    public void customize(AutoConfiguredOpenTelemetrySdkBuilder builder) {
        EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("telemetry-export", true));
        builder.addTracerProviderCustomizer((tracing, config) -> tracing.addSpanProcessor(spanPipeline(loop)));
        if (logsEnabled) {
            builder.addLoggerProviderCustomizer((logging, config) -> logging.addLogRecordProcessor(logPipeline(loop)));
        }
    }

    private SpanProcessor spanPipeline(EventLoopGroup loop) {
        String target = tracesEndpoint.orElse(endpoint);
        ManagedChannel channel = null;
        SpanExporter otlp;
        if (overHttp(tracesProtocol)) {
            otlp = OtlpHttpSpanExporter.builder().setEndpoint(httpPath(target, "/v1/traces")).setTimeout(tracesTimeout)
                    .setRetryPolicy(RETRIES).build();
        } else {
            channel = channel(target, loop);
            otlp = OtlpGrpcSpanExporter.builder().setChannel(channel).setTimeout(tracesTimeout).setRetryPolicy(RETRIES).build();
        }
        counts.spans.capacity = spanQueue;
        BatchSpanProcessor batch = BatchSpanProcessor.builder(new CountedSpans(otlp, counts.spans, channel))
                .setScheduleDelay(spanDelay).setMaxQueueSize(spanQueue).setMaxExportBatchSize(spanBatch)
                .setExporterTimeout(spanExportTimeout).setMeterProvider(counts.meterProvider).build();
        return new SpanProcessor() {
            @Override
            public void onStart(Context parent, ReadWriteSpan span) {
            }

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                if (span.getSpanContext().isSampled()) {
                    counts.spans.produced.increment();
                }
                batch.onEnd(span);
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }

            @Override
            public CompletableResultCode shutdown() {
                return batch.shutdown();
            }

            @Override
            public CompletableResultCode forceFlush() {
                return batch.forceFlush();
            }
        };
    }

    private LogRecordProcessor logPipeline(EventLoopGroup loop) {
        String target = logsEndpoint.orElse(endpoint);
        ManagedChannel channel = null;
        LogRecordExporter otlp;
        if (overHttp(logsProtocol)) {
            otlp = OtlpHttpLogRecordExporter.builder().setEndpoint(httpPath(target, "/v1/logs")).setTimeout(logsTimeout)
                    .setRetryPolicy(RETRIES).build();
        } else {
            channel = channel(target, loop);
            otlp = OtlpGrpcLogRecordExporter.builder().setChannel(channel).setTimeout(logsTimeout).setRetryPolicy(RETRIES).build();
        }
        counts.logRecords.capacity = logQueue;
        BatchLogRecordProcessor batch = BatchLogRecordProcessor.builder(new CountedLogRecords(otlp, counts.logRecords, channel))
                .setScheduleDelay(logDelay).setMaxQueueSize(logQueue).setMaxExportBatchSize(logBatch)
                .setExporterTimeout(logExportTimeout).setMeterProvider(counts.meterProvider).build();
        return new LogRecordProcessor() {
            @Override
            public void onEmit(Context context, ReadWriteLogRecord logRecord) {
                counts.logRecords.produced.increment();
                batch.onEmit(context, logRecord);
            }

            @Override
            public CompletableResultCode shutdown() {
                return batch.shutdown();
            }

            @Override
            public CompletableResultCode forceFlush() {
                return batch.forceFlush();
            }
        };
    }

    private boolean overHttp(Optional<String> signalProtocol) {
        return "http/protobuf".equals(signalProtocol.orElse(protocol));
    }

    /** OTLP/HTTP's endpoint is a base URL, each signal at its own path under it, as Quarkus' exporter has it. */
    static String httpPath(String base, String path) {
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path;
    }

    /** A gRPC channel to the OTLP endpoint on the telemetry's own event loop; plain text unless the scheme is https. */
    static ManagedChannel channel(String endpoint, EventLoopGroup loop) {
        URI uri = URI.create(endpoint);
        boolean tls = "https".equals(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 4317;
        NettyChannelBuilder channel = NettyChannelBuilder.forAddress(uri.getHost(), port).eventLoopGroup(loop)
                .channelType(NioSocketChannel.class);
        return (tls ? channel.useTransportSecurity() : channel.usePlaintext()).build();
    }

    /**
     * A channel whose last connection attempt failed waits out grpc-java's back-off (growing to two minutes) before it
     * tries again, and fails every export meanwhile: a Collector back after an outage would get nothing for minutes.
     * Exports come at most once per schedule delay, so each one may ask for a new attempt at once.
     */
    static void reconnectAtOnce(ManagedChannel channel) {
        if (channel != null && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
    }

    /** Closes a channel once its exporter has shut down (the exporter does not own a channel it was given). */
    static CompletableResultCode closing(CompletableResultCode shutdown, ManagedChannel channel) {
        if (channel != null) {
            shutdown.whenComplete(channel::shutdown);
        }
        return shutdown;
    }

    /** Counts each export's spans as acknowledged or failed. */
    record CountedSpans(SpanExporter delegate, TelemetryCounts.Signal signal, ManagedChannel channel) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            int items = spans.size();
            reconnectAtOnce(channel);
            CompletableResultCode result = delegate.export(spans);
            result.whenComplete(() -> signal.exportEnded(items, result.isSuccess()));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return closing(delegate.shutdown(), channel);
        }
    }

    /** Counts each export's log records as acknowledged or failed. */
    record CountedLogRecords(LogRecordExporter delegate, TelemetryCounts.Signal signal, ManagedChannel channel)
            implements LogRecordExporter {
        @Override
        public CompletableResultCode export(Collection<LogRecordData> logRecords) {
            int items = logRecords.size();
            reconnectAtOnce(channel);
            CompletableResultCode result = delegate.export(logRecords);
            result.whenComplete(() -> signal.exportEnded(items, result.isSuccess()));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return closing(delegate.shutdown(), channel);
        }
    }
}
