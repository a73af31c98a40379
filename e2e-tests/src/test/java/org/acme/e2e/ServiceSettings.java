package org.acme.e2e;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** A service's own application.properties: the one source of its ports and paths. */
public record ServiceSettings(Properties properties) {

    public static ServiceSettings of(Path root, String service) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(Files.readString(root.resolve(service + "/src/main/resources/application.properties"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServiceSettings(properties);
    }

    public int httpPort() {
        return Integer.parseInt(properties.getProperty("quarkus.http.port"));
    }

    /** The gRPC server port, or null for a service without one. */
    public Integer grpcPort() {
        String port = properties.getProperty("quarkus.grpc.server.port");
        return port == null ? null : Integer.valueOf(port);
    }

    /** The management interface's port (health, metrics, the fault switches), or null when it answers on its HTTP port. */
    public Integer managementPort() {
        if (!Boolean.parseBoolean(properties.getProperty("quarkus.management.enabled", "false"))) {
            return null;
        }
        return Integer.valueOf(properties.getProperty("quarkus.management.port", "9000"));
    }

    /** Where Prometheus scrapes it and the healthcheck asks: the management port if it has one, else its HTTP port. */
    public int observabilityPort() {
        Integer management = managementPort();
        return management != null ? management : httpPort();
    }

    public String metricsPath() {
        return properties.getProperty("quarkus.micrometer.export.prometheus.path", "/q/metrics");
    }
}
