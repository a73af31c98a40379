package org.acme.traffic;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.acme.conventions.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The simulated users: journeys start at a steady pace, so that the gateway gets {@code rate}
 * requests per second on average (times the factor while a surge is on). At most
 * {@code app.traffic.users} journeys run at once; a journey that finds them all busy (the gateway is
 * slower than the rate asks) is dropped and counted, never queued: the generator cannot pile up.
 */
@ApplicationScoped
public class Crowd {

    private static final Logger LOG = Logger.getLogger(Crowd.class);
    static final double MAX_SURGE_FACTOR = 10;
    /** The largest growth a trainer can announce: a forecast sends nothing, so it may go beyond a surge. */
    static final double MAX_FORECAST_FACTOR = 100;

    /** A surge: the rate times {@code factor} until {@code endsAt}. */
    public record Surge(double factor, long durationSeconds, Instant endsAt) {
    }

    /** What the admin API shows. */
    public record State(double rate, Surge surge, double targetRate, double forecast, int usersBusy, int usersMax,
            double journeysDropped, String gateway) {
    }

    @Inject
    UserJourneys journeys;

    @Inject
    TrafficSettings settings;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.rest-client.gateway.url")
    String gatewayUrl;

    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(named("traffic-pacer"));
    private final AtomicInteger busy = new AtomicInteger();
    private ThreadPoolExecutor users;
    private Counter dropped;

    private double rate;
    private Surge surge;
    /** The announced growth of the front traffic from what it is now; 1 when none is announced. */
    private double forecast = 1;
    /** Changes whenever the pace does, so that a journey scheduled at the old pace schedules no more. */
    private long pace;
    private long nextStartNanos;

    void start(@Observes StartupEvent event) {
        users = new ThreadPoolExecutor(0, settings.users(), 30, TimeUnit.SECONDS, new SynchronousQueue<>(), named("traffic-user"));
        registry.gauge("app.traffic.surge", this, crowd -> crowd.surgeOn() ? 1 : 0);
        registry.gauge("app.traffic.target.rate", this, Crowd::targetRate);
        registry.gauge("app.traffic.forecast.factor", this, Crowd::forecast);
        registry.gauge("app.traffic.users.busy", busy);
        dropped = registry.counter("app.traffic.journeys.dropped");
        if (settings.enabled()) {
            setRate(settings.rate());
        } else {
            LOG.infof("Traffic generator idle (app.traffic.enabled=false): set a rate to start, gateway %s", gatewayUrl);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        pacer.shutdownNow();
        users.shutdownNow();
    }

    public synchronized State state() {
        return new State(rate, surge, targetRate(), forecast, busy.get(), settings.users(), dropped.count(), gatewayUrl);
    }

    /** Sets the base rate in requests per second; 0 stops the traffic. A surge on keeps its factor. */
    public synchronized State setRate(double requestsPerSecond) {
        double factor = surge != null ? surge.factor() : 1;
        if (requestsPerSecond * factor > settings.maxRate()) {
            throw ProblemException.badRequest("rate " + requestsPerSecond + (factor > 1 ? " × surge " + factor : "")
                    + " is above the most this generator sends, " + settings.maxRate() + " requests/s");
        }
        rate = requestsPerSecond;
        LOG.infof("Traffic rate set to %s requests/s%s, gateway %s", rate,
                surge != null ? " (surge ×" + surge.factor() + " on: " + targetRate() + ")" : "", gatewayUrl);
        repace();
        return state();
    }

    /** Multiplies the rate by {@code factor} for {@code duration}; the surge ends by itself. A new surge replaces the old. */
    public synchronized State surge(double factor, Duration duration) {
        if (rate * factor > settings.maxRate()) {
            throw ProblemException.badRequest("a surge of ×" + factor + " on " + rate + " requests/s is above the most this "
                    + "generator sends, " + settings.maxRate() + " requests/s");
        }
        Surge started = new Surge(factor, duration.toSeconds(), Instant.now().plus(duration));
        surge = started;
        pacer.schedule(() -> endSurge(started, "ended by itself after " + duration.toSeconds() + " s"),
                duration.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("Surge on: ×%s for %d s, %s requests/s instead of %s", factor, duration.toSeconds(), targetRate(), rate);
        repace();
        return state();
    }

    /**
     * Announces that the front traffic will grow {@code factor} times from what it is now (1 withdraws it). Nothing
     * is sent: the announcement is a gauge, {@code app_traffic_forecast_factor}, that the surge forecast's alert
     * compares with each resource's headroom, so that it warns before the surge comes.
     */
    public synchronized State announce(double factor) {
        forecast = factor;
        LOG.infof(factor > 1 ? "Surge announced: the front traffic will grow ×%s" : "Surge announcement withdrawn", factor);
        return state();
    }

    synchronized double forecast() {
        return forecast;
    }

    /** Ends a surge now, if one is on. */
    public synchronized State calm() {
        endSurge(surge, "called off");
        return state();
    }

    private synchronized void endSurge(Surge which, String how) {
        if (which == null || surge != which) {
            return; // already over, or replaced by a newer surge that ends on its own schedule
        }
        surge = null;
        LOG.infof("Surge over (%s): back to %s requests/s", how, rate);
        repace();
    }

    synchronized boolean surgeOn() {
        return surge != null;
    }

    /** Requests per second asked of the gateway now. */
    synchronized double targetRate() {
        return rate * (surge != null ? surge.factor() : 1);
    }

    /** Starts the pace again from now at the target rate. */
    private void repace() {
        pace++;
        if (targetRate() > 0) {
            nextStartNanos = System.nanoTime();
            long current = pace;
            pacer.execute(() -> startJourney(current));
        }
    }

    private void startJourney(long scheduledPace) {
        synchronized (this) {
            if (scheduledPace != pace) {
                return;
            }
        }
        Journey journey = Journey.pick(ThreadLocalRandom.current());
        try {
            users.execute(() -> {
                busy.incrementAndGet();
                try {
                    journeys.play(journey);
                } finally {
                    busy.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
        synchronized (this) {
            if (scheduledPace != pace || pacer.isShutdown()) {
                return;
            }
            long interval = (long) (Journey.meanRequests() / targetRate() * 1e9);
            long now = System.nanoTime();
            // After a stall (a long pause of this JVM), start afresh rather than catch up in a burst.
            nextStartNanos = Math.max(nextStartNanos + interval, now - interval);
            pacer.schedule(() -> startJourney(scheduledPace), nextStartNanos - now, TimeUnit.NANOSECONDS);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
