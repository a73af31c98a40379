package org.acme.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class WebFrontTest {

    private static final Pattern PAGE_TRACE = Pattern.compile("data-trace-id=\"([0-9a-f]{32})\"");

    @Inject
    InMemorySpanExporter spans;

    @ParameterizedTest
    @ValueSource(strings = { "/", "/home?userId=5", "/watch/42?userId=5", "/upload?userId=5" })
    void each_page_carries_the_jaeger_address_and_the_trace_of_its_own_request(String page) {
        Response response = given().when().get(page);
        response.then().statusCode(200)
                .contentType(startsWith("text/html"))
                .body(containsString("data-jaeger-url=\"http://127.0.0.1:16686\""))
                .body(containsString("<script type=\"module\" src=\"/web/site.js?v=" + WebFront.ASSETS + "\"></script>"))
                .body(containsString("<link rel=\"stylesheet\" href=\"/web/site.css?v=" + WebFront.ASSETS + "\">"));
        Matcher trace = PAGE_TRACE.matcher(response.asString());
        assertTrue(trace.find(), response.asString());
        assertEquals(response.header("X-Trace-Id"), trace.group(1));
    }

    @Test
    void the_user_picker_lists_the_forty_demo_users() {
        String page = given().when().get("/").then().statusCode(200).extract().asString();
        assertTrue(page.contains("href=\"/home?userId=1\""));
        assertTrue(page.contains("href=\"/home?userId=40\""));
        assertFalse(page.contains("href=\"/home?userId=41\""));
    }

    @Test
    void a_page_never_echoes_what_the_visitor_typed_into_the_url() {
        given().when().get("/home?userId=%3Cscript%3Ealert(1)%3C/script%3E")
                .then().statusCode(200)
                .body(not(containsString("alert(1)")));
    }

    /**
     * Quarkus serves the script cacheable for a day: a page after an update must name another URL, so the
     * version in the URL is the digest of what is served, and it changes with the file.
     */
    @Test
    void the_script_url_a_page_names_changes_with_the_script() throws Exception {
        byte[] script = given().when().get("/web/site.js?v=" + WebFront.ASSETS).then().statusCode(200).extract().asByteArray();
        byte[] styles = given().when().get("/web/site.css?v=" + WebFront.ASSETS).then().statusCode(200).extract().asByteArray();
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        sha256.update(script);
        sha256.update(styles);
        assertEquals(java.util.HexFormat.of().formatHex(sha256.digest(), 0, 6), WebFront.ASSETS);
    }

    /** No other site can frame a page (clickjacking), and no answer is read as another type than it says. */
    @ParameterizedTest
    @ValueSource(strings = { "/", "/watch/42?userId=5", "/web/site.js", "/api/videos/1", "/api/videos/abc" })
    void pages_and_answers_forbid_framing_and_type_sniffing(String path) {
        given().when().get(path).then()
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"));
    }

    @Test
    void the_script_and_styles_are_served_from_the_jar() {
        given().when().get("/web/site.js").then().statusCode(200)
                .contentType(containsString("javascript"))
                .body(containsString("X-Trace-Id"));
        given().when().get("/web/site.css").then().statusCode(200).contentType(startsWith("text/css"));
    }

    @Test
    void the_pages_are_traced_and_their_script_and_styles_are_not() {
        given().when().get("/web/site.js").then().statusCode(200);
        given().when().get("/web/site.css").then().statusCode(200);
        String pageTrace = given().when().get("/upload?userId=3").then().statusCode(200).extract().header("X-Trace-Id");

        // The files' spans, had there been any, ended before the page's, so they would be exported by now.
        InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(pageTrace) && s.getName().equals("GET /upload"));
        List<String> files = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().contains("/web/")
                        || String.valueOf(s.getAttributes().get(AttributeKey.stringKey("url.path"))).startsWith("/web/"))
                .map(SpanData::getName).toList();
        assertEquals(List.of(), files);
    }

    @Test
    void the_pages_stay_out_of_the_api_document() {
        String openApi = given().when().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        assertTrue(openApi.contains("\"/api/home\""));
        assertFalse(openApi.contains("\"/home\""), "the page /home is not an API operation");
        assertFalse(openApi.contains("\"/upload\""));
    }
}
