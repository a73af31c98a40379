package org.acme.e2e;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A steady mix of the site's requests against the gateway, as a page-browsing crowd would send:
 * home pages, video pages that record a view, and heartbeats. Reusable by load tests.
 */
public final class Traffic {

    /**
     * What a run saw; {@code unexpected} counts the answers that were not the expected status, by status (-1: no
     * answer); {@code traceIds} holds the {@code X-Trace-Id} of every answer that was the expected one.
     */
    public record Result(int requests, int failures, List<String> failureSamples, List<Long> latenciesMicros,
            Map<Integer, Integer> unexpected, List<String> traceIds) {
        public long percentileMicros(double p) {
            List<Long> sorted = new ArrayList<>(latenciesMicros);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
        }
    }

    private Traffic() {
    }

    /** One request of a run, and the status a healthy site answers it with. */
    public record Call(String method, String url, String body, int expectedStatus) {
    }

    /** Request {@code i} of a run: 50% home, 30% video page with a view, 20% heartbeat on the video page. */
    static Call request(String gateway, int i) {
        long user = i % 40 + 1;
        return switch (i % 10) {
            case 0, 1, 2, 3, 4 -> new Call("GET", gateway + "/api/home?userId=" + user, null, 200);
            case 5, 6, 7 -> new Call("GET", gateway + "/api/videos/" + (i % 300 + 1) + "?userId=" + user, null, 200);
            default -> new Call("POST", gateway + "/api/users/" + user + "/heartbeat?page=video", null, 200);
        };
    }

    /**
     * Request {@code i} of a run that also uploads, as the site's whole audience would: 40% home,
     * 25% video page with a view, 25% heartbeats on several pages, 5% valid and 5% invalid uploads.
     */
    static Call withUploads(String gateway, int i) {
        long user = i % 40 + 1;
        String[] pages = { "home", "video", "upload", "profile", "search" };
        return switch (i % 20) {
            case 0, 1, 2, 3, 4, 5, 6, 7 -> new Call("GET", gateway + "/api/home?userId=" + user, null, 200);
            case 8, 9, 10, 11, 12 -> new Call("GET", gateway + "/api/videos/" + (i % 300 + 1) + "?userId=" + user, null, 200);
            case 13, 14, 15, 16, 17 -> new Call("POST",
                    gateway + "/api/users/" + user + "/heartbeat?page=" + pages[i % pages.length], null, 200);
            case 18 -> new Call("POST", gateway + "/api/videos", """
                    {"title":"Load test upload %d","durationSeconds":%d,"sizeBytes":%d,"uploaderId":%d,"category":"Tech"}"""
                    .formatted(i, 30 + i % 600, 1_000_000 + i, user), 201);
            default -> new Call("POST", gateway + "/api/videos", """
                    {"title":"","durationSeconds":0,"sizeBytes":1,"uploaderId":%d}""".formatted(user), 400);
        };
    }

    public static Result drive(String gateway, int requests, int concurrency) {
        return drive(requests, concurrency, i -> request(gateway, i));
    }

    /** Runs {@code requests} calls from {@code concurrency} workers; a call that gets another status than expected fails. */
    public static Result drive(int requests, int concurrency, IntFunction<Call> calls) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        Map<Integer, Integer> unexpected = new ConcurrentHashMap<>();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>(requests));
        List<String> traceIds = Collections.synchronizedList(new ArrayList<>(requests));
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                running.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        Call call = calls.apply(i);
                        long start = System.nanoTime();
                        int status;
                        String traceId = null;
                        try {
                            HttpResponse<String> response = call.method().equals("GET") ? Http.get(call.url())
                                    : Http.post(call.url(), call.body());
                            status = response.statusCode();
                            traceId = response.headers().firstValue("X-Trace-Id").orElse(null);
                        } catch (RuntimeException e) {
                            status = -1;
                        }
                        latencies.add((System.nanoTime() - start) / 1_000);
                        if (status == call.expectedStatus() && traceId != null) {
                            traceIds.add(traceId);
                        }
                        if (status != call.expectedStatus()) {
                            failures.incrementAndGet();
                            unexpected.merge(status, 1, Integer::sum);
                            if (samples.size() < 5) {
                                samples.add(status + " " + call.method() + " " + call.url());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : running) {
                worker.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            workers.shutdownNow();
        }
        return new Result(requests, failures.get(), samples, latencies, Map.copyOf(unexpected), List.copyOf(traceIds));
    }
}
