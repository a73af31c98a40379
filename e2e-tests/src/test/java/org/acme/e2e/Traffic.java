package org.acme.e2e;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady mix of the site's requests against the gateway, as a page-browsing crowd would send:
 * home pages, video pages that record a view, and heartbeats. Reusable by load tests.
 */
public final class Traffic {

    /** What a run saw: how many requests failed, and each request's latency. */
    public record Result(int requests, int failures, List<String> failureSamples, List<Long> latenciesMicros) {
        public long percentileMicros(double p) {
            List<Long> sorted = new ArrayList<>(latenciesMicros);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
        }
    }

    private Traffic() {
    }

    /** Request {@code i} of a run: 50% home, 30% video page with a view, 20% heartbeat on the video page. */
    static String[] request(String gateway, int i) {
        long user = i % 40 + 1;
        return switch (i % 10) {
            case 0, 1, 2, 3, 4 -> new String[] { "GET", gateway + "/api/home?userId=" + user };
            case 5, 6, 7 -> new String[] { "GET", gateway + "/api/videos/" + (i % 300 + 1) + "?userId=" + user };
            default -> new String[] { "POST", gateway + "/api/users/" + user + "/heartbeat?page=video" };
        };
    }

    public static Result drive(String gateway, int requests, int concurrency) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        List<String> samples = Collections.synchronizedList(new ArrayList<>());
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>(requests));
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                running.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        String[] request = request(gateway, i);
                        long start = System.nanoTime();
                        int status;
                        try {
                            HttpResponse<String> response = request[0].equals("GET") ? Http.get(request[1])
                                    : Http.post(request[1], null);
                            status = response.statusCode();
                        } catch (RuntimeException e) {
                            status = -1;
                        }
                        latencies.add((System.nanoTime() - start) / 1_000);
                        if (status != 200) {
                            failures.incrementAndGet();
                            if (samples.size() < 5) {
                                samples.add(status + " " + request[1]);
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
        return new Result(requests, failures.get(), samples, latencies);
    }
}
