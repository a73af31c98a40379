package org.acme.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service run as an OS process, configured only through the environment a user would
 * set. Its stdout and stderr go to a file, kept for assertions and shown when a test fails.
 */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // as Http's
            .connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final Path jar;
    private final int httpPort;
    private final int managementPort;
    private final Map<String, String> env;
    private final List<String> jvmOptions;
    private final List<String> commandPrefix;
    private final Path log;
    private Process process;
    private Duration lastStartup;

    ServiceProcess(String name, Path jar, int httpPort, int managementPort, Map<String, String> env,
            List<String> jvmOptions, List<String> commandPrefix, Path log) {
        this.name = name;
        this.jar = jar;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.env = env;
        this.jvmOptions = jvmOptions;
        this.commandPrefix = commandPrefix;
        this.log = log;
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Health, metrics and the fault switches' admin API: the management interface, or the HTTP port without one. */
    public int managementPort() {
        return managementPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Wall time from launching the JVM to /q/health/ready answering 200. */
    public Duration lastStartup() {
        return lastStartup;
    }

    /** Launches the process; the log file is appended to, so a restart keeps the earlier output. */
    public void start() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (mvn verify builds them)");
        }
        List<String> command = new ArrayList<>(commandPrefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        // Under a command prefix (a memory cgroup), output goes through a pipe and this JVM writes the
        // file, as Docker does: the service's log file pages are then not charged to its memory.
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(commandPrefix.isEmpty() ? ProcessBuilder.Redirect.appendTo(log.toFile())
                        : ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(env);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        if (!commandPrefix.isEmpty()) {
            Thread copier = new Thread(() -> copyOutput(process.getInputStream()), name + "-output");
            copier.setDaemon(true);
            copier.start();
        }
    }

    private void copyOutput(InputStream output) {
        try (output; OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            output.transferTo(file);
        } catch (IOException e) {
            // the process ended or the file went away: nothing more to copy
        }
    }

    public void awaitReady(long started, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; its output:\n" + tail(40));
            }
            if (ready()) {
                lastStartup = Duration.ofNanos(System.nanoTime() - started);
                return;
            }
            pause(Duration.ofMillis(100));
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; its output:\n" + tail(40));
    }

    private boolean ready() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(1)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The value of one of the environment variables the process was started with, or null. */
    public String env(String name) {
        return env.get(name);
    }

    /** Kills the process at once (SIGKILL), as the kernel's OOM killer or a crashed host would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Freezes the process (SIGSTOP): its ports still accept connections, but nothing answers. */
    public void freeze() {
        signal("STOP");
    }

    /** Lets a frozen process run again (SIGCONT). */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends SIGTERM, as `docker stop` would, and returns at once; the answer completes when the process
     * has exited, so that several can be asked to stop at the same moment.
     */
    public CompletableFuture<Process> terminate() {
        process.destroy();
        return process.onExit();
    }

    /** Asks the process to stop (SIGTERM), as Ctrl-C or `docker stop` would; kills it if it lingers. */
    public void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        terminate();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    public List<String> lines() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long logSize() {
        try {
            return Files.size(log);
        } catch (IOException e) {
            return 0;
        }
    }

    public String tail(int count) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    /** Resident memory of the process, from /proc. */
    public long rssKib() {
        return procStatus("VmRSS:");
    }

    public long threads() {
        return procStatus("Threads:");
    }

    public long openFileDescriptors() {
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + key + " in /proc/" + pid() + "/status");
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
