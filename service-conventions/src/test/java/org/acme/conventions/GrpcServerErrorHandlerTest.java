package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;

/** A failure of a gRPC method becomes a status and a WARN line, unless the caller had already given up. */
class GrpcServerErrorHandlerTest {

    private final List<String> lines = new ArrayList<>();
    private final GrpcServerErrorHandler errors = new GrpcServerErrorHandler() {
    };

    GrpcServerErrorHandlerTest() {
        errors.failures = new FailureLog(lines::add, System::nanoTime, Duration.ofSeconds(10));
    }

    /** A call whose method fails with "Session/EntityManager is closed" once the request's scope has ended. */
    private static final class Call extends ServerCall<String, String> {
        final boolean cancelled;
        Status closedWith;

        Call(boolean cancelled) {
            this.cancelled = cancelled;
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(String message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closedWith = status;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            MethodDescriptor.Marshaller<String> text = new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(String value) {
                    return new ByteArrayInputStream(value.getBytes());
                }

                @Override
                public String parse(InputStream stream) {
                    return "";
                }
            };
            return MethodDescriptor.<String, String> newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("videosite.VideoCatalog/ListNewest").setRequestMarshaller(text)
                    .setResponseMarshaller(text).build();
        }
    }

    private Call fail(boolean cancelled) {
        Call call = new Call(cancelled);
        ServerCall.Listener<String> failing = new ServerCall.Listener<>() {
            @Override
            public void onHalfClose() {
                throw new IllegalStateException("Session/EntityManager is closed");
            }
        };
        errors.createHandler(failing, call, new Metadata()).onHalfClose();
        return call;
    }

    @Test
    void a_failure_is_an_internal_status_and_a_warn_line() {
        Call call = fail(false);
        assertEquals(Status.Code.INTERNAL, call.closedWith.getCode());
        assertEquals(1, lines.size(), lines.toString());
    }

    @Test
    void a_failure_after_the_caller_gave_up_is_no_warn_line() {
        Call call = fail(true);
        assertEquals(Status.Code.CANCELLED, call.closedWith.getCode());
        assertEquals(List.of(), lines);
    }
}
