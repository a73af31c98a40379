import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The benchmark's telemetry backend: OTLP over HTTP (protobuf) on 127.0.0.1, answering every export at
 * once and keeping nothing but counts. It walks the protobuf wire format only as deep as it must to
 * count spans, log records and metric data points; nothing else of a message is decoded.
 * <p>
 * Run: {@code java scripts/benchmark/OtlpCountingReceiver.java PORT [names]}; {@code GET /counts} answers
 * {@code spans=N logs=N points=N exports=N}. With {@code names}, it also reads each span's name and
 * {@code GET /names} answers how many spans of each name it got (costs the receiver a little more).
 */
public class OtlpCountingReceiver {

    static final AtomicLong SPANS = new AtomicLong();
    static final AtomicLong LOGS = new AtomicLong();
    static final AtomicLong POINTS = new AtomicLong();
    static final AtomicLong EXPORTS = new AtomicLong();
    static final Map<String, AtomicLong> SPAN_NAMES = new ConcurrentHashMap<>();
    static boolean names;

    /** Field numbers of the data in each kind of metric (gauge, sum, histogram, exponential histogram, summary). */
    static final int[] METRIC_DATA_FIELDS = { 5, 7, 9, 10, 11 };

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        names = args.length > 1 && args[1].equals("names");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2));
        // Traces and logs share a shape: request { 1: resource } → { 2: scope } → { 2: span | log record }.
        server.createContext("/v1/traces", exchange -> export(exchange, SPANS, 0));
        server.createContext("/v1/logs", exchange -> export(exchange, LOGS, 0));
        // Metrics go one level deeper: scope { 2: metric } → { 5|7|9|10|11: data } → { 1: data point }.
        server.createContext("/v1/metrics", exchange -> export(exchange, POINTS, 1));
        server.createContext("/counts", exchange -> answer(exchange, 200, "text/plain",
                ("spans=" + SPANS.get() + " logs=" + LOGS.get() + " points=" + POINTS.get() + " exports=" + EXPORTS.get()
                        + "\n").getBytes(StandardCharsets.US_ASCII)));
        server.createContext("/names", exchange -> {
            StringBuilder text = new StringBuilder();
            new TreeMap<>(SPAN_NAMES).forEach((name, count) -> text.append(count.get()).append(' ').append(name).append('\n'));
            answer(exchange, 200, "text/plain", text.toString().getBytes(StandardCharsets.UTF_8));
        });
        server.start();
        System.out.println("OTLP/HTTP counting receiver on http://127.0.0.1:" + port);
    }

    private static void export(HttpExchange exchange, AtomicLong counter, int metricLevels) throws IOException {
        byte[] body;
        try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        long items = 0;
        for (Field resource : fields(body, 0, body.length, 1)) {
            for (Field scope : fields(body, resource.start, resource.end, 2)) {
                for (Field item : fields(body, scope.start, scope.end, 2)) {
                    items += metricLevels == 0 ? 1 : dataPoints(body, item);
                    if (names && counter == SPANS) {
                        // Span { 5: name }
                        for (Field name : fields(body, item.start, item.end, 5)) {
                            SPAN_NAMES.computeIfAbsent(new String(body, name.start, name.end - name.start, StandardCharsets.UTF_8),
                                    n -> new AtomicLong()).incrementAndGet();
                        }
                    }
                }
            }
        }
        counter.addAndGet(items);
        EXPORTS.incrementAndGet();
        // An empty Export*ServiceResponse is zero bytes: full success.
        answer(exchange, 200, "application/x-protobuf", new byte[0]);
    }

    private static long dataPoints(byte[] body, Field metric) {
        long points = 0;
        for (int dataField : METRIC_DATA_FIELDS) {
            for (Field data : fields(body, metric.start, metric.end, dataField)) {
                points += fields(body, data.start, data.end, 1).size();
            }
        }
        return points;
    }

    private static void answer(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    /** A length-delimited field's bytes: body[start, end). */
    record Field(int start, int end) {
    }

    /** The length-delimited occurrences of field {@code number} in the message body[from, to); other fields skipped. */
    static List<Field> fields(byte[] body, int from, int to, int number) {
        List<Field> found = new ArrayList<>();
        int[] at = { from };
        while (at[0] < to) {
            long tag = varint(body, at);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> varint(body, at);
                case 1 -> at[0] += 8;
                case 5 -> at[0] += 4;
                case 2 -> {
                    int length = (int) varint(body, at);
                    if (tag >>> 3 == number) {
                        found.add(new Field(at[0], at[0] + length));
                    }
                    at[0] += length;
                }
                default -> throw new IllegalArgumentException("wire type " + wireType + " at " + at[0]);
            }
        }
        return found;
    }

    private static long varint(byte[] body, int[] at) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = body[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long at " + at[0]);
    }
}
