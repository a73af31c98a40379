package org.acme.workshop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.acme.conventions.testing.ExplicitActivation;
import org.junit.jupiter.api.Test;

/** The kit is one removable dependency: off until a service switches it on, and no business class needs it. */
class KitApartTest {

    static final List<String> APPLICATIONS = List.of("user-service", "video-service", "recommend-service",
            "gateway-service", "traffic-generator", "service-conventions");

    @Test
    void nothing_in_the_kit_acts_until_a_service_switches_it_on() throws IOException {
        assertEquals(List.of(), ExplicitActivation.unswitched(Path.of("target/classes")),
                "these classes act by being on the class path; gate each with @IfBuildProperty(workshop.faults.enabled)");
    }

    @Test
    void no_application_code_and_no_convention_imports_the_kit() throws IOException {
        List<Path> roots = APPLICATIONS.stream().map(a -> Path.of("..", a, "src", "main", "java")).toList();
        assertEquals(List.of(), roots.stream().filter(root -> !Files.isDirectory(root)).toList(),
                "sources not found: run from the workshop-kit folder (Maven does)");
        List<String> importers;
        try (Stream<Path> sources = roots.stream().flatMap(KitApartTest::javaFiles)) {
            importers = sources.filter(KitApartTest::importsTheKit).map(Path::toString).sorted().toList();
        }
        assertEquals(List.of(), importers, "business code reaches the kit only through standard APIs (OpenFeature, span names)");
    }

    private static Stream<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean importsTheKit(Path source) {
        try {
            return Files.readString(source).contains("org.acme.workshop");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
