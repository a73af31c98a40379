package org.acme.user;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import jakarta.inject.Inject;

import org.acme.conventions.testing.InMemorySpans;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class QuerySpansTest {

    @Inject
    InMemorySpanExporter spans;

    @Test
    void a_profile_read_is_traced_down_to_its_statement_without_the_connection_span() {
        String traceId = given().when().get("/users/3").then().statusCode(200).extract().header("X-Trace-Id");

        SpanData statement = InMemorySpans.awaitSpan(spans,
                s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CLIENT && s.getName().startsWith("SELECT"));
        SpanData operation = InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getName().equals("db.find_user"));
        assertEquals(operation.getSpanId(), statement.getParentSpanId(), "the statement's span is under its operation's");
        // The server span ends last (after the answer), so it may come in a later batch: once it is in, the whole trace is.
        InMemorySpans.awaitSpan(spans, s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.SERVER);

        List<String> names = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(traceId))
                .map(SpanData::getName).sorted().toList();
        assertEquals(List.of("GET /users/{id}", "SELECT users.users", "db.find_user"), names);
    }
}
