package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes charts of deploy/helm, checked without a cluster: Helm itself (helm-java: Helm's Go code as a library,
 * no binary) lints and renders the umbrella chart with each values file, fabric8's Kubernetes model reads every object
 * it renders and fails on what Kubernetes would not know (as kubeconform would), and the rendered site is held to
 * compose.yaml: the same limits, the same wiring, probes, no root. The backends' charts are not rendered: they are
 * fetched from their projects' repositories, which this machine cannot reach; their values are checked against the
 * files compose mounts instead. The applications' charts must equal what this build generated (no drift).
 */
class KubernetesChartIT {

    static final Path ROOT = StackLintIT.ROOT;
    static final Path DEPLOY = ROOT.resolve("deploy/helm");
    static final List<String> DATABASES = List.of("users-db", "videos-db");
    static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** The umbrella chart copied with its links resolved and its remote dependencies (the backends) left out. */
    static Path chart;
    /** Every render checked, by the values files it was rendered with. */
    static final Map<String, List<HasMetadata>> RENDERS = new LinkedHashMap<>();

    @BeforeAll
    static void render(@TempDir Path work) throws IOException {
        copyResolvingLinks(DEPLOY.resolve("apps"), work.resolve("apps"));
        copyResolvingLinks(DEPLOY.resolve("video-site"), work.resolve("video-site"));
        chart = work.resolve("video-site");
        withoutRemoteDependencies(chart.resolve("Chart.yaml"));
        // file:// dependencies only: Helm packages the five applications' charts into charts/, offline.
        new Helm(chart).dependency().update().call();
        RENDERS.put("values.yaml, backends.enabled=false", render("video-site", "video-site", List.of(), Map.of("backends.enabled", false)));
        RENDERS.put("values-small.yaml, backends.enabled=false",
                render("video-site", "video-site", List.of("values-small.yaml"), Map.of("backends.enabled", false)));
        RENDERS.put("values-attendee.yaml (attendee-1)", render("site", "attendee-1", List.of("values-attendee.yaml"), Map.of()));
        RENDERS.put("values-attendee.yaml (attendee-2)", render("site", "attendee-2", List.of("values-attendee.yaml"), Map.of()));
    }

    static List<HasMetadata> render(String release, String namespace, List<String> valuesFiles, Map<String, Object> sets) {
        var template = new Helm(chart).template().withName(release).withNamespace(namespace).withKubeVersion("1.35.0");
        valuesFiles.forEach(file -> template.withValuesFile(chart.resolve(file)));
        sets.forEach(template::set);
        return parseStrictly(template.call(), valuesFiles + " " + sets);
    }

    /** Every document of a render as a typed object of fabric8's model, or an assertion error naming what is unknown. */
    static List<HasMetadata> parseStrictly(String manifest, String render) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : manifest.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed;
            try {
                parsed = KUBERNETES.unmarshal(document);
            } catch (RuntimeException e) {
                throw new AssertionError(render + ": a document Kubernetes' model cannot read (" + e.getMessage() + "):\n" + document, e);
            }
            if (parsed instanceof GenericKubernetesResource generic) {
                fail(render + ": " + generic.getApiVersion() + " " + generic.getKind() + " " + generic.getMetadata().getName()
                        + " is no kind Kubernetes knows");
            }
            HasMetadata object = (HasMetadata) parsed;
            List<String> unknown = new ArrayList<>();
            unknownFields(object, object.getKind() + " " + object.getMetadata().getName(), unknown);
            assertTrue(unknown.isEmpty(), render + ": fields Kubernetes does not know: " + unknown);
            objects.add(object);
        }
        return objects;
    }

    /**
     * fabric8 keeps a field its model does not have in the object's additionalProperties instead of failing; so every
     * object of the model is walked, and each such field reported with its path.
     */
    static void unknownFields(Object value, String path, List<String> unknown) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Quantity || value instanceof IntOrString || value instanceof Enum<?>) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> unknownFields(item, path + "." + key, unknown));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(path + "." + getter.getName(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> unknown.add(path + "." + key));
                }
            } else {
                unknownFields(field, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }

    static void copyResolvingLinks(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path relative = from.relativize(file);
                if (relative.startsWith("charts") || relative.toString().equals("Chart.lock")) {
                    continue; // what `helm dependency update` fetched into a developer's copy
                }
                Files.createDirectories(to.resolve(relative).getParent());
                Files.copy(file, to.resolve(relative));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static void withoutRemoteDependencies(Path chartYaml) throws IOException {
        Map<String, Object> meta = new Yaml().load(Files.readString(chartYaml));
        List<Map<String, Object>> dependencies = (List<Map<String, Object>>) meta.get("dependencies");
        List<Map<String, Object>> local = new ArrayList<>();
        for (Map<String, Object> dependency : dependencies) {
            String repository = (String) dependency.get("repository");
            if (repository.startsWith("file://")) {
                local.add(dependency);
            } else {
                assertEquals("backends.enabled", dependency.get("condition"),
                        dependency.get("name") + ": a remote chart is a backend, switched by backends.enabled");
            }
        }
        meta.put("dependencies", local);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(chartYaml, new Yaml(options).dump(meta));
    }

    static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> Optional<T> named(List<HasMetadata> objects, Class<T> type, String name) {
        return all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), deployment.getMetadata().getName() + ": one container");
        return containers.get(0);
    }

    static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> fail("twice: " + a.getName())));
    }

    static Map<String, String> composeEnvironment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> environment.put(k.toString(), String.valueOf(v)));
        }
        return environment;
    }

    /** Mebibytes from compose's mem_limit ("192m") and from a Kubernetes quantity ("192Mi"). */
    static long mebibytes(Object composeLimit) {
        String text = composeLimit.toString();
        assertTrue(text.matches("\\d+m"), "compose mem_limit in MiB: " + text);
        return Long.parseLong(text.substring(0, text.length() - 1));
    }

    static long mebibytes(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity).divide(BigDecimal.valueOf(1024 * 1024)).longValueExact();
    }

    static long millicores(Object composeCpus) {
        return new BigDecimal(composeCpus.toString()).multiply(BigDecimal.valueOf(1000)).longValueExact();
    }

    static long millicores(Quantity quantity) {
        return quantity.getNumericalAmount().multiply(BigDecimal.valueOf(1000)).longValueExact();
    }

    // --- the generated charts ---------------------------------------------------------------------------------

    @Test
    void each_application_chart_in_the_repository_is_what_its_build_generated() throws IOException {
        for (String app : Platform.APPLICATIONS) {
            Path generated = ROOT.resolve(app + "/target/helm/kubernetes/" + app);
            Path committed = DEPLOY.resolve("apps/" + app);
            assertTrue(Files.isRegularFile(generated.resolve("Chart.yaml")), app + ": the build generated no chart at " + generated);
            Set<String> generatedFiles = relativeFiles(generated);
            assertEquals(generatedFiles, relativeFiles(committed),
                    committed + " holds other files than the build generates: run scripts/kubernetes-charts.sh");
            for (String file : generatedFiles) {
                assertEquals(portsInOneOrder(Files.readString(generated.resolve(file))), portsInOneOrder(Files.readString(committed.resolve(file))),
                        committed.resolve(file) + " differs from what the build generates: run scripts/kubernetes-charts.sh");
            }
        }
    }

    /**
     * The text with the entries of every ports: list sorted. Quarkus 3.33 lists an application's ports (HTTP and gRPC)
     * in either order from one build to the next (the same sources: once in six builds of recommend-service), so the
     * order alone is no drift.
     */
    static String portsInOneOrder(String text) {
        List<String> lines = text.lines().toList();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            out.append(line).append('\n');
            if (!line.strip().equals("ports:") || i >= lines.size() || !lines.get(i).stripLeading().startsWith("- ")) {
                continue;
            }
            int indent = indent(lines.get(i));
            List<String> entries = new ArrayList<>();
            while (i < lines.size() && indent(lines.get(i)) == indent && lines.get(i).stripLeading().startsWith("- ")) {
                StringBuilder entry = new StringBuilder(lines.get(i++)).append('\n');
                while (i < lines.size() && indent(lines.get(i)) > indent) {
                    entry.append(lines.get(i++)).append('\n');
                }
                entries.add(entry.toString());
            }
            entries.stream().sorted().forEach(out::append);
        }
        return out.toString();
    }

    static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    static Set<String> relativeFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void helm_lints_the_umbrella_chart_strictly() {
        LintResult lint = new Helm(chart).lint().strict().call();
        assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
    }

    // --- the rendered site against compose --------------------------------------------------------------------

    @Test
    void every_render_holds_the_whole_site_and_only_typed_objects() {
        RENDERS.forEach((render, objects) -> {
            for (String app : Platform.APPLICATIONS) {
                assertTrue(named(objects, Deployment.class, app).isPresent(), render + ": a Deployment " + app);
                assertTrue(named(objects, Service.class, app).isPresent(), render + ": a Service " + app);
            }
            for (String db : DATABASES) {
                assertTrue(named(objects, Deployment.class, db).isPresent(), render + ": a Deployment " + db);
                assertTrue(named(objects, Service.class, db).isPresent(), render + ": a Service " + db);
                assertTrue(named(objects, Secret.class, db).isPresent(), render + ": a Secret " + db);
            }
        });
    }

    @Test
    void memory_limits_and_cpu_allowances_are_compose_s() {
        Map<String, Map<String, Object>> compose = StackLintIT.services("compose.yaml");
        RENDERS.forEach((render, objects) -> {
            List<String> checked = new ArrayList<>();
            for (Deployment deployment : all(objects, Deployment.class)) {
                String name = deployment.getMetadata().getName();
                Map<String, Object> service = compose.get(name);
                assertNotNull(service, render + ": " + name + " is no service of compose.yaml");
                var resources = container(deployment).getResources();
                assertEquals(mebibytes(service.get("mem_limit")), mebibytes(resources.getLimits().get("memory")),
                        render + ": " + name + "'s memory limit (MiB) against compose's mem_limit");
                assertEquals(millicores(service.get("cpus")), millicores(resources.getLimits().get("cpu")),
                        render + ": " + name + "'s CPU limit (millicores) against compose's cpus");
                assertEquals(resources.getLimits().get("memory"), resources.getRequests().get("memory"),
                        render + ": " + name + " asks the scheduler for the memory it may use");
                checked.add(name);
            }
            List<String> expected = new ArrayList<>(Platform.APPLICATIONS);
            expected.addAll(DATABASES);
            assertEquals(new TreeSet<>(expected), new TreeSet<>(checked), render + ": the Deployments checked");
        });
    }

    @Test
    void every_container_has_probes_and_runs_as_non_root_on_a_read_only_root() {
        RENDERS.forEach((render, objects) -> {
            for (Deployment deployment : all(objects, Deployment.class)) {
                String name = render + ": " + deployment.getMetadata().getName();
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                Container container = container(deployment);
                assertNotNull(container.getStartupProbe(), name + " has a startup probe");
                assertNotNull(container.getReadinessProbe(), name + " has a readiness probe");
                assertNotNull(container.getLivenessProbe(), name + " has a liveness probe");
                assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name + ": runAsNonRoot");
                assertTrue(pod.getSecurityContext().getRunAsUser() != null && pod.getSecurityContext().getRunAsUser() > 0,
                        name + ": a user id that is not root's");
                assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem(), name + ": read-only root");
                assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), name + ": no privilege escalation");
                assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop(), name + ": no capabilities");
                assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), name + ": a writable /tmp");
            }
        });
        // compose runs the applications the same way, so the container check proves it under load: read-only, /tmp apart.
        Map<String, Map<String, Object>> compose = StackLintIT.services("compose.yaml");
        for (String app : Platform.APPLICATIONS) {
            assertEquals(Boolean.TRUE, compose.get(app).get("read_only"), app + ": read_only in compose.yaml too");
            assertEquals(List.of("/tmp"), compose.get(app).get("tmpfs"), app + ": compose's writable /tmp");
        }
    }

    @Test
    void probes_ask_the_health_paths_compose_s_healthchecks_ask() throws IOException {
        Map<String, Map<String, Object>> compose = StackLintIT.services("compose.yaml");
        for (Deployment deployment : all(RENDERS.values().iterator().next(), Deployment.class)) {
            String name = deployment.getMetadata().getName();
            if (DATABASES.contains(name)) {
                assertEquals(List.of("pg_isready", "-h", "127.0.0.1"), container(deployment).getReadinessProbe().getExec().getCommand().subList(0, 3),
                        name + ": pg_isready, as compose's healthcheck");
                continue;
            }
            @SuppressWarnings("unchecked")
            List<String> test = (List<String>) ((Map<String, Object>) compose.get(name).get("healthcheck")).get("test");
            URI healthcheck = URI.create(test.get(test.size() - 1));
            var readiness = container(deployment).getReadinessProbe().getHttpGet();
            assertEquals(healthcheck.getPath(), readiness.getPath(), name + ": readiness path");
            assertEquals(healthcheck.getPort(), readiness.getPort().getIntVal(), name + ": readiness port");
            assertEquals("/q/health/started", container(deployment).getStartupProbe().getHttpGet().getPath(), name + ": startup path");
            assertEquals("/q/health/live", container(deployment).getLivenessProbe().getHttpGet().getPath(), name + ": liveness path");
            assertEquals(healthcheck.getPort(), container(deployment).getStartupProbe().getHttpGet().getPort().getIntVal(), name + ": startup port");
        }
    }

    /**
     * Each variable compose gives an application is in its Deployment: the same value, or the same peer. A URL or a
     * host and port of compose ("http://user-service:8081") names a Service here whose port leads to that same
     * container port; a password compose writes out comes from the database's Secret with the same value.
     */
    @Test
    void services_wire_up_as_in_compose() {
        Map<String, Map<String, Object>> compose = StackLintIT.services("compose.yaml");
        RENDERS.forEach((render, objects) -> {
            for (String app : Platform.APPLICATIONS) {
                Map<String, EnvVar> env = env(container(named(objects, Deployment.class, app).orElseThrow()));
                Map<String, String> composed = composeEnvironment(compose.get(app));
                assertFalse(composed.isEmpty(), app + ": compose gives it an environment");
                for (var variable : composed.entrySet()) {
                    String where = render + ": " + app + " " + variable.getKey();
                    EnvVar mine = env.get(variable.getKey());
                    assertNotNull(mine, where + " is not set");
                    if (mine.getValueFrom() != null) {
                        var ref = mine.getValueFrom().getSecretKeyRef();
                        Secret secret = named(objects, Secret.class, ref.getName()).orElseThrow(() -> new AssertionError(where + ": no Secret " + ref.getName()));
                        assertEquals(variable.getValue(), secret.getStringData().get(ref.getKey()), where + " from its Secret");
                        continue;
                    }
                    String value = mine.getValue();
                    if (variable.getKey().endsWith("_URL")) {
                        URI composeUrl = URI.create(variable.getValue().replaceFirst("^jdbc:", ""));
                        URI url = URI.create(value.replaceFirst("^jdbc:", ""));
                        assertEquals(composeUrl.getScheme(), url.getScheme(), where);
                        assertEquals(composeUrl.getPath(), url.getPath(), where);
                        assertLeadsTo(objects, url.getHost(), url.getPort() < 0 ? 80 : url.getPort(), composeUrl.getHost(), composeUrl.getPort(), where);
                    } else if (variable.getKey().endsWith("_HOST")) {
                        String portKey = variable.getKey().replaceFirst("_HOST$", "_PORT");
                        assertLeadsTo(objects, value, Integer.parseInt(env.get(portKey).getValue()),
                                variable.getValue(), Integer.parseInt(composed.get(portKey)), where);
                    } else if (variable.getKey().endsWith("_PORT")) {
                        continue; // with its _HOST
                    } else {
                        assertEquals(variable.getValue(), value, where);
                    }
                }
            }
        });
    }

    /** The Service named host has a port numbered port that reaches the container port composePort of composeHost. */
    static void assertLeadsTo(List<HasMetadata> objects, String host, int port, String composeHost, int composePort, String where) {
        assertEquals(composeHost, host, where + ": the same peer");
        Service service = named(objects, Service.class, host).orElseThrow(() -> new AssertionError(where + ": no Service " + host));
        ServicePort servicePort = service.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": Service " + host + " has no port " + port));
        Deployment target = named(objects, Deployment.class, host).orElseThrow(() -> new AssertionError(where + ": no Deployment " + host));
        int containerPort = servicePort.getTargetPort().getIntVal() != null ? servicePort.getTargetPort().getIntVal()
                : container(target).getPorts().stream().filter(p -> servicePort.getTargetPort().getStrVal().equals(p.getName()))
                        .findFirst().orElseThrow().getContainerPort();
        assertEquals(composePort, containerPort, where + ": Service " + host + ":" + port + " leads to the port compose calls");
        assertTrue(container(target).getPorts().stream().anyMatch(p -> p.getContainerPort() == containerPort),
                where + ": " + host + " declares container port " + containerPort);
        assertEquals(target.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector(), where + ": Service " + host + " selects its pods");
    }

    /**
     * Prometheus finds the applications by their Services' annotations (values.yaml, extraScrapeConfigs) under the job
     * names compose's prometheus.yml gives them, on the same port and path, which the rules and the dashboard select on.
     */
    @Test
    @SuppressWarnings("unchecked")
    void prometheus_finds_each_application_where_compose_scrapes_it() {
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) StackLintIT.yaml(ROOT.resolve("observability-stack/prometheus/prometheus.yml")).get("scrape_configs");
        List<HasMetadata> objects = RENDERS.values().iterator().next();
        for (Map<String, Object> job : jobs) {
            String name = (String) job.get("job_name");
            String target = ((List<String>) ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets")).get(0);
            if (name.equals("otel-collector")) {
                continue; // a backend: in values.yaml's extraScrapeConfigs as in compose
            }
            Service service = named(objects, Service.class, name).orElseThrow(() -> new AssertionError("no Service for job " + name));
            Map<String, String> annotations = service.getMetadata().getAnnotations();
            assertEquals("quarkus", service.getMetadata().getLabels().get("app.kubernetes.io/managed-by"), name);
            assertEquals("true", annotations.get("prometheus.io/scrape"), name);
            assertEquals(job.getOrDefault("metrics_path", "/metrics"), annotations.get("prometheus.io/path"), name + ": metrics path");
            assertEquals(target.substring(target.indexOf(':') + 1), annotations.get("prometheus.io/port"), name + ": metrics port");
            assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals("http")), name + ": the port the job keeps");
        }
        String scrape = (String) ((Map<String, Object>) values().get("prometheus")).get("extraScrapeConfigs");
        assertTrue(scrape.contains("regex: quarkus;true;http") && scrape.contains("target_label: job")
                && scrape.contains("__meta_kubernetes_service_name"), "the job label is the Service's name");
        assertTrue(scrape.contains("targets: [\"otel-collector:8888\"]"), "the Collector's own metrics, as compose scrapes them");
    }

    // --- the backends' values against the files compose mounts -------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> values() {
        return StackLintIT.yaml(DEPLOY.resolve("video-site/values.yaml"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_backends_run_compose_s_images_configuration_and_limits() throws IOException {
        Map<String, Object> values = values();
        var env = StackLintIT.env();
        Map<String, Map<String, Object>> compose = StackLintIT.services("compose.yaml");
        Map<String, Object> collector = (Map<String, Object>) values.get("opentelemetry-collector");
        assertEquals(env.getProperty("OTEL_COLLECTOR_IMAGE"), ((Map<String, Object>) collector.get("image")).get("repository") + ":"
                + ((Map<String, Object>) collector.get("image")).get("tag"), "the Collector's image");
        assertEquals("otel-collector", collector.get("fullnameOverride"), "the Collector's Service is named as the applications call it");
        Map<String, Object> jaeger = (Map<String, Object>) values.get("jaeger");
        assertEquals(env.getProperty("JAEGER_IMAGE").replaceFirst(".*:", ""),
                ((Map<String, Object>) ((Map<String, Object>) jaeger.get("jaeger")).get("image")).get("tag"), "Jaeger's image tag");
        assertEquals(StackLintIT.yaml(ROOT.resolve("observability-stack/jaeger/config.yaml")), jaeger.get("userconfig"),
                "Jaeger's configuration is compose's observability-stack/jaeger/config.yaml");
        Map<String, Object> alertmanager = (Map<String, Object>) ((Map<String, Object>) values.get("prometheus")).get("alertmanager");
        assertEquals(env.getProperty("ALERTMANAGER_IMAGE").replaceFirst(".*:", ""), ((Map<String, Object>) alertmanager.get("image")).get("tag"));
        assertEquals(StackLintIT.yaml(ROOT.resolve("observability-stack/alertmanager/alertmanager.yml")), alertmanager.get("config"),
                "Alertmanager's configuration is compose's observability-stack/alertmanager/alertmanager.yml");
        Map<String, Object> loki = (Map<String, Object>) ((Map<String, Object>) values.get("loki")).get("loki");
        Map<String, Object> lokiConfig = StackLintIT.yaml(ROOT.resolve("observability-stack/loki/config.yaml"));
        Map<String, Object> structured = (Map<String, Object>) loki.get("structuredConfig");
        for (String section : List.of("limits_config", "query_range", "chunk_store_config", "querier", "ingester", "compactor",
                "pattern_ingester", "analytics")) {
            assertEquals(lokiConfig.get(section), structured.get(section), "Loki's " + section + " is compose's observability-stack/loki/config.yaml's");
        }
        Map<String, Object> grafana = (Map<String, Object>) values.get("grafana");
        assertEquals(composeEnvironment(compose.get("grafana")), ((Map<String, Object>) grafana.get("env")).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()), (a, b) -> a, LinkedHashMap::new)),
                "Grafana's environment is compose's");
        // Memory limits: the same as compose's, each backend's.
        Map<String, Object> limits = Map.of(
                "otel-collector", collector.get("resources"),
                "jaeger", ((Map<String, Object>) jaeger.get("jaeger")).get("resources"),
                "prometheus", ((Map<String, Object>) ((Map<String, Object>) values.get("prometheus")).get("server")).get("resources"),
                "alertmanager", alertmanager.get("resources"),
                "loki", ((Map<String, Object>) ((Map<String, Object>) values.get("loki")).get("singleBinary")).get("resources"),
                "grafana", grafana.get("resources"));
        limits.forEach((backend, resources) -> {
            String memory = (String) ((Map<String, Object>) ((Map<String, Object>) resources).get("limits")).get("memory");
            assertEquals(mebibytes(compose.get(backend).get("mem_limit")), mebibytes(new Quantity(memory)), backend + "'s memory limit");
        });
    }

    /** The ConfigMaps the backends' charts mount hold the very files compose mounts. */
    @Test
    void the_backends_configuration_is_rendered_from_compose_s_files() throws IOException {
        List<HasMetadata> objects = render("backends", "observability", List.of("values-shared-backends.yaml"), Map.of());
        assertTrue(all(objects, Deployment.class).isEmpty(), "values-shared-backends.yaml renders no application");
        assertEquals(Files.readString(ROOT.resolve("observability-stack/otel-collector/config.yaml")).strip(),
                named(objects, ConfigMap.class, "otel-collector-config").orElseThrow().getData().get("relay").strip());
        Map<String, Path> mounted = Map.of(
                "prometheus-rules", ROOT.resolve("observability-stack/prometheus/rules"),
                "grafana-datasources", ROOT.resolve("observability-stack/grafana/provisioning/datasources"),
                "grafana-dashboard-providers", ROOT.resolve("observability-stack/grafana/provisioning/dashboards"),
                "grafana-dashboards", ROOT.resolve("observability-stack/grafana/dashboards"));
        for (var entry : mounted.entrySet()) {
            Map<String, String> data = named(objects, ConfigMap.class, entry.getKey()).orElseThrow().getData();
            try (Stream<Path> files = Files.list(entry.getValue())) {
                List<Path> regular = files.filter(Files::isRegularFile).toList();
                assertEquals(regular.stream().map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                        new TreeSet<>(data.keySet()), entry.getKey() + ": the files of " + entry.getValue());
                for (Path file : regular) {
                    assertEquals(Files.readString(file), data.get(file.getFileName().toString()), entry.getKey() + ": " + file);
                }
            }
        }
    }

    /**
     * scripts/k8s-port-forward.sh puts a namespace's site and backends on the ports compose publishes, so that the
     * labs' commands work unchanged: the same local ports, each reaching a port the rendered pod declares.
     */
    @Test
    @SuppressWarnings("unchecked")
    void the_port_forwards_publish_what_compose_publishes() throws Exception {
        Process process = new ProcessBuilder("scripts/k8s-port-forward.sh", "--print", "-n", "attendee-1", "--backends", "observability")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        String printed = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), printed);
        Map<Integer, String> forwarded = new java.util.TreeMap<>();
        List<HasMetadata> objects = RENDERS.get("values-attendee.yaml (attendee-1)");
        for (String line : printed.strip().split("\n")) {
            String[] words = line.split(" ");
            String namespace = words[2];
            String target = words[6];
            String name = target.substring(target.indexOf('/') + 1);
            for (String ports : Arrays.asList(words).subList(7, words.length)) {
                int local = Integer.parseInt(ports.split(":")[0]);
                int remote = Integer.parseInt(ports.split(":")[1]);
                forwarded.put(local, name);
                if (target.startsWith("deployment/")) {
                    assertEquals("attendee-1", namespace, line);
                    Container container = container(named(objects, Deployment.class, name).orElseThrow(() -> new AssertionError(line)));
                    assertTrue(container.getPorts().stream().anyMatch(p -> p.getContainerPort() == remote), line + ": a port " + name + " declares");
                } else {
                    assertEquals("observability", namespace, line + ": the shared backends");
                }
            }
        }
        Map<Integer, String> published = new java.util.TreeMap<>();
        StackLintIT.services("compose.yaml").forEach((service, definition) -> {
            for (Object port : (List<Object>) definition.getOrDefault("ports", List.of())) {
                String[] parts = port.toString().split(":");
                assertEquals("127.0.0.1", parts[0], service + " publishes on the loopback");
                published.put(Integer.parseInt(parts[1]), service);
            }
        });
        assertEquals(published, forwarded, "local port -> service, compose against the port forwards");
    }

    // --- a shared workshop cluster ------------------------------------------------------------------------------

    @Test
    void an_attendee_s_namespace_holds_its_own_site_and_sends_to_the_shared_collector() throws IOException {
        List<HasMetadata> first = RENDERS.get("values-attendee.yaml (attendee-1)");
        List<HasMetadata> second = RENDERS.get("values-attendee.yaml (attendee-2)");
        Service collector = named(first, Service.class, "otel-collector").orElseThrow(() -> new AssertionError("no otel-collector Service"));
        assertEquals("ExternalName", collector.getSpec().getType());
        String shared = (String) ((Map<?, ?>) StackLintIT.yaml(DEPLOY.resolve("video-site/values-attendee.yaml")).get("sharedBackends")).get("namespace");
        assertEquals("otel-collector." + shared + ".svc.cluster.local", collector.getSpec().getExternalName());
        assertTrue(collector.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 4317), "OTLP/gRPC's port");
        assertTrue(all(first, ConfigMap.class).isEmpty(), "no backend configuration in an attendee's namespace");
        // The two attendees' namespaces differ by nothing but their names: nothing of one names the other.
        assertEquals(KUBERNETES.asYaml(first).replace("attendee-1", "attendee-N"), KUBERNETES.asYaml(second).replace("attendee-2", "attendee-N"));
        // What an attendee costs: the memory its pods ask for, as values-attendee.yaml and the README say.
        long mebibytes = all(first, Deployment.class).stream()
                .mapToLong(d -> mebibytes(container(d).getResources().getRequests().get("memory"))).sum();
        for (Path doc : List.of(DEPLOY.resolve("video-site/values-attendee.yaml"), ROOT.resolve("README.md"), DEPLOY.resolve("README.md"))) {
            assertTrue(Files.readString(doc).contains(mebibytes + " MiB"), doc + " gives an attendee's memory, " + mebibytes + " MiB");
        }
    }
}
