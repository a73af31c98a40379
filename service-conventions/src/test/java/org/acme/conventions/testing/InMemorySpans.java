package org.acme.conventions.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.Predicate;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * In tests, finished spans go to memory instead of OTLP, where the tests can read them. Shared by
 * the services' tests through this module's test jar.
 */
@Singleton
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }

    /** The first finished span that matches, waited for: spans reach the exporter in batches. */
    public static SpanData awaitSpan(InMemorySpanExporter spans, Predicate<SpanData> match) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> spans.getFinishedSpanItems().stream().filter(match).findFirst().orElse(null),
                span -> span != null);
    }
}
