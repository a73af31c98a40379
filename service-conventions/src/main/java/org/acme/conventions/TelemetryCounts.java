package org.acme.conventions;

import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.quarkus.arc.properties.IfBuildProperty;

/**
 * What became of the spans and log records this service produced, as Prometheus metrics: how many it ended
 * (emitted), how many the Collector acknowledged, how many were dropped and why, and how full the export queue
 * is. {@link CountedTelemetryExport} feeds it.
 * <ul>
 * <li>{@code telemetry_spans_ended_total}, {@code telemetry_log_records_emitted_total}: kept for export (a span
 * the sampler dropped is not counted).</li>
 * <li>{@code telemetry_spans_exported_total}, {@code telemetry_log_records_exported_total}: acknowledged by the
 * receiving end.</li>
 * <li>{@code telemetry_spans_dropped_total{reason}}, {@code telemetry_log_records_dropped_total{reason}}:
 * {@code queue_full} (the batch processor's queue had no room: the SDK's own count) or {@code export_failed} (the
 * export was refused, timed out or could not be sent).</li>
 * <li>{@code telemetry_export_queue_size{signal}} and {@code telemetry_export_queue_capacity{signal}}, signal
 * {@code spans} or {@code log_records}.</li>
 * </ul>
 * Once the queue is empty and no export is in flight: ended = exported + dropped (both reasons), per signal.
 */
@IfBuildProperty(name = Conventions.COUNTED_TELEMETRY_EXPORT, stringValue = "true")
@Singleton
public class TelemetryCounts implements MeterBinder {

    /** The counts of one signal (spans, or log records). */
    public static final class Signal {
        final LongAdder produced = new LongAdder();
        final LongAdder exported = new LongAdder();
        final LongAdder exportFailed = new LongAdder();
        volatile int capacity;

        /** After an export of {@code items} ended: acknowledged, or not. */
        void exportEnded(int items, boolean acknowledged) {
            (acknowledged ? exported : exportFailed).add(items);
        }
    }

    static final String SPAN_SCOPE = "io.opentelemetry.sdk.trace";
    static final String LOG_SCOPE = "io.opentelemetry.sdk.logs";
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

    final Signal spans = new Signal();
    final Signal logRecords = new Signal();
    /** Reads the batch processors' own counters (queue-full drops, queue size) from the SDK, on each scrape. */
    final SdkReader sdk = new SdkReader();
    /** The meter provider the batch processors report to: this reader is its only reader. */
    final SdkMeterProvider meterProvider = SdkMeterProvider.builder().registerMetricReader(sdk).build();

    @Override
    public void bindTo(MeterRegistry registry) {
        bind(registry, "telemetry.spans.ended", "telemetry.spans", spans, SPAN_SCOPE, "processedSpans", "spans");
        bind(registry, "telemetry.log.records.emitted", "telemetry.log.records", logRecords, LOG_SCOPE, "processedLogs",
                "log_records");
    }

    private void bind(MeterRegistry registry, String producedName, String prefix, Signal signal, String scope,
            String processedMetric, String signalTag) {
        FunctionCounter.builder(producedName, signal.produced, LongAdder::doubleValue)
                .description("Kept for export by this service's OpenTelemetry SDK").register(registry);
        FunctionCounter.builder(prefix + ".exported", signal.exported, LongAdder::doubleValue)
                .description("Acknowledged by the OTLP receiver").register(registry);
        FunctionCounter.builder(prefix + ".dropped", signal.exportFailed, LongAdder::doubleValue)
                .tag("reason", "export_failed").description("Lost: the export was refused, timed out or not sent")
                .register(registry);
        FunctionCounter.builder(prefix + ".dropped", sdk, r -> r.sum(scope, processedMetric, true))
                .tag("reason", "queue_full").description("Lost: the batch processor's queue was full").register(registry);
        Gauge.builder("telemetry.export.queue.size", sdk, r -> r.sum(scope, "queueSize", null)).tag("signal", signalTag)
                .description("Waiting in the batch processor's queue").register(registry);
        Gauge.builder("telemetry.export.queue.capacity", signal, s -> s.capacity).tag("signal", signalTag)
                .description("The batch processor's queue size (quarkus.otel.bsp/blrp.max.queue.size)").register(registry);
    }

    /** A metric reader that collects when asked (at each Prometheus scrape), for this class' meters. */
    static final class SdkReader implements MetricReader {
        private volatile CollectionRegistration registration = CollectionRegistration.noop();

        @Override
        public void register(CollectionRegistration registration) {
            this.registration = registration;
        }

        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode forceFlush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        /** The sum of {@code name}'s points in {@code scope}, those whose {@code dropped} attribute is {@code dropped} (any if null). */
        double sum(String scope, String name, Boolean dropped) {
            Collection<MetricData> metrics = registration.collectAllMetrics();
            long total = 0;
            for (MetricData metric : metrics) {
                if (!metric.getName().equals(name) || !metric.getInstrumentationScopeInfo().getName().equals(scope)) {
                    continue;
                }
                for (var point : metric.getData().getPoints()) {
                    if (point instanceof LongPointData value
                            && (dropped == null || dropped.equals(value.getAttributes().get(DROPPED)))) {
                        total += value.getValue();
                    }
                }
            }
            return total;
        }
    }
}
