package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An application class-data archive for the JVM the tests run on (Java 17 in CI), made with Quarkus' training
 * (it stops where the runtime init begins, so no database or peer is reached): MemoryLimitsIT starts every
 * JVM from one, as the images start from theirs. The images themselves run Java 25 with an AOT cache of a real
 * start (the Dockerfile's -training stages); scripts/check-containers.sh measures them in containers.
 */
final class ClassDataArchive {

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
