package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A kernel memory cgroup, the mechanism behind Docker's {@code mem_limit}: a process started
 * through {@link #commandPrefix()} runs under exactly that limit, and the kernel kills it (SIGKILL,
 * no OutOfMemoryError) when it goes over. Works with cgroup v1 (memory controller) and v2.
 * Needs root; {@link #unavailableBecause()} says why it cannot be used elsewhere.
 */
public final class MemoryCgroup implements AutoCloseable {

    private static final Path V1 = Path.of("/sys/fs/cgroup/memory");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final boolean v2;

    private MemoryCgroup(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
    }

    /** Empty when memory cgroups can be made here; otherwise the reason they cannot. */
    public static Optional<String> unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("not running as root (user " + System.getProperty("user.name") + ")");
        }
        if (Files.isWritable(V1.resolve("cgroup.procs"))) {
            return Optional.empty();
        }
        if (Files.isRegularFile(V2.resolve("cgroup.controllers")) && read(V2.resolve("cgroup.controllers")).contains("memory")) {
            return Optional.empty();
        }
        return Optional.of("no writable memory cgroup controller under /sys/fs/cgroup");
    }

    /** A new group named {@code name}, limited to {@code limitBytes} of memory and no swap. */
    public static MemoryCgroup create(String name, long limitBytes) {
        boolean v2 = !Files.isWritable(V1.resolve("cgroup.procs"));
        Path dir = (v2 ? V2 : V1).resolve(name);
        try {
            if (Files.isDirectory(dir)) {
                Files.delete(dir); // left over from an interrupted run; fails if processes remain
            }
            Files.createDirectory(dir);
            if (v2) {
                write(dir.resolve("memory.max"), limitBytes);
                write(dir.resolve("memory.swap.max"), 0);
            } else {
                write(dir.resolve("memory.limit_in_bytes"), limitBytes);
                if (Files.exists(dir.resolve("memory.memsw.limit_in_bytes"))) {
                    write(dir.resolve("memory.memsw.limit_in_bytes"), limitBytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create memory cgroup " + dir, e);
        }
        return new MemoryCgroup(dir, v2);
    }

    /**
     * A command prefix that moves the shell into this group, then execs the real command (given
     * after the prefix as {@code $0 $@}), so the JVM is inside the group from its first byte.
     */
    public List<String> commandPrefix() {
        return List.of("sh", "-c", "echo $$ > " + dir.resolve("cgroup.procs") + " && exec \"$0\" \"$@\"");
    }

    public long limitBytes() {
        return number(v2 ? "memory.max" : "memory.limit_in_bytes");
    }

    /** The highest memory use the kernel charged to the group (page cache included, as for a container). */
    public long peakBytes() {
        return number(v2 ? "memory.peak" : "memory.max_usage_in_bytes");
    }

    /** How many times the kernel's OOM killer killed a process of this group. */
    public long oomKills() {
        String file = v2 ? "memory.events" : "memory.oom_control";
        for (String line : read(dir.resolve(file)).split("\n")) {
            if (line.startsWith("oom_kill ")) {
                return Long.parseLong(line.substring("oom_kill ".length()).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.out.println("[memory] could not remove " + dir + ": " + e.getMessage());
        }
    }

    private long number(String file) {
        return Long.parseLong(read(dir.resolve(file)).trim());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, long value) throws IOException {
        Files.writeString(file, Long.toString(value));
    }
}
