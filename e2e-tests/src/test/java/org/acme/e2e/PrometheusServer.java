package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's package) on a loopback port, scraping the platform with the compose
 * stack's own scrape config: same job names and metrics_path, targets moved to 127.0.0.1, and a
 * 1 s interval so the tests need not wait.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int port;
    private final Process process;
    private final Path log;

    private PrometheusServer(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * @param stackConfig the compose stack's prometheus.yml
     * @param targets     compose "service:port" → the address it runs at here
     */
    public static PrometheusServer start(Path stackConfig, Map<String, String> targets, Path work) {
        try {
            String config = Files.readString(stackConfig);
            for (var target : targets.entrySet()) {
                if (!config.contains("\"" + target.getKey() + "\"")) {
                    throw new IllegalStateException(stackConfig + " has no target " + target.getKey());
                }
                config = config.replace("\"" + target.getKey() + "\"", "\"" + target.getValue() + "\"");
            }
            config = config.replaceAll("(scrape_interval|evaluation_interval): \\S+", "$1: 1s");
            // The rules compose mounts at /etc/prometheus/rules, read from the repository here.
            config = config.replace("/etc/prometheus/rules/", stackConfig.getParent().resolve("rules").toAbsolutePath() + "/");
            Files.createDirectories(work);
            deleteRecursively(work.resolve("data")); // a fresh TSDB: no series from an earlier run
            Path configFile = work.resolve("prometheus.yml");
            Files.writeString(configFile, config);
            Path log = work.resolve("prometheus.log");
            int port = Platform.freePort();
            Process process = new ProcessBuilder(executable(), "--config.file=" + configFile,
                    "--storage.tsdb.path=" + work.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--enable-feature=exemplar-storage")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer prometheus = new PrometheusServer(port, process, log);
            prometheus.awaitReady(Duration.ofSeconds(30));
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start prometheus: " + TestTools.missing("prometheus"), e);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String executable() {
        return TestTools.executable("prometheus");
    }

    private void awaitReady(Duration timeout) {
        TestTools.awaitReady("prometheus", process, baseUrl(), log, timeout);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Where its HTTP API answers. */
    public String baseUrl() {
        return url("");
    }

    /** Runs an instant PromQL query and returns its vector result. */
    public JsonNode query(String promql) {
        JsonNode body = get("/api/v1/query?query=" + encode(promql));
        return body.path("data").path("result");
    }

    /** The value of a query that yields one sample, or null when it yields none. */
    public Double scalar(String promql) {
        JsonNode result = query(promql);
        if (result.isEmpty()) {
            return null;
        }
        if (result.size() > 1) {
            throw new IllegalStateException(promql + " gave " + result.size() + " samples: " + result);
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** When Prometheus last scraped every one of these jobs (the oldest of their latest scrapes), in epoch seconds. */
    public double lastScrapeOfAll(List<String> jobs) {
        Double oldest = scalar("min(timestamp(up{job=~\"" + String.join("|", jobs) + "\"}))");
        return oldest == null ? 0 : oldest;
    }

    /** Waits until every one of {@code jobs} has a target scraped and up; fails after {@code timeout}. */
    public void awaitJobsUp(List<String> jobs, Duration timeout) {
        String query = "sum(up{job=~\"" + String.join("|", jobs) + "\"})";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Double up = scalar(query);
            if (up != null && up == jobs.size()) {
                return;
            }
            ServiceProcess.pause(Duration.ofMillis(250));
        }
        throw new IllegalStateException("Prometheus does not see " + jobs + " up: " + query("up"));
    }

    /** Trace ids of the exemplars stored for a series selector over the last minutes. */
    public List<String> exemplarTraceIds(String selector) {
        long now = Instant.now().getEpochSecond();
        JsonNode body = get("/api/v1/query_exemplars?query=" + encode(selector) + "&start=" + (now - 600) + "&end=" + (now + 60));
        List<String> traceIds = new ArrayList<>();
        for (JsonNode series : body.path("data")) {
            for (JsonNode exemplar : series.path("exemplars")) {
                String traceId = exemplar.path("labels").path("trace_id").asText(null);
                if (traceId != null) {
                    traceIds.add(traceId);
                }
            }
        }
        return traceIds;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            if (!"success".equals(body.path("status").asText())) {
                throw new IllegalStateException(path + " → " + response.body());
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    public String tail() {
        return TestTools.tail(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
