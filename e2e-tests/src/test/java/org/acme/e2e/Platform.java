package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The four services on 127.0.0.1, on free ports, wired to each other and to an OTLP endpoint
 * through the same environment variables a user would set. Reusable by benchmarks and load tests.
 */
public final class Platform implements AutoCloseable {

    public static final List<String> SERVICES = List.of("user-service", "video-service", "recommend-service",
            "gateway-service");
    /** The fifth application, started only on demand ({@link #startTrafficGenerator}): it plays users of the site. */
    public static final String TRAFFIC_GENERATOR = "traffic-generator";
    /** Every application of the compose stack that this project builds. */
    public static final List<String> APPLICATIONS = List.of("user-service", "video-service", "recommend-service",
            "gateway-service", TRAFFIC_GENERATOR);
    // Generous: a JVM restarted while the others are under load competes for CPU (see README, "When a service fails").
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Path root;
    private final Path logs;
    private final String otlpEndpoint;
    private ServiceProcess trafficGenerator;

    /**
     * How each service is launched: the build of its jar ({@code target/<jarDirectory>}), its JVM
     * options, environment beyond the wiring, and a command prefix (a memory cgroup, for instance).
     */
    public record Launch(Function<String, String> jarDirectory, Function<String, List<String>> jvmOptions,
            Function<String, Map<String, String>> extraEnv, Function<String, List<String>> commandPrefix) {

        public static Launch withJvmOptions(List<String> jvmOptions) {
            return new Launch(service -> "quarkus-app", service -> jvmOptions, service -> Map.of(), service -> List.of());
        }
    }

    private Platform(Path root, Path logs, String otlpEndpoint) {
        this.root = root;
        this.logs = logs;
        this.otlpEndpoint = otlpEndpoint;
    }

    /**
     * Starts the four services, in dependency order, each waited for until ready.
     *
     * @param root         the repository root (where each service's target/quarkus-app lives)
     * @param logs         folder for each service's output
     * @param otlpEndpoint where traces and logs go
     * @param jvmOptions   options for every JVM (a bounded heap, for instance)
     */
    public static Platform start(Path root, Path logs, String otlpEndpoint, List<String> jvmOptions) {
        return start(root, logs, otlpEndpoint, Launch.withJvmOptions(jvmOptions));
    }

    /** Starts the four services as {@code launch} says, in dependency order, each waited for until ready. */
    public static Platform start(Path root, Path logs, String otlpEndpoint, Launch launch) {
        int user = freePort();
        int video = freePort();
        int videoGrpc = freePort();
        int recommend = freePort();
        int recommendGrpc = freePort();
        int gateway = freePort();
        String userUrl = "http://127.0.0.1:" + user;

        Platform platform = new Platform(root, logs, otlpEndpoint);
        platform.add(root, logs, launch, "user-service", user, otlpEndpoint, Map.of());
        platform.add(root, logs, launch, "video-service", video, otlpEndpoint, Map.of(
                "QUARKUS_GRPC_SERVER_HOST", "127.0.0.1",
                "QUARKUS_GRPC_SERVER_PORT", Integer.toString(videoGrpc),
                "QUARKUS_REST_CLIENT_USER_SERVICE_URL", userUrl));
        platform.add(root, logs, launch, "recommend-service", recommend, otlpEndpoint, Map.of(
                "QUARKUS_GRPC_SERVER_HOST", "127.0.0.1",
                "QUARKUS_GRPC_SERVER_PORT", Integer.toString(recommendGrpc),
                "QUARKUS_REST_CLIENT_USER_SERVICE_URL", userUrl,
                "QUARKUS_GRPC_CLIENTS_VIDEO_SERVICE_HOST", "127.0.0.1",
                "QUARKUS_GRPC_CLIENTS_VIDEO_SERVICE_PORT", Integer.toString(videoGrpc)));
        platform.add(root, logs, launch, "gateway-service", gateway, otlpEndpoint, Map.of(
                "QUARKUS_REST_CLIENT_USER_SERVICE_URL", userUrl,
                "QUARKUS_REST_CLIENT_VIDEO_SERVICE_URL", "http://127.0.0.1:" + video,
                "QUARKUS_GRPC_CLIENTS_RECOMMEND_SERVICE_HOST", "127.0.0.1",
                "QUARKUS_GRPC_CLIENTS_RECOMMEND_SERVICE_PORT", Integer.toString(recommendGrpc)));
        try {
            // All four start together (startup is CPU-bound, so this is the honest "start the site" time).
            long started = System.nanoTime();
            platform.services.values().forEach(ServiceProcess::start);
            platform.services.values().forEach(s -> s.awaitReady(started, READY_TIMEOUT));
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private void add(Path root, Path logs, Launch launch, String name, int httpPort, String otlpEndpoint,
            Map<String, String> peers) {
        services.put(name, process(root, logs, launch, name, httpPort, otlpEndpoint, peers));
    }

    private static ServiceProcess process(Path root, Path logs, Launch launch, String name, int httpPort, String otlpEndpoint,
            Map<String, String> peers) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
        env.putAll(peers);
        env.putAll(launch.extraEnv().apply(name));
        int managementPort = httpPort;
        if (ServiceSettings.of(root, name).managementPort() != null) {
            managementPort = freePort();
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        }
        Path jar = root.resolve(name).resolve("target").resolve(launch.jarDirectory().apply(name)).resolve("quarkus-run.jar");
        Path log = logs.resolve(name + ".log");
        try {
            Files.createDirectories(logs);
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceProcess(name, jar, httpPort, managementPort, env, launch.jvmOptions().apply(name),
                launch.commandPrefix().apply(name), log);
    }

    /**
     * Starts the traffic generator against this platform's gateway, sending its telemetry where the
     * services send theirs, and waits until it is ready. {@code settings} is environment beyond the
     * wiring ({@code APP_TRAFFIC_RATE}, for instance). It stops with the platform, or earlier with
     * {@link #stopTrafficGenerator()}.
     */
    public ServiceProcess startTrafficGenerator(Launch launch, Map<String, String> settings) {
        if (trafficGenerator != null && trafficGenerator.isAlive()) {
            throw new IllegalStateException("the traffic generator is already running");
        }
        Map<String, String> env = new LinkedHashMap<>(settings);
        env.put("QUARKUS_REST_CLIENT_GATEWAY_URL", gatewayUrl());
        trafficGenerator = process(root, logs, launch, TRAFFIC_GENERATOR, freePort(), otlpEndpoint, env);
        long started = System.nanoTime();
        trafficGenerator.start();
        try {
            trafficGenerator.awaitReady(started, READY_TIMEOUT);
        } catch (RuntimeException e) {
            trafficGenerator.stop();
            throw e;
        }
        return trafficGenerator;
    }

    /** The traffic generator, if it was started (running or not), else null. */
    public ServiceProcess trafficGenerator() {
        return trafficGenerator;
    }

    /** Stops the traffic generator (SIGTERM: journeys under way are cut short) and waits until it has exited. */
    public void stopTrafficGenerator() {
        if (trafficGenerator != null) {
            trafficGenerator.stop();
        }
    }

    public ServiceProcess service(String name) {
        ServiceProcess service = services.get(name);
        if (service == null) {
            throw new IllegalArgumentException("no service " + name);
        }
        return service;
    }

    public Iterable<ServiceProcess> services() {
        return services.values();
    }

    public String gatewayUrl() {
        return service("gateway-service").baseUrl();
    }

    /** Starts a stopped service again on the same ports, and waits until it is ready. */
    public void restart(String name) {
        ServiceProcess service = service(name);
        service.stop();
        long started = System.nanoTime();
        service.start();
        service.awaitReady(started, READY_TIMEOUT);
    }

    @Override
    public void close() {
        stopTrafficGenerator();
        List<ServiceProcess> reversed = new ArrayList<>(services.values());
        Collections.reverse(reversed);
        reversed.forEach(ServiceProcess::stop);
    }

    /**
     * A port nothing listens on, below the kernel's ephemeral range (32768-60999 on Linux): a port the kernel hands
     * out for port 0 can be handed out again to an outgoing connection (an exporter's, Prometheus') before the
     * service binds it, and the service then fails to start ("Port … seems to be in use"). Ports here are only ever
     * taken by a bind, and each is given out once per test JVM.
     */
    static int freePort() {
        for (int tries = 0; tries < PORT_RANGE; tries++) {
            int port = PORT_BASE + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_RANGE);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("no free port in " + PORT_BASE + "-" + (PORT_BASE + PORT_RANGE - 1));
    }

    private static final int PORT_BASE = 20000;
    private static final int PORT_RANGE = 12000;
    /** Where this JVM starts looking: two test JVMs at once (a developer's and CI's) start far apart. */
    private static final AtomicInteger NEXT_PORT = new AtomicInteger((int) (ProcessHandle.current().pid() * 97 % PORT_RANGE));
}
