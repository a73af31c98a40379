package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.google.protobuf.ByteString;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
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
 * on 4317, built on the OpenTelemetry protocol definitions. It keeps everything it receives, indexed by
 * trace id: a suite's receiver holds hundreds of thousands of spans, and each export must be answered at
 * once (a receiver that slows down as it fills makes the services' export queues overflow and drop spans).
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

    /** What the Collector's OTLP/gRPC receiver accepts by default (and gRPC servers in general). */
    public static final int MAX_MESSAGE_BYTES = 4 << 20;

    private final InetAddress address;
    private final int port;
    private final Map<String, Integer> refused = new ConcurrentHashMap<>();
    /** Spans and log records received (stored) per service. */
    private final Map<String, AtomicLong> spansByService = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> logsByService = new ConcurrentHashMap<>();
    /** How long each export waits before it is answered (a slow Collector); zero by default. */
    private volatile java.time.Duration answerAfter = java.time.Duration.ZERO;
    private final Queue<ReceivedSpan> spans = new ConcurrentLinkedQueue<>();
    private final AtomicInteger spanCount = new AtomicInteger();
    private final Map<String, Queue<ReceivedSpan>> spansByTrace = new ConcurrentHashMap<>();
    private final Map<String, Queue<ReceivedLog>> logsByTrace = new ConcurrentHashMap<>();
    /** How many of {@link #spans} (in the order they arrived) were there after the last {@link #forgetKept()}. */
    private int keptAtLastForget;
    /** When each service's last trace export arrived (System.nanoTime), for the messages of failed waits. */
    private final Map<String, Long> lastTraceExport = new ConcurrentHashMap<>();
    /** The largest export request (bytes) each service sent, traces and logs apart. */
    private final Map<String, Integer> largestExport = new ConcurrentHashMap<>();
    private Server server;

    public OtlpReceiver(int port) {
        this(InetAddress.getLoopbackAddress(), port);
    }

    /** Listening on {@code address}: the loopback address for the tests, every address in a container. */
    public OtlpReceiver(InetAddress address, int port) {
        this.address = address;
        this.port = port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts listening, unless it already does. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        server = NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
                // The Collector's OTLP receiver refuses a message over 4 MiB (max_recv_msg_size_mib), as gRPC does by
                // default: so does this one, and it counts what it refused.
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .addStreamTracerFactory(new ServerStreamTracer.Factory() {
                    @Override
                    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                        return new ServerStreamTracer() {
                            @Override
                            public void streamClosed(Status status) {
                                // CANCELLED or UNAVAILABLE: the sender went away (a service killed mid-export), its
                                // connection with it; nothing was refused.
                                if (!status.isOk() && status.getCode() != Status.Code.CANCELLED
                                        && status.getCode() != Status.Code.UNAVAILABLE) {
                                    refused.merge(fullMethodName + " " + status.getCode(), 1, Integer::sum);
                                }
                            }
                        };
                    }
                })
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> reply) {
                        if (!waitToAnswer(reply)) {
                            return;
                        }
                        request.getResourceSpansList().forEach(resource -> {
                            String service = serviceName(resource.getResource());
                            largestExport.merge(service + " traces", request.getSerializedSize(), Math::max);
                            resource.getScopeSpansList().forEach(scope -> scope.getSpansList().forEach(span -> {
                                ReceivedSpan received = new ReceivedSpan(service, span);
                                spansByTrace.computeIfAbsent(received.traceId(), id -> new ConcurrentLinkedQueue<>()).add(received);
                                spans.add(received);
                                spanCount.incrementAndGet();
                                spansByService.computeIfAbsent(String.valueOf(service), k -> new AtomicLong()).incrementAndGet();
                            }));
                            lastTraceExport.put(String.valueOf(service), System.nanoTime());
                        });
                        reply.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        reply.onCompleted();
                    }
                })
                .addService(new LogsServiceGrpc.LogsServiceImplBase() {
                    @Override
                    public void export(ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> reply) {
                        if (!waitToAnswer(reply)) {
                            return;
                        }
                        request.getResourceLogsList().forEach(resource -> {
                            String service = serviceName(resource.getResource());
                            largestExport.merge(service + " logs", request.getSerializedSize(), Math::max);
                            resource.getScopeLogsList().forEach(scope -> scope.getLogRecordsList().forEach(log -> {
                                ReceivedLog received = new ReceivedLog(service, log);
                                logsByTrace.computeIfAbsent(received.traceId(), id -> new ConcurrentLinkedQueue<>()).add(received);
                                logsByService.computeIfAbsent(String.valueOf(service), k -> new AtomicLong()).incrementAndGet();
                            }));
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
        Queue<ReceivedSpan> trace = spansByTrace.get(traceId);
        return trace == null ? List.of() : List.copyOf(trace);
    }

    /** Root spans (no parent) of {@code service} named {@code name}, in the order they arrived. */
    public List<ReceivedSpan> rootsOf(String service, String name) {
        return spans.stream().filter(s -> s.service().equals(service) && s.span().getName().equals(name)
                && s.span().getParentSpanId().isEmpty()).toList();
    }

    public List<ReceivedLog> logsOf(String traceId) {
        Queue<ReceivedLog> trace = logsByTrace.get(traceId);
        return trace == null ? List.of() : List.copyOf(trace);
    }

    /** Every log record received that carries a trace id. */
    public List<ReceivedLog> logs() {
        return logsByTrace.values().stream().flatMap(Queue::stream).toList();
    }

    public boolean holdsTrace(String traceId) {
        return spansByTrace.containsKey(traceId);
    }

    public int spanCount() {
        return spanCount.get();
    }

    /** Spans received (stored) so far from each service, by its {@code service.name}. */
    public Map<String, Long> spansPerService() {
        Map<String, Long> counts = new TreeMap<>();
        spansByService.forEach((service, count) -> counts.put(service, count.get()));
        return counts;
    }

    /**
     * Lets go of the traces that received no span since the last call, their spans and log records (the counts per
     * service stay): a receiver that runs for long inside a memory limit, as the Collector's stand-in does, keeps
     * what is recent only. A trace still arriving is kept whole.
     */
    public synchronized void forgetKept() {
        // The spans queue is in arrival order: what lies past the spans kept last time arrived since.
        Set<String> recent = spans.stream().skip(keptAtLastForget).map(ReceivedSpan::traceId).collect(Collectors.toSet());
        Set<String> forgotten = new HashSet<>();
        Iterator<ReceivedSpan> older = spans.iterator();
        for (int i = 0; i < keptAtLastForget && older.hasNext(); i++) {
            String traceId = older.next().traceId();
            if (!recent.contains(traceId)) {
                older.remove();
                forgotten.add(traceId);
            }
        }
        spansByTrace.keySet().removeAll(forgotten);
        logsByTrace.keySet().removeIf(traceId -> !recent.contains(traceId));
        keptAtLastForget = spans.size();
        spanCount.set(keptAtLastForget);
    }

    /**
     * What the receiver has had from each service, for the message of a wait that failed: how many spans in
     * all, and how long ago each service's last trace export arrived (a service whose export stalled shows up).
     */
    public String exportsSeen() {
        long now = System.nanoTime();
        Map<String, String> ago = new TreeMap<>();
        lastTraceExport.forEach((service, at) -> ago.put(service, String.format("%.1f s ago", (now - at) / 1e9)));
        return spanCount() + " spans received; last trace export " + ago + "; largest exports " + largestExports()
                + "; refused " + refusedExports();
    }

    /**
     * From now on every export waits {@code wait} before it is answered, as an overloaded Collector would; an export
     * whose sender gave up meanwhile (its deadline passed) is then not kept, as the sender counts it as failed.
     */
    public void answerAfter(java.time.Duration wait) {
        answerAfter = wait;
    }

    /** Spans received from {@code service} so far. */
    public long spansFrom(String service) {
        AtomicLong count = spansByService.get(service);
        return count == null ? 0 : count.get();
    }

    /** Log records received from {@code service} so far. */
    public long logRecordsFrom(String service) {
        AtomicLong count = logsByService.get(service);
        return count == null ? 0 : count.get();
    }

    /** Waits as {@link #answerAfter} says; false (the call answered CANCELLED) if the sender gave up meanwhile. */
    private boolean waitToAnswer(StreamObserver<?> reply) {
        java.time.Duration wait = answerAfter;
        if (wait.isZero()) {
            return true;
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (io.grpc.Context.current().isCancelled()) {
            reply.onError(Status.CANCELLED.withDescription("the sender gave up").asRuntimeException());
            return false;
        }
        return true;
    }

    /**
     * Waits until every service that has sent traces has sent some more, arriving after {@code nanos}
     * (System.nanoTime()): spans a service ended before then have left it, as long as {@code nanos} lies at least one
     * export interval after they ended. Fails after {@code timeout}.
     */
    public void awaitExportsAfter(long nanos, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lastTraceExport.values().stream().anyMatch(at -> at - nanos < 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no trace export within " + timeout + " from every service: " + exportsSeen());
            }
            ServiceProcess.pause(java.time.Duration.ofMillis(50));
        }
    }

    /**
     * The exports this receiver answered with an error, by gRPC service and status: RESOURCE_EXHAUSTED for a request
     * over {@link #MAX_MESSAGE_BYTES}, whose spans or log records are lost. Empty when nothing was refused.
     */
    public Map<String, Integer> refusedExports() {
        return new TreeMap<>(refused);
    }

    /** The largest export request each service sent, in bytes, by signal ("gateway-service traces"). */
    public Map<String, Integer> largestExports() {
        return new TreeMap<>(largestExport);
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
