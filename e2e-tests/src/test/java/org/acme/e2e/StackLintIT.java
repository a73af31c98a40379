package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What `docker-compose config` does not check in the compose stack: files, health, wiring, ports,
 * pinned versions, Grafana provisioning, the Dockerfile and the workflow that publishes its images. Static: no
 * Docker engine needed.
 */
@Order(0)
class StackLintIT {

    static final Path ROOT = Path.of(System.getProperty("e2e.root", "..")).toAbsolutePath().normalize();
    static final List<String> COMPOSE_FILES = List.of("compose.yaml", "compose.native.yaml", "compose.dev.yaml");
    /** How compose.yaml names the site's own images: a namespace and a tag, both from .env. */
    static final String SITE_IMAGES = "${VIDEO_SITE_IMAGES}";
    static final String SITE_VERSION = "${VIDEO_SITE_VERSION}";
    /** Ports the stack's own backends listen on, from their configs under observability-stack/. */
    static final Map<String, Set<Integer>> BACKEND_PORTS = Map.of(
            "otel-collector", Set.of(4317, 4318, 8888, 13133),
            "jaeger", Set.of(4317, 4318, 16686, 13133),
            "prometheus", Set.of(9090), "loki", Set.of(3100), "grafana", Set.of(3000),
            "users-db", Set.of(5432), "videos-db", Set.of(5432));

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try {
            return (Map<String, Object>) new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new AssertionError(file + " unreadable", e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(String file) {
        return (Map<String, Map<String, Object>>) yaml(ROOT.resolve(file)).get("services");
    }

    static Properties env() throws IOException {
        Properties env = new Properties();
        env.load(new StringReader(Files.readString(ROOT.resolve(".env"))));
        return env;
    }

    /** The port each of the five applications listens on (HTTP and gRPC), from its application.properties. */
    static Map<String, Set<Integer>> servicePorts() throws IOException {
        Map<String, Set<Integer>> ports = new HashMap<>();
        for (String service : Platform.APPLICATIONS) {
            ServiceSettings settings = ServiceSettings.of(ROOT, service);
            Set<Integer> listening = new HashSet<>();
            listening.add(settings.httpPort());
            if (settings.managementPort() != null) {
                listening.add(settings.managementPort());
            }
            if (settings.grpcPort() != null) {
                listening.add(settings.grpcPort());
            }
            ports.put(service, listening);
        }
        return ports;
    }

    static Map<String, Set<Integer>> allPorts() throws IOException {
        Map<String, Set<Integer>> ports = new HashMap<>(BACKEND_PORTS);
        ports.putAll(servicePorts());
        return ports;
    }

    @Test
    void docker_compose_accepts_the_compose_file_and_every_overlay() {
        run("docker-compose", "-f", "compose.yaml", "config", "-q");
        run("docker-compose", "-f", "compose.yaml", "-f", "compose.native.yaml", "config", "-q");
        run("docker-compose", "-f", "compose.yaml", "-f", "compose.dev.yaml", "config", "-q");
    }

    @Test
    void promtool_accepts_the_prometheus_configs() {
        String promtool = TestTools.executable("promtool");
        run(promtool, "check", "config", "observability-stack/prometheus/prometheus.yml");
        run(promtool, "check", "config", "observability-stack/prometheus/prometheus.dev.yml");
    }

    /** Every recording rule and alert parses, and each alert's unit tests pass (rules/tests/: fires, when, with what). */
    @Test
    void promtool_accepts_the_rules_and_their_unit_tests_pass() throws IOException {
        String promtool = TestTools.executable("promtool");
        try (var files = Files.list(ROOT.resolve("observability-stack/prometheus/rules"))) {
            List<String> command = new java.util.ArrayList<>(List.of(promtool, "check", "rules"));
            files.filter(f -> f.toString().endsWith(".yml")).sorted().forEach(f -> command.add(ROOT.relativize(f).toString()));
            assertTrue(command.size() >= 6, "recording, SLO and alert rules: " + command);
            run(command.toArray(String[]::new));
        }
        run(promtool, "test", "rules", "observability-stack/prometheus/rules/tests/alerts-test.yml");
    }

    /** Alertmanager's configuration parses, and routes a page to the pager and a ticket to the tickets. */
    @Test
    void amtool_accepts_the_alertmanager_config_and_routes_by_severity() throws IOException, InterruptedException {
        String amtool = TestTools.executable("amtool");
        String config = "--config.file=observability-stack/alertmanager/alertmanager.yml";
        run(amtool, "check-config", "observability-stack/alertmanager/alertmanager.yml");
        for (var route : Map.of("severity=page", "pager", "severity=ticket", "tickets").entrySet()) {
            // Its answer on stdout; stderr says that --config.file overrides --alertmanager.url.
            Process process = new ProcessBuilder(amtool, "config", "routes", "test", config, "alertname=ServiceDown", route.getKey())
                    .directory(ROOT.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String receiver = new String(process.getInputStream().readAllBytes()).trim();
            assertTrue(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(route.getValue(), receiver, route.getKey());
        }
    }

    /** Each alert has a severity, a service, a summary, a description and a runbook that exists, and is unit-tested. */
    @Test
    @SuppressWarnings("unchecked")
    void every_alert_has_its_labels_annotations_runbook_and_unit_test() throws IOException {
        Map<String, Object> rules = new org.yaml.snakeyaml.Yaml().load(Files.readString(ROOT.resolve("observability-stack/prometheus/rules/alerts.yml")));
        String tests = Files.readString(ROOT.resolve("observability-stack/prometheus/rules/tests/alerts-test.yml"));
        int alerts = 0;
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String alert = (String) rule.get("alert");
                Map<String, String> labels = (Map<String, String>) rule.get("labels");
                Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
                assertTrue(List.of("page", "ticket").contains(labels.get("severity")), alert + ": severity page or ticket");
                assertNotNull(labels.get("service"), alert + ": service");
                assertNotNull(annotations.get("summary"), alert + ": summary");
                assertTrue(annotations.get("description").contains("query ") || annotations.get("description").contains("Targets"),
                        alert + ": the description names what to look at");
                assertEquals("docs/runbooks/" + alert + ".md", annotations.get("runbook_url"), alert);
                assertTrue(Files.exists(ROOT.resolve(annotations.get("runbook_url"))), alert + ": its runbook exists");
                assertTrue(tests.contains("alertname: " + alert + "\n"), alert + " has a unit test in rules/tests/alerts-test.yml");
                alerts++;
            }
        }
        String index = Files.readString(ROOT.resolve("docs/runbooks/README.md"));
        for (String alert : alertNames()) {
            assertTrue(index.contains("| `" + alert + "` |"), alert + " is listed in docs/runbooks/README.md");
        }
        assertEquals(index.lines().filter(l -> l.startsWith("| `")).count(), alerts, "the alerts of docs/runbooks/README.md");
    }

    /** The names of the alerts in the stack's alerts.yml. */
    @SuppressWarnings("unchecked")
    static List<String> alertNames() {
        try {
            Map<String, Object> rules = new org.yaml.snakeyaml.Yaml().load(
                    Files.readString(ROOT.resolve("observability-stack/prometheus/rules/alerts.yml")));
            return ((List<Map<String, Object>>) rules.get("groups")).stream()
                    .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).map(r -> (String) r.get("alert")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a checker in the repository root; it must exit 0. */
    static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), String.join(" ", command) + " hung");
            assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        } catch (IOException e) {
            throw new AssertionError(command[0].endsWith("promtool") ? TestTools.missing("promtool")
                    : command[0] + " is needed (Debian: apt-get install --no-install-recommends " + command[0] + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void every_bind_mounted_file_exists() {
        for (String file : COMPOSE_FILES) {
            services(file).forEach((name, service) -> {
                for (Object volume : (List<?>) service.getOrDefault("volumes", List.of())) {
                    String source = volume.toString().split(":")[0];
                    if (source.startsWith("./")) {
                        assertTrue(Files.exists(ROOT.resolve(source)), file + ": " + name + " mounts missing " + source);
                    }
                }
            });
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void every_service_healthy_dependency_has_a_healthcheck() {
        Map<String, Map<String, Object>> services = services("compose.yaml");
        services.forEach((name, service) -> {
            Object dependsOn = service.get("depends_on");
            if (dependsOn instanceof Map<?, ?> conditions) {
                ((Map<String, Map<String, Object>>) conditions).forEach((target, condition) -> {
                    assertTrue(services.containsKey(target), name + " depends on unknown " + target);
                    if ("service_healthy".equals(condition.get("condition"))) {
                        assertNotNull(services.get(target).get("healthcheck"),
                                name + " waits for " + target + " to be healthy, which has no healthcheck");
                    }
                });
            }
        });
    }

    @Test
    void every_endpoint_in_the_services_environment_points_at_a_compose_service_and_its_port() throws IOException {
        Map<String, Set<Integer>> ports = allPorts();
        Map<String, Map<String, Object>> services = services("compose.yaml");
        int checked = 0;
        for (var entry : services.entrySet()) {
            Map<?, ?> environment = (Map<?, ?>) entry.getValue().getOrDefault("environment", Map.of());
            for (var variable : environment.entrySet()) {
                String key = variable.getKey().toString();
                String value = variable.getValue().toString();
                if (key.endsWith("_URL") || key.endsWith("_ENDPOINT")) {
                    URI uri = URI.create(value.replace("jdbc:", ""));
                    assertTrue(services.containsKey(uri.getHost()), entry.getKey() + " " + key + " → unknown host " + uri.getHost());
                    assertTrue(ports.get(uri.getHost()).contains(uri.getPort()),
                            entry.getKey() + " " + key + " → " + uri.getHost() + " does not listen on " + uri.getPort());
                    checked++;
                }
                if (key.endsWith("_HOST") && key.startsWith("QUARKUS_GRPC_CLIENTS_")) {
                    String port = environment.get(key.replace("_HOST", "_PORT")).toString();
                    assertTrue(ports.get(value).contains(Integer.parseInt(port)), key + " → " + value + ":" + port);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 10, "found the peer and OTLP settings: " + checked);
        for (String service : Platform.APPLICATIONS) {
            Map<?, ?> environment = (Map<?, ?>) services.get(service).get("environment");
            assertEquals("http://otel-collector:4317", environment.get("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"),
                    service + " sends its telemetry to the Collector");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void every_prometheus_target_is_a_service_that_serves_its_metrics_path() throws IOException {
        Map<String, Set<Integer>> ports = allPorts();
        Map<String, Map<String, Object>> services = services("compose.yaml");
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) yaml(
                ROOT.resolve("observability-stack/prometheus/prometheus.yml")).get("scrape_configs");
        for (Map<String, Object> job : jobs) {
            for (Map<String, Object> config : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) config.get("targets")) {
                    String host = target.split(":")[0];
                    int port = Integer.parseInt(target.split(":")[1]);
                    assertTrue(services.containsKey(host), "target " + target + " is not a compose service");
                    assertTrue(ports.get(host).contains(port), "target " + target + ": nothing listens there");
                    if (Platform.APPLICATIONS.contains(host)) {
                        assertEquals(host, job.get("job_name"), "job name is the service name");
                        String path = ServiceSettings.of(ROOT, host).metricsPath();
                        assertEquals(path, job.get("metrics_path"), host + " serves its metrics at " + path);
                    }
                }
            }
        }
    }

    @Test
    void no_port_is_published_on_all_interfaces() {
        for (String file : COMPOSE_FILES) {
            services(file).forEach((name, service) -> {
                for (Object port : (List<?>) service.getOrDefault("ports", List.of())) {
                    assertTrue(port.toString().startsWith("127.0.0.1:"), file + ": " + name + " publishes " + port);
                }
            });
        }
    }

    @Test
    void every_image_is_pinned_in_dot_env() throws IOException {
        Properties env = env();
        Pattern pinned = Pattern.compile("\\$\\{(\\w+_IMAGE)}");
        int images = 0;
        for (String file : COMPOSE_FILES) {
            for (var service : services(file).entrySet()) {
                Object image = service.getValue().get("image");
                if (image == null) {
                    continue;
                }
                if (Platform.APPLICATIONS.contains(service.getKey())) {
                    // The site's own images: a namespace and a tag from .env, never a registry host written here.
                    assertTrue(image.toString().startsWith(SITE_IMAGES + "/" + service.getKey() + ":" + SITE_VERSION),
                            file + ": " + service.getKey() + "'s image " + image + " is not named from .env");
                } else {
                    Matcher matcher = pinned.matcher(image.toString());
                    assertTrue(matcher.matches(), service.getKey() + ": image " + image + " is not taken from .env");
                    assertNotNull(env.getProperty(matcher.group(1)), ".env does not pin " + matcher.group(1));
                }
                images++;
            }
        }
        assertTrue(images >= 12);
        assertNotNull(env.getProperty("VIDEO_SITE_IMAGES"), ".env names the site's images");
        assertNotNull(env.getProperty("VIDEO_SITE_VERSION"), ".env gives the site's image tag");
        for (String key : env.stringPropertyNames()) {
            if (key.endsWith("_IMAGE")) {
                String tag = env.getProperty(key).substring(env.getProperty(key).lastIndexOf(':') + 1);
                assertFalse(tag.isEmpty() || tag.equals("latest") || !tag.matches(".*\\d.*"), key + " is not pinned: " + tag);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_five_images_come_from_one_maven_build() throws IOException {
        Dockerfile dockerfile = Dockerfile.of(ROOT);
        Map<String, Object> firstArguments = null;
        for (String service : Platform.APPLICATIONS) {
            Map<String, Object> build = (Map<String, Object>) services("compose.yaml").get(service).get("build");
            assertEquals(".", build.get("context"), service + " builds from the repository root");
            assertNull(build.get("dockerfile"), service + " builds from the one Dockerfile at the root");
            assertEquals(service, build.get("target"), service + " builds its own target");
            // BuildKit runs a stage once for all images only where its arguments are the same.
            Map<String, Object> arguments = (Map<String, Object>) build.get("args");
            if (firstArguments == null) {
                firstArguments = arguments;
            }
            assertEquals(firstArguments, arguments, service + " passes other build arguments than " + Platform.APPLICATIONS.get(0));
            Map<String, Object> nativeBuild = (Map<String, Object>) services("compose.native.yaml").get(service).get("build");
            assertEquals(service + "-native", nativeBuild.get("target"), service + "'s native image");
            dockerfile.stage(service + "-native");
        }
        // The Maven stages build every application that has an image, and nothing else.
        String applications = dockerfile.stage("dependencies").instructions().stream()
                .filter(line -> line.startsWith("ENV APPLICATIONS=")).findFirst().orElseThrow().split("=")[1];
        assertEquals(Set.copyOf(Platform.APPLICATIONS), Set.of(applications.split(",")), "the Dockerfile's APPLICATIONS");
        assertEquals("${MAVEN_IMAGE}", dockerfile.stage("dependencies").from(), "the dependency layer runs on the Maven image");
        for (String stage : List.of("build", "native-sources")) {
            String run = dockerfile.stage(stage).instructions().stream().filter(l -> l.startsWith("RUN mvn")).findFirst().orElseThrow();
            assertTrue(run.contains(" -o "), stage + " runs offline, on the dependency layer alone: " + run);
            assertTrue(run.contains("${APPLICATIONS}") && run.contains("${DB_KIND}"), stage + " builds every application: " + run);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_publishing_workflow_builds_every_image_for_both_architectures_as_compose_does() throws IOException {
        Map<String, Object> workflow = yaml(ROOT.resolve(".github/workflows/images.yml"));
        Map<String, Object> jobs = (Map<String, Object>) workflow.get("jobs");
        Map<String, Object> image = (Map<String, Object>) jobs.get("image");
        List<String> applications = (List<String>) ((Map<String, Object>) ((Map<String, Object>) image.get("strategy"))
                .get("matrix")).get("application");
        assertEquals(Platform.APPLICATIONS, applications, "the workflow publishes every application's image");
        Map<String, Object> build = step(image, "docker/build-push-action");
        assertEquals("${{ matrix.application }}", build.get("target"));
        assertEquals(Set.of("linux/amd64", "linux/arm64"), Set.of(build.get("platforms").toString().split(",")));
        assertTrue(build.get("cache-from").toString().contains("scope=maven"), "the image jobs reuse the Maven job's stages");
        // The Maven job fills the cache the image jobs read: same stage arguments, same database kind as compose.
        Map<String, Object> maven = step((Map<String, Object>) jobs.get("maven"), "docker/build-push-action");
        assertEquals("build", maven.get("target"));
        assertEquals(build.get("build-args"), maven.get("build-args"), "both jobs pass the same build arguments");
        // BuildKit checks every stage's FROM, needed or not: an image argument without a value fails any target.
        Matcher fromArgument = Pattern.compile("(?m)^FROM (?:--platform=\\S+ )?\\$\\{(\\w+)}").matcher(
                Files.readString(ROOT.resolve("Dockerfile")));
        int fromArguments = 0;
        while (fromArgument.find()) {
            assertTrue(build.get("build-args").toString().contains(fromArgument.group(1) + "="),
                    "the workflow passes " + fromArgument.group(1) + ", which a FROM of the Dockerfile uses");
            fromArguments++;
        }
        assertTrue(fromArguments >= 4, "found " + fromArguments + " image arguments in the Dockerfile's FROM lines");
        Map<String, Object> composeArguments = (Map<String, Object>) ((Map<String, Object>) services("compose.yaml")
                .get(Platform.APPLICATIONS.get(0)).get("build")).get("args");
        assertEquals(composeArguments.get("DB_KIND"), ((Map<String, Object>) workflow.get("env")).get("DB_KIND"),
                "the published images are built for the database compose builds for");
        String images = step(image, "docker/metadata-action").get("images").toString();
        assertTrue(images.endsWith("/${{ github.repository }}/${{ matrix.application }}"), images);
        // Actions pinned to a commit, as the comments beside them say which release: in every workflow.
        int actions = 0;
        try (var workflows = Files.list(ROOT.resolve(".github/workflows"))) {
            for (Path file : workflows.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                Matcher uses = Pattern.compile("uses: ([\\w./-]+)@(\\S+)").matcher(Files.readString(file));
                while (uses.find()) {
                    assertTrue(uses.group(2).matches("[0-9a-f]{40}"),
                            file.getFileName() + ": " + uses.group(1) + " is not pinned to a commit: " + uses.group(2));
                    actions++;
                }
            }
        }
        assertTrue(actions >= 10, "found " + actions + " actions");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> step(Map<String, Object> job, String action) {
        for (Map<String, Object> step : (List<Map<String, Object>>) job.get("steps")) {
            if (String.valueOf(step.get("uses")).startsWith(action + "@")) {
                return (Map<String, Object>) step.get("with");
            }
        }
        throw new AssertionError("no step uses " + action);
    }

    @Test
    void the_image_of_each_application_copies_what_the_build_produces() throws IOException {
        Dockerfile dockerfile = Dockerfile.of(ROOT);
        for (String service : Platform.APPLICATIONS) {
            List<String> jvm = dockerfile.instructions(service);
            // The application comes from the Maven build into its training stage, and from there into the image.
            List<String> training = dockerfile.instructions(service + "-training");
            for (String part : List.of("lib/", "*.jar", "app/", "quarkus/")) {
                assertTrue(training.stream().anyMatch(line -> line.startsWith("COPY --from=build /build/" + service + "/target/quarkus-app/" + part)),
                        service + "-training copies " + part + " from the Maven build");
            }
            for (String part : List.of("lib", "app", "quarkus")) {
                Path built = ROOT.resolve(service + "/target/quarkus-app/" + part);
                assertTrue(Files.isDirectory(built), "the build produced " + built);
            }
            assertTrue(Files.exists(ROOT.resolve(service + "/target/quarkus-app/quarkus-run.jar")));
            String expose = servicePorts().get(service).stream().sorted().map(String::valueOf).reduce((a, b) -> a + " " + b).orElseThrow();
            assertTrue(jvm.contains("EXPOSE " + expose), service + " exposes " + expose);
            List<String> nativeImage = dockerfile.instructions(service + "-native");
            assertTrue(nativeImage.contains("EXPOSE " + expose), service + "'s native image exposes " + expose);
            List<String> compiled = dockerfile.instructions(service + "-native-build");
            assertTrue(compiled.contains("COPY --from=native-sources /build/" + service + "/target/native-sources/ ./"),
                    service + " compiles its own native-sources");
            assertTrue(compiled.stream().anyMatch(line -> line.startsWith("RUN native-image $(cat native-image.args)")),
                    service + " compiles with Quarkus' native-image.args");
            assertTrue(nativeImage.contains("COPY --from=" + service + "-native-build --chown=1001:root /build/*-runner /work/application"),
                    service + "'s native image holds its own executable");
        }
    }

    @Test
    void the_stack_fits_in_two_gibibytes_and_the_readme_says_how_much() throws IOException {
        long total = 0;
        for (var service : services("compose.yaml").entrySet()) {
            Object limit = service.getValue().get("mem_limit");
            assertNotNull(limit, service.getKey() + " has no mem_limit");
            total += MemoryLimitsIT.bytes(limit.toString());
        }
        long mib = total >> 20;
        // 2 GiB, 16 MiB for lab 2's surge (docs/BENCHMARKS.md, 2026-12-05), 64 for Grafana (docs/IMAGES.md) and 40 for
        // the services as containers under compose's CPU allowances (scripts/check-containers.sh)
        assertTrue(mib <= 2168, "the compose stack's memory limits add up to " + mib + " MiB, over 2 GiB, lab 2's 16 MiB, Grafana's 64 "
                + "and the containers' 40");
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains("limited to " + mib + " MiB"),
                "README.md does not state the stack's total of " + mib + " MiB");
        assertTrue(Files.readString(ROOT.resolve("compose.yaml")).contains("= " + mib + " MiB in all"),
                "compose.yaml's header does not state the total of " + mib + " MiB");
    }

    /** docs/IMAGES.md gives the evidence beside each backend's limit: the limit it gives is compose's. */
    @Test
    void each_backends_limit_has_its_evidence_in_images_md_at_compose_s_value() throws IOException {
        Map<String, List<String>> services = Map.of("Grafana", List.of("grafana"), "Collector", List.of("otel-collector"),
                "Jaeger", List.of("jaeger"), "Prometheus", List.of("prometheus"), "Alertmanager", List.of("alertmanager"),
                "Loki", List.of("loki"), "PostgreSQL", List.of("users-db", "videos-db"));
        Map<String, Map<String, Object>> compose = services("compose.yaml");
        Matcher row = Pattern.compile("(?m)^\\| (\\w+) [^|]*\\| (\\d+m)(?: each)? \\|")
                .matcher(Files.readString(ROOT.resolve("docs/IMAGES.md")));
        Set<String> found = new HashSet<>();
        while (row.find()) {
            for (String service : services.getOrDefault(row.group(1), List.of())) {
                assertEquals(String.valueOf(compose.get(service).get("mem_limit")), row.group(2),
                        "docs/IMAGES.md gives " + service + " the limit " + row.group(2));
                found.add(service);
            }
        }
        assertEquals(services.values().stream().flatMap(List::stream).collect(java.util.stream.Collectors.toSet()), found,
                "every backend's limit has its row in docs/IMAGES.md, 'Memory limits of the backends'");
    }

    @Test
    void each_jvm_image_defaults_to_the_jvm_options_the_memory_limits_were_measured_with() throws IOException {
        // MemoryLimitsIT measures compose.yaml's JAVA_OPTS; `docker run` of an image alone must behave the same.
        Dockerfile dockerfile = Dockerfile.of(ROOT);
        for (String service : Platform.APPLICATIONS) {
            String composeOptions = String.join(" ", MemoryLimitsIT.composeServices(ROOT.resolve("compose.yaml")).get(service).javaOptions());
            assertTrue(dockerfile.instructions(service).stream().anyMatch(line -> line.contains("JAVA_OPTS=\"" + composeOptions + "\"")),
                    service + "'s image does not default to compose.yaml's JAVA_OPTS " + composeOptions);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void each_jvm_image_starts_from_the_aot_cache_of_a_real_start_of_its_own_jars() throws IOException {
        // A JDK 25 AOT cache is only taken by the JVM build and for the jars (path, size, modification time) that
        // made it, and it holds what its training start ran: the Dockerfile's <application>-training stage.
        Dockerfile dockerfile = Dockerfile.of(ROOT);
        String jar = "-jar /deployments/quarkus-run.jar";
        String cache = "/deployments/app.aot";
        String script = Files.readString(ROOT.resolve("docker/train-aot-cache.sh"));
        assertTrue(script.contains("java $JAVA_OPTS -XX:AOTCacheOutput=\"$cache\" " + jar) && script.contains("cache=" + cache),
                "docker/train-aot-cache.sh starts the application as the image's entrypoint does, with -XX:AOTCacheOutput=" + cache);
        assertEquals("jvm", dockerfile.stage("training").from(), "the training stage is the images' own JVM stage");
        assertTrue(dockerfile.stage("training").instructions().contains("COPY docker/train-aot-cache.sh /usr/local/bin/train-aot-cache"));
        Map<String, Map<String, Object>> compose = services("compose.yaml");
        Pattern healthcheck = Pattern.compile("HEALTHCHECK .* CMD curl -fsS (\\S+) \\|\\| exit 1");
        for (String service : Platform.APPLICATIONS) {
            List<String> own = dockerfile.stage(service).instructions().stream().map(line -> line.replaceAll("\\s+", " ")).toList();
            Dockerfile.Stage trainingStage = dockerfile.stage(service + "-training");
            assertEquals("training", trainingStage.from(), service + "-training starts from the training stage");
            List<String> training = trainingStage.instructions().stream().map(line -> line.replaceAll("\\s+", " ")).toList();
            // The image holds the very files its cache was made with: it copies them from its training stage.
            List<String> parts = List.of("lib/ lib/", "*.jar ./", "app/ app/", "quarkus/ quarkus/");
            List<String> copies = parts.stream().map(part -> "COPY --from=" + service + "-training /deployments/" + part).toList();
            assertEquals(copies, own.stream().filter(line -> line.startsWith("COPY ") && !line.contains("app.aot")).toList(),
                    service + " copies its application from " + service + "-training, in four layers");
            assertEquals(4, training.stream().filter(line -> line.startsWith("COPY --from=build /build/" + service + "/target/quarkus-app/")).count(),
                    service + "-training copies the application from the Maven build");
            // The training start waits for the answer the image's healthcheck waits for.
            String url = own.stream().map(healthcheck::matcher).filter(Matcher::matches).map(m -> m.group(1)).findFirst()
                    .orElseThrow(() -> new AssertionError(service + " has no curl healthcheck"));
            String path = URI.create(url).getPath();
            Object database = ((Map<String, Object>) compose.get(service).get("environment")).get("QUARKUS_DATASOURCE_USERNAME");
            assertTrue(training.contains("RUN train-aot-cache " + path + (database == null ? "" : " " + database)),
                    service + "-training does not run `train-aot-cache " + path + (database == null ? "" : " " + database) + "`: " + training);
            if (database != null) {
                assertTrue(training.contains("ARG DB_KIND=h2"), service + "-training gets the build's DB_KIND (a PostgreSQL start only for a PostgreSQL build)");
            }
            int cacheCopy = own.indexOf("COPY --from=" + service + "-training " + cache + " ./");
            assertTrue(cacheCopy > own.indexOf(copies.get(3)), service + " copies its cache from " + service + "-training after its application");
            int check = own.indexOf("RUN java $JAVA_OPTS -XX:AOTCache=" + cache + " -XX:AOTMode=on -cp /deployments/quarkus-run.jar -version");
            assertTrue(check > cacheCopy, service + " checks that its JVM takes the cache for its jars (-XX:AOTMode=on fails the build otherwise)");
            assertTrue(own.indexOf("USER 1001") > check, service + " runs as 1001");
            String entrypoint = dockerfile.instructions(service).stream().filter(line -> line.startsWith("ENTRYPOINT ")).reduce((a, b) -> b)
                    .orElseThrow();
            assertTrue(entrypoint.contains("java $JAVA_OPTS -XX:AOTCache=" + cache + " " + jar),
                    service + " starts with its cache and the same options and -jar as the training start: " + entrypoint);
        }
        // The published arm64 images make their cache on an emulated arm64 JVM.
        Map<String, Object> image = (Map<String, Object>) ((Map<String, Object>) yaml(ROOT.resolve(".github/workflows/images.yml"))
                .get("jobs")).get("image");
        assertTrue(String.valueOf(step(image, "docker/setup-qemu-action").get("platforms")).contains("arm64"),
                "the image job sets up QEMU for arm64");
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafana_provisioning_is_complete_and_consistent() throws IOException {
        Map<String, Object> datasources = yaml(ROOT.resolve("observability-stack/grafana/provisioning/datasources/datasources.yaml"));
        Set<String> uids = new HashSet<>();
        for (Map<String, Object> datasource : (List<Map<String, Object>>) datasources.get("datasources")) {
            uids.add((String) datasource.get("uid"));
        }
        assertEquals(Set.of("prometheus", "loki", "jaeger", "alertmanager"), uids);
        String text = Files.readString(ROOT.resolve("observability-stack/grafana/provisioning/datasources/datasources.yaml"));
        Matcher linked = Pattern.compile("datasourceUid: (\\w+)").matcher(text);
        int links = 0;
        while (linked.find()) {
            assertTrue(uids.contains(linked.group(1)), "links to unknown datasource " + linked.group(1));
            links++;
        }
        assertEquals(2, links, "log → Jaeger, trace → Loki");
        // exemplar → the trace in Jaeger's UI, at the address compose publishes it on
        Map<String, Object> prometheus = ((List<Map<String, Object>>) datasources.get("datasources")).stream()
                .filter(d -> "prometheus".equals(d.get("uid"))).findFirst().orElseThrow();
        List<Map<String, Object>> destinations = (List<Map<String, Object>>) ((Map<String, Object>) prometheus.get("jsonData"))
                .get("exemplarTraceIdDestinations");
        assertEquals(1, destinations.size(), "one exemplar link: " + destinations);
        assertEquals("trace_id", destinations.get(0).get("name"), "the exemplar label the services write");
        String url = String.valueOf(destinations.get(0).get("url"));
        assertEquals("http://127.0.0.1:16686/trace/$${__value.raw}", url, "the exemplar opens its trace in Jaeger's UI");
        assertTrue(Files.readString(ROOT.resolve("compose.yaml")).contains("\"127.0.0.1:16686:16686\""),
                "compose publishes Jaeger's UI where the exemplar link points");

        Map<String, Object> providers = yaml(ROOT.resolve("observability-stack/grafana/provisioning/dashboards/dashboards.yaml"));
        assertNotNull(providers.get("providers"));
        for (JsonNode dashboard : dashboards()) {
            assertFalse(dashboard.path("uid").asText().isEmpty(), "dashboard uid");
            assertFalse(dashboard.path("title").asText().isEmpty(), "dashboard title");
            assertTrue(dashboard.path("panels").size() > 0, "dashboard panels");
            for (JsonNode panel : dashboard.path("panels")) {
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertTrue(uids.contains(panel.path("datasource").path("uid").asText()),
                        panel.path("title").asText() + " uses datasource " + panel.path("datasource"));
                for (JsonNode target : panel.path("targets")) {
                    assertTrue(uids.contains(target.path("datasource").path("uid").asText()), panel.path("title").asText());
                }
            }
        }
    }

    static List<JsonNode> dashboards() throws IOException {
        List<JsonNode> dashboards = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("observability-stack/grafana/dashboards"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                dashboards.add(new ObjectMapper().readTree(file.toFile()));
            }
        }
        assertFalse(dashboards.isEmpty());
        return dashboards;
    }

    @Test
    void observability_stack_holds_one_folder_per_backend_and_nothing_else() throws IOException {
        try (var entries = Files.list(ROOT.resolve("observability-stack"))) {
            Set<String> names = new HashSet<>(entries.map(p -> p.getFileName().toString()).toList());
            // alertmanager: its configuration, which amtool checks here; its compose service comes with a measured limit.
            assertEquals(Set.of("otel-collector", "jaeger", "prometheus", "loki", "grafana", "alertmanager"), names);
        }
    }
}
