package org.acme.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.acme.conventions.testing.RawGrpc;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Status;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A request body that is not a valid message is bad input like any other: INVALID_ARGUMENT with an explanation,
 * one WARN line with the caller's trace id (never a SEVERE line with a stack per request), and the service goes on.
 */
@QuarkusTest
class MalformedGrpcRequestTest {

    private static final int PORT = 19082;
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    private final List<ExtLogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                records.add((ExtLogRecord) record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void a_corrupt_body_is_invalid_argument_with_one_warn_line_carrying_the_trace_id() {
        byte[] corrupt = { (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f };
        for (int i = 0; i < 3; i++) {
            Status status = RawGrpc.call(PORT, "videosite.video.v1.VideoCatalogService/GetVideos", corrupt, TRACE_ID);
            assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
            assertTrue(status.getDescription().startsWith("the request is not a valid videosite.video.v1.VideoCatalogService/GetVideos message"),
                    status.getDescription());
        }
        List<ExtLogRecord> warnings = records.stream().filter(r -> r.getLoggerName().startsWith("org.acme")).toList();
        assertEquals(1, warnings.size(), "one line for three alike within the interval: " + describe(records));
        assertEquals(Level.WARNING.intValue(), warnings.get(0).getLevel().intValue());
        assertEquals(TRACE_ID, warnings.get(0).getMdc("traceId"), describe(warnings));
        assertEquals(List.of(), records.stream().filter(r -> !r.getLoggerName().startsWith("org.acme")).map(MalformedGrpcRequestTest::describe).toList(),
                "no other warning or error (grpc-java's SEVERE line from SerializingExecutor)");
    }

    @Test
    void a_truncated_message_is_invalid_argument_and_the_service_goes_on() {
        // ListVideosRequest: field 1 (a category) says 5 bytes follow, and 1 does.
        Status status = RawGrpc.call(PORT, "videosite.video.v1.VideoCatalogService/ListVideos", new byte[] { 0x0a, 0x05, 'a' }, null);
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
        // limit: 3
        assertEquals(Status.Code.OK, RawGrpc.call(PORT, "videosite.video.v1.VideoCatalogService/ListVideos", new byte[] { 0x18, 0x03 }, null)
                .getCode());
    }

    @Test
    void an_oversized_message_is_resource_exhausted_with_one_warn_line_carrying_the_trace_id() {
        byte[] oversized = new byte[70 * 1024]; // over quarkus.grpc.server.max-inbound-message-size (64 KiB)
        for (int i = 0; i < 2; i++) {
            // GetVideos: VideoCatalogGrpcServiceTest sends ListVideos an oversized message, whose line may fall in the
            // same interval (one line per kind of failure and method).
            Status status = RawGrpc.call(PORT, "videosite.video.v1.VideoCatalogService/GetVideos", oversized, TRACE_ID);
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
        }
        // The refusal is logged on the connection's thread after the answer: wait for the line.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> records.stream().anyMatch(r -> r.getLoggerName().startsWith("org.acme")));
        List<ExtLogRecord> warnings = records.stream().filter(r -> r.getLoggerName().startsWith("org.acme")).toList();
        assertEquals(1, warnings.size(), describe(records));
        assertTrue(warnings.get(0).getFormattedMessage().contains("exceeds maximum size"), describe(warnings));
        assertEquals(TRACE_ID, warnings.get(0).getMdc("traceId"), describe(warnings));
        assertEquals(List.of(), records.stream().filter(r -> r.getLoggerName().startsWith("io.grpc")).map(MalformedGrpcRequestTest::describe).toList(),
                "grpc-java's own WARNING line, without a trace id");
    }

    private static String describe(List<ExtLogRecord> list) {
        return list.stream().map(MalformedGrpcRequestTest::describe).toList().toString();
    }

    private static String describe(ExtLogRecord r) {
        return r.getLevel() + " " + r.getLoggerName() + " " + r.getFormattedMessage() + " traceId=" + r.getMdc("traceId");
    }
}
