package org.acme.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The stack lint's second half: what runs inside each image. docs/IMAGES.md records, per pinned
 * image, what its upstream files at that tag say it holds (shell, wget, curl); every healthcheck,
 * entrypoint and command of the compose stack (and of the Dockerfile's images) may only use what
 * its image has. This is the check that would have caught a wget healthcheck on the distroless
 * Loki image, which no `docker-compose config` sees.
 */
@Order(0)
class ImageFactsIT {

    /** One row of docs/IMAGES.md. */
    record ImageRow(String variable, String image, boolean shell, boolean wget, boolean curl) {
        boolean has(String tool) {
            return switch (tool) {
                case "sh" -> shell;
                case "wget" -> wget;
                case "curl" -> curl;
                default -> throw new IllegalArgumentException(tool);
            };
        }
    }

    /** The tools the table knows; anything else a probe runs is the image's own program (pg_isready, loki). */
    static final List<String> TOOLS = List.of("sh", "wget", "curl");

    static Map<String, ImageRow> table() throws IOException {
        Map<String, ImageRow> rows = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| `(\\w+_IMAGE)` \\| `([^`]+)` \\|[^|]*\\| (yes|no) \\| (yes|no) \\| (yes|no) \\|.*");
        for (String line : Files.readAllLines(StackLintIT.ROOT.resolve("docs/IMAGES.md"))) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), new ImageRow(m.group(1), m.group(2), m.group(3).equals("yes"),
                        m.group(4).equals("yes"), m.group(5).equals("yes")));
            } else {
                assertFalse(line.startsWith("| `"), "docs/IMAGES.md row not in the expected shape: " + line);
            }
        }
        assertFalse(rows.isEmpty(), "no rows in docs/IMAGES.md");
        return rows;
    }

    @Test
    void every_pinned_image_has_a_row_with_the_same_tag_and_every_row_an_image() throws IOException {
        Properties env = StackLintIT.env();
        Map<String, ImageRow> table = table();
        for (String variable : env.stringPropertyNames()) {
            if (variable.endsWith("_IMAGE")) {
                ImageRow row = table.get(variable);
                assertNotNull(row, ".env pins " + variable + "=" + env.getProperty(variable)
                        + " but docs/IMAGES.md has no row for it: read its upstream files at that tag and add one");
                assertEquals(env.getProperty(variable), row.image(), variable + ": .env and docs/IMAGES.md disagree on the tag "
                        + "(read the new tag's upstream files, then update the row)");
            }
        }
        for (String variable : table.keySet()) {
            assertNotNull(env.getProperty(variable), "docs/IMAGES.md describes " + variable + ", which .env does not pin");
        }
    }

    @Test
    void no_healthcheck_entrypoint_or_command_uses_a_tool_its_image_lacks() throws IOException {
        Map<String, ImageRow> table = table();
        List<String> problems = new ArrayList<>();
        int probes = 0;
        for (Map.Entry<String, Map<String, Object>> overlay : composeVariants().entrySet()) {
            for (Map.Entry<String, Map<String, Object>> entry : StackLintIT.services("compose.yaml").entrySet()) {
                String name = entry.getKey();
                Map<String, Object> service = effective(name, entry.getValue(), overlay.getValue());
                Image image = imageOf(name, service, table);
                for (Probe probe : probes(service, image.dockerfileProbes())) {
                    probes++;
                    for (String tool : probe.tools()) {
                        if (!image.has(tool)) {
                            problems.add(overlay.getKey() + ": " + name + "'s " + probe.where() + " runs " + tool
                                    + ", which " + image.description() + " does not have");
                        }
                    }
                }
            }
        }
        assertTrue(probes >= 10, "found only " + probes + " healthchecks/entrypoints to check");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void the_lint_catches_a_wget_healthcheck_on_a_distroless_image() throws IOException {
        Map<String, ImageRow> table = table();
        Image loki = new Image(table.get("LOKI_IMAGE"), Set.of(), List.of());
        List<Probe> probes = probes(Map.of("healthcheck", Map.of("test", List.of("CMD", "wget", "-q", "--spider", "http://x"))), List.of());
        assertEquals(List.of("wget"), probes.get(0).tools());
        assertFalse(loki.has("wget"), "the table says the Loki image has no wget");
        assertTrue(probes(Map.of("healthcheck", Map.of("test", "curl -f http://x || exit 1")), List.of()).get(0).tools()
                .containsAll(List.of("sh", "curl")), "a string healthcheck runs through a shell");
    }

    @Test
    void anonymous_grafana_users_may_follow_the_links_between_signals() throws IOException {
        Map<String, Object> grafana = StackLintIT.services("compose.yaml").get("grafana");
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) grafana.get("environment");
        String datasources = Files.readString(StackLintIT.ROOT.resolve(
                "observability-stack/grafana/provisioning/datasources/datasources.yaml"));
        assertTrue(datasources.contains("datasourceUid:"), "the datasources link to each other");
        if ("true".equals(String.valueOf(env.get("GF_AUTH_ANONYMOUS_ENABLED")))) {
            // Grafana shows links into another datasource only to users with Explore, which it gives
            // to Editors (and to Viewers only through the deprecated viewers_can_edit).
            String role = String.valueOf(env.getOrDefault("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer"));
            boolean explore = role.equals("Editor") || role.equals("Admin")
                    || "true".equals(String.valueOf(env.get("GF_USERS_VIEWERS_CAN_EDIT")));
            assertTrue(explore, "anonymous Grafana users (role " + role + ") have no Explore, so the trace/log/exemplar "
                    + "links the tutorial clicks are hidden from them");
        }
    }

    /** Each compose file set to check: compose.yaml alone, and with each overlay that changes builds. */
    static Map<String, Map<String, Object>> composeVariants() {
        Map<String, Map<String, Object>> variants = new LinkedHashMap<>();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Map<String, Object> nativeOverlay = (Map) StackLintIT.services("compose.native.yaml");
        variants.put("compose.yaml", Map.of());
        variants.put("compose.yaml+compose.native.yaml", nativeOverlay);
        return variants;
    }

    /** A service with an overlay's build target applied (the only key the overlays change that matters here). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> effective(String name, Map<String, Object> service, Map<String, Object> overlay) {
        Map<String, Object> merged = new LinkedHashMap<>(service);
        Object override = overlay.get(name);
        if (override instanceof Map<?, ?> o && o.get("build") instanceof Map<?, ?> build && build.get("target") != null) {
            Map<String, Object> b = new LinkedHashMap<>((Map<String, Object>) service.get("build"));
            b.put("target", build.get("target"));
            merged.put("build", b);
        }
        return merged;
    }

    /** What runs a service: a row of the table, plus what the Dockerfile's stages of its image install. */
    record Image(ImageRow row, Set<String> installed, List<Probe> dockerfileProbes) {
        boolean has(String tool) {
            return row.has(tool) || installed.contains(tool);
        }

        String description() {
            return row.image() + (installed.isEmpty() ? "" : " + " + installed);
        }
    }

    @SuppressWarnings("unchecked")
    static Image imageOf(String name, Map<String, Object> service, Map<String, ImageRow> table) throws IOException {
        Pattern variable = Pattern.compile("\\$\\{(\\w+)}");
        Map<String, Object> build = (Map<String, Object>) service.get("build");
        if (build == null) {
            assertNotNull(service.get("image"), name + " has neither image nor build");
            Matcher m = variable.matcher(service.get("image").toString());
            assertTrue(m.matches(), name + ": image not from .env");
            ImageRow row = table.get(m.group(1));
            assertNotNull(row, name + ": no docs/IMAGES.md row for " + m.group(1));
            return new Image(row, Set.of(), List.of());
        }
        // Built here: the Dockerfile's target stage, on the stages it starts FROM, down to a pinned image.
        String target = String.valueOf(build.get("target"));
        Dockerfile dockerfile = Dockerfile.of(StackLintIT.ROOT);
        Matcher base = variable.matcher(dockerfile.baseImage(target));
        assertTrue(base.matches(), "Dockerfile target " + target + " is not built on an .env image: " + dockerfile.baseImage(target));
        ImageRow row = table.get(base.group(1));
        assertNotNull(row, "Dockerfile target " + target + ": no docs/IMAGES.md row for " + base.group(1));
        Set<String> installed = new HashSet<>();
        List<Probe> probes = new ArrayList<>();
        String where = "Dockerfile target " + target + " ";
        for (String line : dockerfile.instructions(target)) {
            Matcher install = Pattern.compile("apt-get install[^&]*").matcher(line);
            while (install.find()) {
                for (String tool : TOOLS) {
                    if (install.group().matches(".*\\b" + tool + "\\b.*")) {
                        installed.add(tool);
                    }
                }
            }
            if (line.startsWith("HEALTHCHECK ")) {
                probes.add(new Probe(where + "HEALTHCHECK", toolsOfShellForm(line.substring(line.indexOf(" CMD ") + 5))));
            } else if (line.startsWith("ENTRYPOINT ") || line.startsWith("CMD ")) {
                String value = line.substring(line.indexOf(' ') + 1).trim();
                probes.add(new Probe(where + line.split(" ")[0],
                        value.startsWith("[") ? toolsOfExecForm(parseJsonArray(value), false) : toolsOfShellForm(value)));
            }
        }
        return new Image(row, installed, probes);
    }

    record Probe(String where, List<String> tools) {
    }

    /** The healthcheck, entrypoint and command of a compose service, with the tools each runs. */
    @SuppressWarnings("unchecked")
    static List<Probe> probes(Map<String, Object> service, List<Probe> fromDockerfile) {
        List<Probe> probes = new ArrayList<>(fromDockerfile);
        if (service.get("healthcheck") instanceof Map<?, ?> healthcheck && healthcheck.get("test") != null) {
            Object test = healthcheck.get("test");
            if (test instanceof List<?> list) {
                List<String> words = (List<String>) list;
                if (words.get(0).equals("CMD-SHELL")) {
                    probes.add(new Probe("healthcheck", toolsOfShellForm(words.get(1))));
                } else if (words.get(0).equals("CMD")) {
                    probes.add(new Probe("healthcheck", toolsOfExecForm(words.subList(1, words.size()), false)));
                }
            } else {
                probes.add(new Probe("healthcheck", toolsOfShellForm(test.toString())));
            }
        }
        if (service.get("entrypoint") != null) {
            Object entrypoint = service.get("entrypoint");
            probes.add(new Probe("entrypoint", entrypoint instanceof List<?> list ? toolsOfExecForm((List<String>) list, false)
                    : toolsOfShellForm(entrypoint.toString())));
        }
        return probes;
    }

    /** A command run without a shell: its program, and if that is a shell, what its script runs. */
    static List<String> toolsOfExecForm(List<String> words, boolean inShell) {
        List<String> tools = new ArrayList<>();
        String program = words.get(0).replaceFirst("^/(usr/)?bin/", "");
        if (program.equals("sh") || program.equals("bash")) {
            tools.add("sh");
            int script = words.indexOf("-c");
            if (script >= 0 && script + 1 < words.size()) {
                tools.addAll(toolsOfShellForm(words.get(script + 1)).stream().filter(t -> !t.equals("sh")).toList());
            }
        } else if (TOOLS.contains(program)) {
            tools.add(program);
        }
        return tools;
    }

    /** A shell command line: the shell itself, and every known tool it names as a command word. */
    static List<String> toolsOfShellForm(String line) {
        List<String> tools = new ArrayList<>(List.of("sh"));
        for (String tool : List.of("wget", "curl")) {
            if (Pattern.compile("(^|[;&|(]\\s*|\\s)" + tool + "\\s").matcher(" " + line + " ").find()) {
                tools.add(tool);
            }
        }
        return tools;
    }

    static List<String> parseJsonArray(String value) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(value);
        while (m.find()) {
            words.add(m.group(1).replace("\\\"", "\""));
        }
        return words;
    }
}
