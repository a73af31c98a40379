package org.acme.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * It runs inside the Collector's memory limit: once it holds more than {@value #KEEP_SPANS} spans, it lets go of the
 * traces that received nothing since it last did (the counts per service stay; a trace still arriving is kept).
 * Arguments (the Collector's {@code --config=...}) are ignored.
 */
public final class OtlpReceiverStandIn {

    static final int KEEP_SPANS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();

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
            answer(exchange, Map.of("services", spans.stream().map(OtlpReceiver.ReceivedSpan::service)
                    .collect(Collectors.toCollection(TreeSet::new)), "spans", spans.size()));
        });
        http.createContext("/spans", exchange -> answer(exchange, receiver.spansPerService()));
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

    private static void answer(HttpExchange exchange, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
