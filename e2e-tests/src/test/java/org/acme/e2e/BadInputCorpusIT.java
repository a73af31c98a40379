package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.acme.conventions.testing.RawHttp;
import org.acme.conventions.testing.RawHttp.Answer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bad-input corpus (src/test/resources/bad-input/*.tsv) against the gateway and each backend's
 * REST API, over raw sockets: never a 5xx, every error problem+json whose traceId is the X-Trace-Id
 * header, nothing stored by a rejected request, and no label chosen by a client in the metrics.
 */
@Order(3)
@ExtendWith(PlatformExtension.class)
class BadInputCorpusIT {

    private static final List<String> FILES = List.of("ids", "bodies", "headers", "methods", "protocol");
    private static final Map<String, String> SERVICES = Map.of("gateway", "gateway-service", "user", "user-service",
            "video", "video-service", "recommend", "recommend-service");
    private static final Pattern TRACE_ID = Pattern.compile("\"traceId\":\"([0-9a-f]{32})\"");
    private static final Pattern REPEAT = Pattern.compile("\\{repeat:(\\d+):([^}]*)}");

    record Case(String file, int line, String service, String expected, String method, String target, String headers,
            String body) {

        @Override
        public String toString() {
            String shown = method + " " + target;
            return file + ".tsv:" + line + " " + service + " " + (shown.length() > 100 ? shown.substring(0, 100) + "…" : shown);
        }
    }

    @Test
    void no_bad_input_gets_a_5xx_or_an_answer_outside_the_error_contract_or_stores_anything(E2eStack stack) {
        List<Case> corpus = new ArrayList<>();
        FILES.forEach(file -> corpus.addAll(load(file)));

        String history = Http.get(url(stack, "user-service") + "/users/31/history?limit=100").body();
        Map<String, Double> stored = storedCounts(stack);

        List<String> failures = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        long started = System.nanoTime();
        for (Case c : corpus) {
            int port = stack.platform.service(SERVICES.get(c.service())).httpPort();
            Answer answer = RawHttp.send(port, request(c, port));
            byStatus.merge(c.file() + " " + (answer.status() < 0 ? "closed" : Integer.toString(answer.status())), 1, Integer::sum);
            String wrong = verdict(c, answer);
            if (wrong != null) {
                failures.add(c + " -> " + wrong + ": " + shorten(answer.toString()));
            }
        }
        System.out.printf("[e2e] bad-input corpus: %d requests in %d ms; answers by file and status: %s%n", corpus.size(),
                (System.nanoTime() - started) / 1_000_000, byStatus);

        assertTrue(failures.isEmpty(), failures.size() + " of " + corpus.size() + " cases broke the contract:\n"
                + String.join("\n", failures));
        assertEquals(history, Http.get(url(stack, "user-service") + "/users/31/history?limit=100").body(),
                "user 31's history after the corpus");
        assertEquals(stored, storedCounts(stack), "what the services stored, before and after the corpus");
        assertLabelsAreTheServicesOwn(stack);
    }

    /** Why an answer breaks the contract, or null when it keeps it. */
    private static String verdict(Case c, Answer answer) {
        int status = answer.status();
        if (status >= 500) {
            return "a server error";
        }
        if (c.expected().equals("codec")) {
            // Refused by Vert.x' HTTP codec, before any code of the service runs (see docs/ARCHITECTURE.md).
            return status == -1 || (status >= 400 && status < 500) ? null : "expected a 4xx or a closed connection";
        }
        if (status < 0) {
            return "no answer";
        }
        if (c.expected().equals("4xx") ? status < 400 || status > 499 : status != Integer.parseInt(c.expected())) {
            return "expected " + c.expected();
        }
        if (!"application/problem+json".equals(answer.header("Content-Type"))) {
            return "not problem+json";
        }
        String header = answer.header("X-Trace-Id");
        Matcher body = TRACE_ID.matcher(answer.body());
        if (header == null || !body.find() || !body.group(1).equals(header)) {
            return "traceId in the body is not the X-Trace-Id header";
        }
        return null;
    }

    private static byte[] request(Case c, int port) {
        if (c.method().equals("RAW")) {
            return unescape(c.target());
        }
        byte[] body = c.body().equals("-") ? new byte[0] : unescape(c.body());
        StringBuilder head = new StringBuilder(c.method() + " " + new String(unescape(c.target()), StandardCharsets.ISO_8859_1)
                + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        if (!c.headers().equals("-")) {
            head.append(new String(unescape(c.headers()), StandardCharsets.ISO_8859_1).replace("\n", "\r\n")).append("\r\n");
        }
        if (body.length > 0 || c.method().equals("POST")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes(body);
        return bytes.toByteArray();
    }

    /** The corpus' escapes: \r \n \t \\ \xHH and {repeat:N:text}; everything else is UTF-8 text. */
    static byte[] unescape(String cell) {
        Matcher repeat = REPEAT.matcher(cell);
        StringBuilder expanded = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(expanded, Matcher.quoteReplacement(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(expanded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = expanded.toString();
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                switch (next) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case 'x' -> {
                        out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> out.write(next);
                }
            } else {
                out.writeBytes(String.valueOf(ch).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    static List<Case> load(String file) {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = BadInputCorpusIT.class.getResourceAsStream("/bad-input/" + file + ".tsv")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank() || lines[i].startsWith("#")) {
                    continue;
                }
                String[] cells = lines[i].split("\t", -1);
                if (cells.length != 6) {
                    throw new IllegalStateException(file + ".tsv:" + (i + 1) + " has " + cells.length + " cells, not 6");
                }
                cases.add(new Case(file, i + 1, cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** Counters that move only when something is stored: an accepted upload, an inserted video, a recorded view. */
    private static Map<String, Double> storedCounts(E2eStack stack) {
        Map<String, Double> counts = new TreeMap<>();
        String video = Http.get(stack.platform.service("video-service").managementUrl() + "/q/metrics").body();
        String user = Http.get(stack.platform.service("user-service").managementUrl() + "/q/metrics").body();
        counts.put("uploads accepted", sum(video, "app_video_uploads_total{", "outcome=\"success\""));
        counts.put("videos inserted", sum(video, "app_db_query_seconds_count{", "operation=\"insert_video\""));
        counts.put("views recorded", sum(user, "app_db_query_seconds_count{", "operation=\"record_view\""));
        return counts;
    }

    private static double sum(String metrics, String series, String label) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series) && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.indexOf("} ") + 2).split(" ")[0]);
            }
        }
        return sum;
    }

    /** Every uri label of the HTTP server metrics is a route of the service or a fixed word, whatever the corpus sent. */
    private static void assertLabelsAreTheServicesOwn(E2eStack stack) {
        Pattern uri = Pattern.compile("http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"");
        // Quarkus' fixed words, Netty's name for a request it could not decode, and the routes without a path parameter.
        Set<String> fixed = Set.of("UNKNOWN", "NOT_FOUND", "REDIRECTION", "root", "/bad-request", "/api/home", "/api/videos", "/admin/faults",
                "/videos");
        for (String service : SERVICES.values()) {
            Set<String> labels = new TreeSet<>();
            Matcher m = uri.matcher(Http.get(stack.platform.service(service).managementUrl() + "/q/metrics").body());
            while (m.find()) {
                labels.add(m.group(1));
            }
            List<String> chosenByClients = labels.stream()
                    .filter(label -> !fixed.contains(label) && !label.startsWith("/q/") && !label.contains("{"))
                    .toList();
            System.out.printf("[e2e] %s uri labels: %s%n", service, labels);
            assertTrue(chosenByClients.isEmpty(), service + " has uri labels a client chose: " + chosenByClients);
        }
    }

    private static String url(E2eStack stack, String service) {
        return stack.platform.service(service).baseUrl();
    }

    private static String shorten(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
