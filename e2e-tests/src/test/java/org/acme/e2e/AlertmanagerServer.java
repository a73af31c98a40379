package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A real Alertmanager (Debian's package) on a loopback port, with the stack's own configuration
 * (observability-stack/alertmanager/alertmanager.yml): its routes, grouping and inhibitions as written, each
 * receiver given a webhook into this test JVM, which keeps every notification it gets.
 */
public final class AlertmanagerServer implements AutoCloseable {

    /** One notification: the receiver it was routed to, Alertmanager's webhook body, and when it came (System.nanoTime). */
    public record Notification(String receiver, JsonNode body, long receivedNanos) {
        public String status() {
            return body.path("status").asText();
        }

        public String alertname() {
            return body.path("groupLabels").path("alertname").asText(body.path("commonLabels").path("alertname").asText());
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int port;
    private final Process process;
    private final Path log;
    private final HttpServer webhooks;
    private final Queue<Notification> notifications = new ConcurrentLinkedQueue<>();

    private AlertmanagerServer(int port, Process process, Path log, HttpServer webhooks) {
        this.port = port;
        this.process = process;
        this.log = log;
        this.webhooks = webhooks;
    }

    /**
     * @param stackConfig the stack's alertmanager.yml
     * @param receivers   the receivers it names, each of which gets a webhook here
     */
    public static AlertmanagerServer start(Path stackConfig, List<String> receivers, Path work) {
        try {
            HttpServer webhooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            String config = Files.readString(stackConfig);
            for (String receiver : receivers) {
                String named = "  - name: " + receiver + "\n";
                if (!config.contains(named)) {
                    throw new IllegalStateException(stackConfig + " has no receiver " + receiver);
                }
                config = config.replace(named, named + "    webhook_configs:\n      - url: http://127.0.0.1:"
                        + webhooks.getAddress().getPort() + "/" + receiver + "\n        send_resolved: true\n");
            }
            // A fresh notification log: one kept from an earlier run says its alerts were sent already, and
            // Alertmanager holds the same alerts back for repeat_interval (4 h).
            PrometheusServer.deleteRecursively(work.resolve("data"));
            Files.createDirectories(work.resolve("data"));
            Path configFile = work.resolve("alertmanager.yml");
            Files.writeString(configFile, config);
            Path log = work.resolve("alertmanager.log");
            int port = Platform.freePort();
            Process process = new ProcessBuilder(TestTools.executable("alertmanager"), "--config.file=" + configFile,
                    "--storage.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            AlertmanagerServer alertmanager = new AlertmanagerServer(port, process, log, webhooks);
            webhooks.createContext("/", exchange -> {
                try (exchange) {
                    String receiver = exchange.getRequestURI().getPath().substring(1);
                    JsonNode body = JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    alertmanager.notifications.add(new Notification(receiver, body, System.nanoTime()));
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            webhooks.start();
            alertmanager.awaitReady(Duration.ofSeconds(30));
            return alertmanager;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start alertmanager: " + TestTools.missing("alertmanager"), e);
        }
    }

    private void awaitReady(Duration timeout) {
        TestTools.awaitReady("alertmanager", process, baseUrl(), log, timeout);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** host:port, as Prometheus' alerting configuration names it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Every notification received so far, in order. */
    public List<Notification> notifications() {
        return List.copyOf(notifications);
    }

    @Override
    public void close() {
        process.destroy();
        webhooks.stop(0);
    }
}
