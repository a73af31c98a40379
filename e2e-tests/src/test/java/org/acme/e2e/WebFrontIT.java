package org.acme.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.stream.Collectors;

import org.acme.e2e.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;

/**
 * The web front in a real browser: Debian's Chromium, driven through WebDriver and its Debian driver,
 * against the four services. What a learner sees (the trace id of each request, the friendly error
 * and its reference) is checked against what the OTLP receiver and Prometheus hold.
 */
@Order(4)
@ExtendWith(PlatformExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebFrontIT {

    /** The user whose home page is opened (with the feed cache off, so its feed is computed across all four services). */
    private static final String USER = "27";
    /** The user whose home page is opened while video-service is away (with the feed cache off). */
    private static final String USER_AWAY = "28";
    private static final String JAEGER = "http://127.0.0.1:16686"; // app.web.jaeger-url's default
    // Generous for a 2-core machine shared with four JVMs; every wait ends as soon as its condition holds.
    private static final Duration PAGE_DEADLINE = Duration.ofSeconds(20);

    private WebDriver browser;
    private String gateway;

    @BeforeAll
    void openTheBrowser(E2eStack stack) {
        gateway = stack.gateway();
        browser = Chromium.start();

        // The first requests after a start load and compile their code paths: on a busy 2-core machine the
        // very first home page can exceed the gateway's 4 s budget (a 504). The pages are tested on a warm site.
        long started = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> Http.get(gateway + "/api/home?userId=1").statusCode() == 200);
        System.out.printf("[e2e] web front: the site answered a home page %d ms after the browser test began%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @BeforeEach
    void forgetEarlierConsoleMessages() {
        browser.manage().logs().get(LogType.BROWSER);
    }

    @AfterAll
    void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void the_home_page_shows_the_feed_and_its_trace_id_is_a_trace_across_all_four_services(E2eStack stack) {
        FeedCache.off(stack); // the feed computed, not served from the cache: its trace crosses all four services
        try {
            open("/home?userId=" + USER);
            awaitSettled("home");
        } finally {
            FeedCache.on(stack);
        }
        assertNoProblemShown();
        assertEquals(12, browser.findElements(By.cssSelector("#feed li")).size(), "videos in the feed");
        assertTrue(text("#greeting").startsWith("Hello, "), text("#greeting"));

        WebElement row = logRow("/api/home?userId=" + USER);
        assertEquals("200", row.getDomAttribute("data-status"));
        String traceId = row.getDomAttribute("data-trace-id");
        assertTrue(traceId != null && traceId.matches("[0-9a-f]{32}"), "trace id shown: " + traceId);
        WebElement link = row.findElement(By.cssSelector("a.trace"));
        assertEquals(traceId, link.getText());
        assertEquals(JAEGER + "/trace/" + traceId, link.getDomAttribute("href"));
        String latency = row.findElement(By.cssSelector("td.num")).getText();
        assertTrue(latency.matches("\\d+ ms"), latency);

        // The trace the page shows: one tree across the four services, rooted in the gateway's server span
        // (the page sends no traceparent: nothing the browser made is missing from the tree).
        SpanTree trace = new SpanTree(SignatureTraceIT.awaitCompleteTrace(stack, traceId));
        assertEquals(List.of(), trace.orphans(), trace.render());
        assertEquals(1, trace.roots().size(), trace.render());
        ReceivedSpan root = trace.roots().get(0);
        assertEquals("gateway-service", root.service());
        assertEquals("GET /api/home", root.span().getName());
        assertEquals(SpanKind.SPAN_KIND_SERVER, root.span().getKind());
        assertEquals(Set.copyOf(Platform.SERVICES), trace.spans().stream().map(ReceivedSpan::service).collect(Collectors.toSet()),
                trace.render());

        // The page's own request is listed too, with the trace id the gateway rendered into it.
        WebElement pageRow = logRow("/home?userId=" + USER);
        String pageTrace = pageRow.getDomAttribute("data-trace-id");
        awaitSpan(stack, pageTrace, s -> s.service().equals("gateway-service") && s.span().getName().equals("GET /home"),
                "the gateway's GET /home");

        // Online on this page: the page's own heartbeat counted this user.
        WebElement online = browser.findElement(By.id("online"));
        new WebDriverWait(browser, PAGE_DEADLINE).until(ExpectedConditions.attributeToBeNotEmpty(online, "data-count"));
        assertTrue(Integer.parseInt(online.getDomAttribute("data-count")) >= 1, online.getText());
        assertEquals("200", logRow("/api/users/" + USER + "/heartbeat?page=home").getDomAttribute("data-status"));

        assertNoBrowserErrors();
        screenshot("web-home.png");
        System.out.printf("[e2e] web front: home page of user %s, %d videos, GET /api/home took %s, trace %s (%d spans, "
                + "root %s), page trace %s, %s%n", USER, 12, latency, traceId, trace.spans().size(), root.span().getName(),
                pageTrace, online.getText());
    }

    @Test
    @Order(2)
    void a_video_page_shows_the_video_and_its_trace_records_the_view(E2eStack stack) {
        open("/home?userId=" + USER);
        awaitSettled("home");
        WebElement first = browser.findElement(By.cssSelector("#feed li"));
        String videoId = first.getDomAttribute("data-video-id");
        String title = first.findElement(By.cssSelector(".title")).getText();
        first.findElement(By.tagName("a")).click();
        awaitSettled("video");
        assertNoProblemShown();
        assertEquals(title, text("#video-title"));

        WebElement row = logRow("/api/videos/" + videoId + "?userId=" + USER);
        assertEquals("200", row.getDomAttribute("data-status"));
        String traceId = row.getDomAttribute("data-trace-id");
        // The view is recorded in the same trace: user-service's server span for the history write.
        ReceivedSpan history = awaitSpan(stack, traceId, s -> s.service().equals("user-service")
                && s.span().getKind() == SpanKind.SPAN_KIND_SERVER && s.span().getName().equals("POST /users/{id}/history"),
                "user-service's POST /users/{id}/history");
        assertEquals("204", history.attribute("http.response.status_code"));
        assertEquals(videoId, history.attribute("app.video.id"));
        assertNoBrowserErrors();

        // The same page with a trailing slash in its address shows the same video (it used to ask for /api/videos/: a 405).
        open("/watch/" + videoId + "/?userId=" + USER);
        awaitSettled("video");
        assertNoProblemShown();
        assertEquals(title, text("#video-title"));
        logRow("/api/videos/" + videoId + "?userId=" + USER);
    }

    @Test
    @Order(3)
    void the_upload_form_shows_the_servers_explanation_and_the_metrics_count_each_attempt(E2eStack stack) {
        String success = "sum(app_video_uploads_total{job=\"video-service\",outcome=\"success\"})";
        String failure = "sum(app_video_uploads_total{job=\"video-service\",outcome=\"failure\"})";
        double successBefore = stack.prometheus.scalar(success);
        double failureBefore = stack.prometheus.scalar(failure);

        open("/upload?userId=" + USER);
        awaitSettled("upload");
        fill("", "300", "3000000000");
        WebElement problem = awaitProblem();
        assertEquals("400", problem.getDomAttribute("data-status"));
        assertEquals("Your video was not accepted.", text("#problem .message"));
        // The server's own explanation, word for word (video-service's checks, sorted and joined).
        assertEquals("sizeBytes must be at most 2147483648 (2 GiB); title must not be blank", text("#problem .explanation"));
        String reference = problem.findElement(By.cssSelector(".reference a.trace")).getText();
        assertEquals(logRow("/api/videos").getDomAttribute("data-trace-id"), reference);
        assertEquals("Reference: " + reference, text("#problem .reference"));

        // A valid upload. On a 2-core machine under load, video-service's check of the uploader can run out of
        // its bound (a 504, counted as a failure like any other attempt): the visitor then tries again.
        int timedOut = 0;
        while (true) {
            fill("Filmed in a browser", "95", "12000000");
            new WebDriverWait(browser, PAGE_DEADLINE).until(ExpectedConditions.or(
                    ExpectedConditions.visibilityOfElementLocated(By.id("upload-result")),
                    ExpectedConditions.visibilityOfElementLocated(By.id("problem"))));
            WebElement answer = visibleAnswer();
            if (answer.getDomAttribute("id").equals("upload-result")) {
                break;
            }
            String status = answer.getDomAttribute("data-status");
            assertTrue(status.startsWith("5") && timedOut < 2, "a valid upload was refused: " + status + " " + answer.getText());
            timedOut++;
            System.out.printf("[e2e] web front: a valid upload answered %s (%s); trying again%n", status, text("#problem .message"));
        }
        WebElement done = browser.findElement(By.id("upload-result"));
        assertTrue(browser.findElement(By.id("problem")).getDomAttribute("hidden") != null, "the earlier problem is gone");
        assertEquals("Uploaded: Filmed in a browser", done.findElement(By.cssSelector(".message")).getText());

        // Prometheus, as a dashboard asks it: exactly this test's attempts, one refusal (plus any that timed out)
        // and one success.
        awaitScraped(stack, failure, failureBefore + 1 + timedOut);
        awaitScraped(stack, success, successBefore + 1);
        System.out.printf("[e2e] web front: upload refused with '%s' (reference %s), then accepted as video %s; %s = %s, %s = %s%n",
                "sizeBytes must be at most 2147483648 (2 GiB); title must not be blank", reference,
                done.getDomAttribute("data-video-id"), failure, stack.prometheus.scalar(failure), success,
                stack.prometheus.scalar(success));
    }

    @Test
    @Order(4)
    void with_video_service_stopped_a_home_page_says_something_went_wrong_with_a_reference_to_the_failing_span(
            E2eStack stack) {
        open("/");
        WebElement pick = new WebDriverWait(browser, PAGE_DEADLINE)
                .until(ExpectedConditions.elementToBeClickable(By.linkText("User " + USER_AWAY)));
        ServiceProcess videos = stack.platform.service("video-service");
        FeedCache.off(stack); // recommend-service needs video-service to compute this user's feed
        videos.stop();
        try {
            pick.click();
            WebElement problem = awaitProblem();
            assertEquals("502", problem.getDomAttribute("data-status"));
            assertEquals("Something went wrong while loading your home page. Please try again in a moment.",
                    text("#problem .message"));
            // A real site's words: no explanation naming services, no stack trace anywhere on the page.
            assertTrue(problem.findElements(By.cssSelector(".explanation")).isEmpty(), problem.getText());
            String page = browser.findElement(By.tagName("main")).getText();
            assertFalse(page.contains("Exception") || page.contains("\tat ") || page.contains("service"), page);

            String reference = problem.getDomAttribute("data-trace-id");
            WebElement link = problem.findElement(By.cssSelector(".reference a.trace"));
            assertEquals(reference, link.getText());
            assertEquals("Reference: " + reference, text("#problem .reference"));
            assertEquals(JAEGER + "/trace/" + reference, link.getDomAttribute("href"));
            assertEquals(reference, logRow("/api/home?userId=" + USER_AWAY).getDomAttribute("data-trace-id"));

            // The reference leads to the failing span: recommend-service's call to video-service, marked as failed.
            ReceivedSpan failing = awaitSpan(stack, reference, s -> s.service().equals("recommend-service")
                    && s.span().getKind() == SpanKind.SPAN_KIND_CLIENT
                    && s.span().getName().startsWith("videosite.video.v1.VideoCatalogService/")
                    && s.span().getStatus().getCode() == StatusCode.STATUS_CODE_ERROR,
                    "a failed call from recommend-service to video-service");
            assertEquals("14", failing.attribute("rpc.grpc.status_code"), "UNAVAILABLE");
            screenshot("web-error.png");
            System.out.printf("[e2e] web front with video-service stopped: '%s', reference %s, failing span %s %s (%s)%n",
                    text("#problem .message"), reference, failing.service(), failing.span().getName(),
                    failing.span().getStatus().getCode());
        } finally {
            stack.platform.restart("video-service");
            FeedCache.on(stack);
        }

        // Back up: a reload shows the page, with nothing wrong on it (the gRPC channel reconnects on its own).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            browser.navigate().refresh();
            return awaitSettled("home").equals("loaded");
        });
        assertNoProblemShown();
        assertEquals(12, browser.findElements(By.cssSelector("#feed li")).size(), "videos in the feed");
    }

    /** The span of {@code traceId} that matches, once the receiver holds it; the trace's spans if it never does. */
    private static ReceivedSpan awaitSpan(E2eStack stack, String traceId, Predicate<ReceivedSpan> wanted, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ReceivedSpan> found = stack.receiver.spansOf(traceId).stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            ServiceProcess.pause(Duration.ofMillis(200));
        }
        throw new AssertionError("trace " + traceId + " holds no " + what + " (" + stack.receiver.exportsSeen() + "):\n"
                + stack.receiver.spansOf(traceId).stream()
                        .map(s -> s.service() + " " + s.span().getKind() + " " + s.span().getName() + " port="
                                + s.attribute("server.port") + " " + s.span().getStatus().getCode())
                        .collect(Collectors.joining("\n")));
    }

    private void open(String path) {
        browser.get(gateway + path);
    }

    /** Waits until the page has loaded its content or shows a problem; says which. */
    private String awaitSettled(String page) {
        return new WebDriverWait(browser, PAGE_DEADLINE).until(b -> {
            if (page.equals(b.findElement(By.tagName("body")).getDomAttribute("data-loaded"))) {
                return "loaded";
            }
            return b.findElement(By.id("problem")).isDisplayed() ? "problem" : null;
        });
    }

    /** The upload's answer on the page: the success note or the problem, whichever is shown. */
    private WebElement visibleAnswer() {
        WebElement done = browser.findElement(By.id("upload-result"));
        return done.isDisplayed() ? done : browser.findElement(By.id("problem"));
    }

    private WebElement awaitProblem() {
        return new WebDriverWait(browser, PAGE_DEADLINE).until(ExpectedConditions.visibilityOfElementLocated(By.id("problem")));
    }

    private void assertNoProblemShown() {
        WebElement problem = browser.findElement(By.id("problem"));
        assertFalse(problem.isDisplayed(), "the page shows an error it should not: " + problem.getText());
        List<String> failed = browser.findElements(By.cssSelector("#request-log tr.failed, #request-log tr.refused")).stream()
                .map(WebElement::getText).toList();
        assertEquals(List.of(), failed, "failed requests listed on a page that should have none");
    }

    /** Nothing went wrong inside the page itself: no script error, no failed load, in Chromium's console. */
    private void assertNoBrowserErrors() {
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogEntry::toString).toList();
        assertEquals(List.of(), errors, "Chromium's console");
    }

    /** The newest row of the request log for {@code path}, waited for. */
    private WebElement logRow(String path) {
        return new WebDriverWait(browser, PAGE_DEADLINE).until(b -> b.findElements(By.cssSelector("#request-log tbody tr")).stream()
                .filter(r -> path.equals(r.getDomAttribute("data-path"))).findFirst().orElse(null));
    }

    private String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    private void fill(String title, String durationSeconds, String sizeBytes) {
        WebElement form = browser.findElement(By.id("upload-form"));
        type(form.findElement(By.name("title")), title);
        type(form.findElement(By.name("durationSeconds")), durationSeconds);
        type(form.findElement(By.name("sizeBytes")), sizeBytes);
        int rows = browser.findElements(By.cssSelector("#request-log tbody tr[data-path='/api/videos']")).size();
        form.findElement(By.cssSelector("button[type=submit]")).click();
        // The answer is in once the request log has one more row for the upload.
        new WebDriverWait(browser, PAGE_DEADLINE).until(
                b -> b.findElements(By.cssSelector("#request-log tbody tr[data-path='/api/videos']")).size() > rows);
    }

    private static void type(WebElement input, String value) {
        input.clear();
        if (!value.isEmpty()) {
            input.sendKeys(value);
        }
    }

    /** Waits until Prometheus shows the expected value, then checks it is still that after the next scrape of all. */
    private static void awaitScraped(E2eStack stack, String query, double expected) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Double value = stack.prometheus.scalar(query);
            return value != null && value >= expected;
        });
        double reached = stack.prometheus.lastScrapeOfAll(Platform.SERVICES);
        await().atMost(Duration.ofSeconds(15)).until(() -> stack.prometheus.lastScrapeOfAll(Platform.SERVICES) > reached);
        assertEquals(expected, stack.prometheus.scalar(query), query);
    }

    /** Into target/e2e/screenshots, or where -De2e.screenshots says (../docs/images refreshes the README's). */
    private void screenshot(String name) {
        Path folder = Path.of(System.getProperty("e2e.screenshots", "target/e2e/screenshots"));
        try {
            Files.createDirectories(folder);
            File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            System.out.println("[e2e] screenshot " + folder.resolve(name).toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
