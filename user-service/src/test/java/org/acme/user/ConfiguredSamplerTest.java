package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A copier's sampling setting wins: with {@code quarkus.otel.traces.sampler=traceidratio} and a ratio of 0, the
 * service exports no span at all, the database's included, while the sampler that leaves out the JDBC connection
 * spans ({@code TraceSampling}) is still the one in use.
 */
@QuarkusTest
@TestProfile(ConfiguredSamplerTest.RatioZero.class)
class ConfiguredSamplerTest {

    public static class RatioZero implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.traces.sampler", "traceidratio", "quarkus.otel.traces.sampler.arg", "0");
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    Sampler sampler;

    @Test
    void ratio_zero_exports_no_span() {
        for (long id = 1; id <= 5; id++) {
            given().when().get("/users/" + id).then().statusCode(200);
        }
        given().when().get("/users/999").then().statusCode(404);
        // Every span these requests ended is handed to the exporter before forceFlush completes.
        assertTrue(((OpenTelemetrySdk) openTelemetry).getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess());

        List<String> exported = spans.getFinishedSpanItems().stream().map(SpanData::getName).toList();
        assertEquals(List.of(), exported, "no span is sampled at a ratio of 0");
    }

    @Test
    void the_sampler_in_use_is_the_configured_one_without_connection_spans() {
        String description = sampler.getDescription();
        assertTrue(description.startsWith("TraceSampling{") && description.contains("TraceIdRatioBased{0.000000}"), description);
    }
}
