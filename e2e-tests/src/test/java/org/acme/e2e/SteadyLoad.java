package org.acme.e2e;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Traffic}'s mix of requests, sent by a number of workers until stopped, keeping the outcome
 * of every request: when it started and ended, its status, and for a failure its answer.
 */
public final class SteadyLoad implements AutoCloseable {

    /** One request: {@code status} -1 means no answer at all (the client gave up or the connection broke). */
    public record Outcome(long startNanos, long endNanos, String url, int status, String contentType, String traceIdHeader,
            String body) {
        public long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService workers;

    private SteadyLoad(String gateway, int concurrency) {
        workers = Executors.newFixedThreadPool(concurrency);
        AtomicInteger next = new AtomicInteger();
        for (int w = 0; w < concurrency; w++) {
            workers.submit(() -> {
                while (running.get()) {
                    send(Traffic.request(gateway, next.getAndIncrement()));
                }
            });
        }
    }

    public static SteadyLoad start(String gateway, int concurrency) {
        return new SteadyLoad(gateway, concurrency);
    }

    private void send(Traffic.Call call) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = call.method().equals("GET") ? Http.get(call.url()) : Http.post(call.url(), call.body());
            boolean ok = response.statusCode() == call.expectedStatus();
            outcomes.add(new Outcome(start, System.nanoTime(), call.url(), response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.headers().firstValue("X-Trace-Id").orElse(null), ok ? null : response.body()));
        } catch (RuntimeException e) {
            outcomes.add(new Outcome(start, System.nanoTime(), call.url(), -1, "", null, String.valueOf(e)));
        }
    }

    /** Stops sending and waits for the requests in flight to end. */
    public List<Outcome> stop() {
        running.set(false);
        workers.shutdown();
        try {
            workers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ArrayList<>(outcomes);
    }

    @Override
    public void close() {
        stop();
    }
}
