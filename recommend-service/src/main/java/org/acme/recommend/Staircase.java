package org.acme.recommend;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Lab 0's first trace (the {@code staircase:home-feed} switch): a descent of {@link #LEVELS} levels, each a
 * child span of the one above with an event and a log line, each waiting a step longer than the last,
 * so Jaeger draws a staircase under the home-feed request.
 */
@ApplicationScoped
public class Staircase {

    static final int LEVELS = 4;

    private static final Logger LOG = Logger.getLogger(Staircase.class);

    @Inject
    Tracer tracer;

    public void descend(Duration step) {
        descend(1, step);
    }

    private void descend(int level, Duration step) {
        Span span = tracer.spanBuilder("staircase level " + level).setAttribute("app.staircase.level", level).startSpan();
        try (Scope scope = span.makeCurrent()) {
            span.addEvent("reached level " + level);
            LOG.infof("Staircase: level %d of %d, waiting %d ms", level, LEVELS, step.toMillis() * level);
            Thread.sleep(step.toMillis() * level);
            if (level < LEVELS) {
                descend(level + 1, step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            span.end();
        }
    }
}
