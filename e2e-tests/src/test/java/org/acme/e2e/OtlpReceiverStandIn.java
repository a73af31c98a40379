package org.acme.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The tests' OTLP receiver as a program: the Collector's stand-in in the container check
 * (scripts/check-containers.sh, through compose's OTEL_COLLECTOR_IMAGE), where no Collector image can be had. It receives OTLP/gRPC on 4317
 * as the Collector does, and answers on 4318, where the Collector takes OTLP/HTTP, what it received:
 * <ul>
 * <li>{@code GET /traces/<trace id>}: {@code {"services":[...],"spans":n}}, the services that sent spans of that
 * trace;</li>
 * <li>{@code GET /spans}: {@code {"<service>":n,...}}, spans received from each service since the start.</li>
 * </ul>
 * It runs inside the Collector's memory limit: once it holds more than {@value #KEEP_SPANS} spans, it lets go of all
 * it holds (the counts per service stay).
 * Arguments (the Collector's {@code --config=...}) are ignored.
 */
public final class OtlpReceiverStandIn {

    static final int KEEP_SPANS = 3_000;

    private OtlpReceiverStandIn() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        InetAddress any = InetAddress.getByName("0.0.0.0");
        OtlpReceiver receiver = new OtlpReceiver(any, 4317);
        receiver.start();
        HttpServer http = HttpServer.create(new InetSocketAddress(any, 4318), 16);
        http.createContext("/traces/", exchange -> {
            String traceId = exchange.getRequestURI().getPath().substring("/traces/".length());
            var spans = receiver.spansOf(traceId);
            String services = spans.stream().map(OtlpReceiver.ReceivedSpan::service)
                    .collect(Collectors.toCollection(TreeSet::new)).stream()
                    .map(service -> '"' + service + '"').collect(Collectors.joining(","));
            answer(exchange, "{\"services\":[" + services + "],\"spans\":" + spans.size() + "}");
        });
        http.createContext("/spans", exchange -> answer(exchange, json(receiver.spansPerService())));
        http.setExecutor(Executors.newFixedThreadPool(2));
        http.start();
        System.out.println("OTLP/gRPC on :4317, what arrived on http://:4318/traces/<id> and /spans");
        while (true) {
            TimeUnit.SECONDS.sleep(1);
            if (receiver.spanCount() > KEEP_SPANS) {
                receiver.forgetKept();
            }
        }
    }

    private static String json(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> '"' + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
