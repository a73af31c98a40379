package org.acme.conventions;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A request body that is not a valid message of its method answers INVALID_ARGUMENT, with one WARN line per
 * interval that carries the trace id, like any other bad input.
 * <p>
 * Without it, grpc-java 1.79 parses the message before any interceptor or handler sees the call, and a parse
 * failure (the protobuf marshaller's INTERNAL "Invalid protobuf byte sequence") is taken for an application error:
 * the client gets UNKNOWN "Application error processing RPC" and {@code io.grpc.internal.SerializingExecutor} logs
 * a SEVERE line with the whole stack, once per request and without a trace id. The only place to catch it is the
 * method's request marshaller, so a service hands its definition through here:
 * {@code public ServerServiceDefinition bindService() { return MalformedGrpcRequests.answered(super.bindService()); }}
 * The marshaller parses as before and, on a failure, hands the call a marker instead of a message; the handler
 * closes the call with INVALID_ARGUMENT and never passes the marker on.
 */
public final class MalformedGrpcRequests {

    private static final Logger LOG = Logger.getLogger(MalformedGrpcRequests.class);
    private static final FailureLog FAILURES = FailureLog.of(LOG);

    /** What the marshaller hands on for a body it could not parse. */
    private record Unparseable(StatusRuntimeException failure) {
    }

    private MalformedGrpcRequests() {
    }

    /** The same service, each method answering a malformed request with INVALID_ARGUMENT. */
    public static ServerServiceDefinition answered(ServerServiceDefinition service) {
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<Object, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<Object, ?> tolerant = tolerant(method);
            descriptor.addMethod(tolerant.getMethodDescriptor());
            methods.add(tolerant);
        }
        ServerServiceDefinition.Builder answered = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(answered::addMethod);
        return answered.build();
    }

    @SuppressWarnings("unchecked")
    private static <ReqT, RespT> ServerMethodDefinition<Object, RespT> tolerant(ServerMethodDefinition<ReqT, RespT> definition) {
        MethodDescriptor<ReqT, RespT> method = definition.getMethodDescriptor();
        MethodDescriptor.Marshaller<ReqT> requests = method.getRequestMarshaller();
        MethodDescriptor.Marshaller<Object> tolerantRequests = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(Object value) {
                return requests.stream((ReqT) value);
            }

            @Override
            public Object parse(InputStream stream) {
                try {
                    return requests.parse(stream);
                } catch (StatusRuntimeException e) {
                    return new Unparseable(e);
                }
            }
        };
        ServerCallHandler<ReqT, RespT> handler = definition.getServerCallHandler();
        ServerCallHandler<Object, RespT> tolerantHandler = (call, headers) -> {
            ServerCall.Listener<ReqT> next = handler.startCall((ServerCall<ReqT, RespT>) (ServerCall<?, RespT>) call, headers);
            return new ServerCall.Listener<>() {
                private boolean refused;

                @Override
                public void onMessage(Object message) {
                    if (refused) {
                        return;
                    }
                    if (message instanceof Unparseable unparseable) {
                        refused = true;
                        Status parse = unparseable.failure().getStatus();
                        String reason = parse.getDescription() == null ? parse.getCode().name() : parse.getDescription();
                        FAILURES.warn("Refused a malformed gRPC request to " + method.getFullMethodName() + ": " + reason);
                        call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                                + method.getFullMethodName() + " message (" + reason + ")"), new Metadata());
                        return;
                    }
                    next.onMessage((ReqT) message);
                }

                @Override
                public void onHalfClose() {
                    if (!refused) {
                        next.onHalfClose();
                    }
                }

                @Override
                public void onReady() {
                    if (!refused) {
                        next.onReady();
                    }
                }

                @Override
                public void onCancel() {
                    next.onCancel();
                }

                @Override
                public void onComplete() {
                    next.onComplete();
                }
            };
        };
        return ServerMethodDefinition.create(method.toBuilder(tolerantRequests, method.getResponseMarshaller()).build(),
                tolerantHandler);
    }
}
