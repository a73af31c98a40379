package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A hostile web page in the trainer's browser (Chromium), served from another origin on 127.0.0.1, tries every
 * trick a page has without a CORS preflight against the fault switches of all four services and the traffic
 * generator's controls: forms (text/plain with JSON in the field name, urlencoded), {@code fetch} with
 * {@code mode: 'no-cors'}, a JSON {@code fetch} (which needs a preflight), and reading the management interface.
 * Afterwards every switch is still off, there is no surge, and the page read nothing.
 */
@Order(4)
@ExtendWith(PlatformExtension.class)
class HostilePageIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_page_of_another_origin_switches_nothing_starts_no_surge_and_reads_nothing(E2eStack stack) throws Exception {
        Map<String, String> admins = new LinkedHashMap<>();
        admins.put("gateway-service", stack.platform.service("gateway-service").managementUrl() + "/admin/faults");
        for (String backend : List.of("user-service", "video-service", "recommend-service")) {
            admins.put(backend, stack.platform.service(backend).baseUrl() + "/admin/faults");
        }
        ServiceProcess generator = stack.platform.startTrafficGenerator(Platform.Launch.withJvmOptions(List.of("-Xmx64m")),
                Map.of("APP_TRAFFIC_RATE", "0"));
        HttpServer hostile = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        WebDriver browser = null;
        try {
            byte[] page = page(admins, generator.baseUrl(), stack.platform.service("gateway-service").managementUrl())
                    .getBytes(StandardCharsets.UTF_8);
            hostile.createContext("/", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
                exchange.close();
            });
            hostile.start();
            browser = Chromium.start();
            browser.get("http://127.0.0.1:" + hostile.getAddress().getPort() + "/");
            // The page says when every attempt has settled (each form's frame loaded, each fetch ended).
            String outcome = new WebDriverWait(browser, Duration.ofSeconds(30)).until(
                    b -> b.findElement(By.tagName("body")).getDomAttribute("data-done"));
            System.out.println("[e2e] hostile page: " + outcome);
            String read = browser.findElement(By.tagName("body")).getDomAttribute("data-read");

            for (var admin : admins.entrySet()) {
                JsonNode state = JSON.readTree(Http.get(admin.getValue()).body());
                assertEquals(0, state.path("active").size(), admin.getKey() + "'s switches after the page: " + state);
            }
            JsonNode traffic = JSON.readTree(Http.get(generator.baseUrl() + "/admin/traffic").body());
            assertTrue(traffic.path("surge").isNull(), "no surge: " + traffic);
            assertEquals(0.0, traffic.path("rate").asDouble(), "the rate is unchanged: " + traffic);
            assertEquals("metrics:blocked faults:blocked", read, "what the page could read of the management interface");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            hostile.stop(0);
            stack.platform.stopTrafficGenerator();
        }
    }

    /** What the page tries to switch on at each service: faults that exist there (docs/WORKSHOP.md). */
    private static final Map<String, List<String>> FAULTS = Map.of(
            "gateway-service", List.of("{\"kind\":\"error\",\"target\":\"GET /api/home\"}"),
            "user-service", List.of("{\"kind\":\"error\",\"target\":\"GET /users/{id}\"}"),
            "video-service", List.of("{\"kind\":\"latency\",\"target\":\"db.find_video\",\"delay\":\"30s\"}"),
            "recommend-service", List.of("{\"kind\":\"expensive\",\"target\":\"recommendations\",\"delay\":\"30s\"}",
                    "{\"kind\":\"cache-off\",\"target\":\"home-feed\"}"));

    /** The hostile page: every attempt, then {@code data-done} on its body and what it read in {@code data-read}. */
    private static String page(Map<String, String> admins, String traffic, String management) {
        StringBuilder forms = new StringBuilder();
        StringBuilder fetches = new StringBuilder();
        int n = 0;
        for (var admin : admins.entrySet()) {
            for (String fault : FAULTS.get(admin.getKey())) {
                // text/plain forms whose field name carries the JSON: the body reads {…}= , or {…,"x":"="}
                forms.append(form(n++, admin.getValue(), "text/plain", fault, ""));
                forms.append(form(n++, admin.getValue(), "text/plain", fault.substring(0, fault.length() - 1) + ",\"x\":\"", "\"}"));
                fetches.append(fetch(admin.getValue(), "POST", "no-cors", "text/plain", fault));
                // With its real type a preflight is needed: the browser must not send it.
                fetches.append(fetch(admin.getValue(), "POST", "cors", "application/json", fault));
            }
            forms.append(form(n++, admin.getValue(), "application/x-www-form-urlencoded", "kind", "error"));
        }
        String surge = "{\"factor\":\"10\",\"duration\":\"1h\"}";
        forms.append(form(n++, traffic + "/admin/traffic/surge", "text/plain", surge, ""));
        forms.append(form(n++, traffic + "/admin/traffic/surge?factor=10&duration=1h", "application/x-www-form-urlencoded", "factor", "10"));
        fetches.append(fetch(traffic + "/admin/traffic/surge", "POST", "no-cors", "text/plain", surge));
        fetches.append(fetch(traffic + "/admin/traffic/surge", "POST", "cors", "application/json", surge));
        fetches.append(fetch(traffic + "/admin/traffic/rate", "PUT", "cors", "application/json", "{\"requestsPerSecond\": 50}"));
        int formCount = n;
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>Free videos</title></head>
                <body>
                %s
                <script>
                const attempts = [];
                let framesLoaded = 0;
                const framesDone = new Promise(resolve => {
                  document.querySelectorAll('iframe').forEach(frame => frame.addEventListener('load', () => {
                    if (++framesLoaded === %d) resolve();
                  }));
                });
                document.querySelectorAll('form').forEach(form => form.submit());
                %s
                async function tryToRead(url) {
                  try {
                    const answer = await fetch(url);
                    return 'read ' + (await answer.text()).length + ' characters';
                  } catch (e) {
                    return 'blocked';
                  }
                }
                Promise.all([Promise.all(attempts), framesDone, tryToRead(%s), tryToRead(%s)]).then(results => {
                  document.body.dataset.read = 'metrics:' + results[2] + ' faults:' + results[3];
                  document.body.dataset.done = framesLoaded + ' forms posted, ' + attempts.length + ' fetches sent';
                });
                </script>
                </body></html>
                """.formatted(forms, formCount, fetches, js(management + "/q/metrics"), js(management + "/admin/faults"));
    }

    private static String fetch(String url, String method, String mode, String type, String body) {
        return "attempts.push(fetch(" + js(url) + ", {method: " + js(method) + ", mode: " + js(mode) + ", headers: {'Content-Type': "
                + js(type) + "}, body: " + js(body) + "}).catch(() => null));\n";
    }

    private static String form(int n, String action, String type, String name, String value) {
        return "<iframe name=\"f" + n + "\" hidden></iframe><form method=\"POST\" target=\"f" + n + "\" action=\"" + attr(action)
                + "\" enctype=\"" + type + "\"><input name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"></form>\n";
    }

    private static String attr(String text) {
        return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
    }

    private static String js(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
