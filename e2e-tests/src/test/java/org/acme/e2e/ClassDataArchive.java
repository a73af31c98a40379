package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application class-data archive each JVM image holds (the Dockerfile's jvm stage): made while the image
 * is built, by the image's own JVM, with Quarkus' training (it stops where the runtime init begins, so no
 * database or peer is reached), and used by every start of the image. The tests that measure the images'
 * JVMs (MemoryLimitsIT) make the same archive the same way and start from it; the stack lint holds the
 * Dockerfile to these options.
 */
final class ClassDataArchive {

    /** Where each image keeps its archive, beside the application it was made from. */
    static final Path IN_IMAGE = Path.of("/deployments/app-cds.jsa");

    private ClassDataArchive() {
    }

    /** The options of the training run, before {@code -jar}: the JVM writes the archive when it exits. */
    static List<String> trainingOptions(Path archive) {
        return List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.appcds.generate=true");
    }

    /** The option every start adds; a JVM that cannot use the archive (another build of Java) starts without it. */
    static String useOption(Path archive) {
        return "-XX:SharedArchiveFile=" + archive;
    }

    /**
     * Makes {@code archive} for the application {@code jar} with the JVM options it will run with, as the image
     * build does (this JVM stands for the image's); fails if the training fails or writes no archive.
     */
    static Path make(Path jar, List<String> javaOptions, Path archive, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(trainingOptions(archive));
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.createDirectories(archive.getParent());
            Files.deleteIfExists(archive);
            Process training = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!training.waitFor(120, TimeUnit.SECONDS)) {
                training.destroyForcibly();
                throw new AssertionError("the class-data training of " + jar + " did not end within 120 s; see " + log);
            }
            if (training.exitValue() != 0 || !Files.isRegularFile(archive) || Files.size(archive) == 0) {
                throw new AssertionError("the class-data training of " + jar + " exited " + training.exitValue()
                        + " without an archive; see " + log);
            }
            return archive;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Whether the running JVM {@code pid} has {@code archive} mapped, i.e. uses it. */
    static boolean inUse(long pid, Path archive) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "maps")).contains(archive.toString());
        } catch (IOException e) {
            return false;
        }
    }
}
