package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * An OTLP/gRPC receiver owned by the tests: the same protocol and services the Collector exposes
 * on 4317, built on the OpenTelemetry protocol definitions. It keeps everything it receives.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A span with the {@code service.name} of the resource that sent it. */
    public record ReceivedSpan(String service, Span span) {
        public String traceId() {
            return hex(span.getTraceId());
        }

        public String spanId() {
            return hex(span.getSpanId());
        }

        public String parentSpanId() {
            return hex(span.getParentSpanId());
        }

        public String attribute(String key) {
            return OtlpReceiver.attribute(span.getAttributesList(), key);
        }
    }

    /** A log record with the {@code service.name} of the resource that sent it. */
    public record ReceivedLog(String service, LogRecord record) {
        public String traceId() {
            return hex(record.getTraceId());
        }

        public String spanId() {
            return hex(record.getSpanId());
        }
    }

    private final int port;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<ReceivedLog> logs = new CopyOnWriteArrayList<>();
    private Server server;

    public OtlpReceiver(int port) {
        this.port = port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public synchronized void start() {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> reply) {
                        request.getResourceSpansList().forEach(resource -> {
                            String service = serviceName(resource.getResource());
                            resource.getScopeSpansList().forEach(scope -> scope.getSpansList()
                                    .forEach(span -> spans.add(new ReceivedSpan(service, span))));
                        });
                        reply.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        reply.onCompleted();
                    }
                })
                .addService(new LogsServiceGrpc.LogsServiceImplBase() {
                    @Override
                    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> reply) {
                        request.getResourceLogsList().forEach(resource -> {
                            String service = serviceName(resource.getResource());
                            resource.getScopeLogsList().forEach(scope -> scope.getLogRecordsList()
                                    .forEach(log -> logs.add(new ReceivedLog(service, log))));
                        });
                        reply.onNext(ExportLogsServiceResponse.getDefaultInstance());
                        reply.onCompleted();
                    }
                })
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request, StreamObserver<ExportMetricsServiceResponse> reply) {
                        reply.onNext(ExportMetricsServiceResponse.getDefaultInstance());
                        reply.onCompleted();
                    }
                })
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on " + endpoint(), e);
        }
    }

    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Every span received so far. */
    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    public List<ReceivedSpan> spansOf(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    /** Root spans (no parent) of {@code service} named {@code name}, in the order they arrived. */
    public List<ReceivedSpan> rootsOf(String service, String name) {
        return spans.stream().filter(s -> s.service().equals(service) && s.span().getName().equals(name)
                && s.span().getParentSpanId().isEmpty()).toList();
    }

    public List<ReceivedLog> logsOf(String traceId) {
        return logs.stream().filter(l -> l.traceId().equals(traceId)).toList();
    }

    public boolean holdsTrace(String traceId) {
        return spans.stream().anyMatch(s -> s.traceId().equals(traceId));
    }

    public int spanCount() {
        return spans.size();
    }

    private static String serviceName(Resource resource) {
        return attribute(resource.getAttributesList(), "service.name");
    }

    static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue attribute : attributes) {
            if (attribute.getKey().equals(key)) {
                var value = attribute.getValue();
                return switch (value.getValueCase()) {
                    case STRING_VALUE -> value.getStringValue();
                    case INT_VALUE -> Long.toString(value.getIntValue());
                    case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                    case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                    default -> value.toString();
                };
            }
        }
        return null;
    }

    static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }
}
