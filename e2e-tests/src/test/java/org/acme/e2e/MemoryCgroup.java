package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A kernel memory cgroup, the mechanism behind Docker's {@code mem_limit}: a process started
 * through {@link #commandPrefix()} runs under exactly that limit, and the kernel kills it (SIGKILL,
 * no OutOfMemoryError) when it goes over. Works with cgroup v1 (memory controller) and v2.
 * Needs root; {@link #unavailableBecause()} says why it cannot be used elsewhere.
 * <p>
 * Three peaks: the kernel's ({@link #peakBytes()}, everything charged, page cache included) and two sampled
 * every 200 ms from creation to {@link #close()} ({@link #peaks()}): the working set, the memory charged
 * less its inactive page cache (what {@code docker stats} shows), and the memory the kernel cannot take
 * back, the memory charged less its page cache (anonymous memory, shared memory and the kernel's own for the
 * group: without swap, what the limit must hold). A group that reached its limit had page cache taken back;
 * its file refaults say how often it had to read such pages again.
 */
public final class MemoryCgroup implements AutoCloseable {

    private static final Path V1 = Path.of("/sys/fs/cgroup/memory");
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    private static final ScheduledExecutorService SAMPLER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "memory-cgroup-sampler");
        thread.setDaemon(true);
        return thread;
    });

    /** The memory of a group at one moment (or the peaks of each figure), and its file refaults so far. */
    public record Usage(long workingSetBytes, long unreclaimableBytes, long fileRefaults) {
    }

    private final Path dir;
    private final boolean v2;
    private Usage peaks = new Usage(0, 0, 0);
    private final ScheduledFuture<?> sampling;

    private MemoryCgroup(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
        this.sampling = SAMPLER.scheduleAtFixedRate(this::sample, 0, 200, TimeUnit.MILLISECONDS);
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
        CgroupDir made = CgroupDir.fresh(V1, V2, name, "memory");
        Path dir = made.dir();
        boolean v2 = made.v2();
        try {
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

    /** The memory the group holds now. */
    public Usage usage() {
        Map<String, Long> stat = new HashMap<>();
        for (String line : read(dir.resolve("memory.stat")).split("\n")) {
            String[] field = line.split(" ");
            if (field.length == 2) {
                stat.put(field[0], Long.parseLong(field[1]));
            }
        }
        // v1's total_* figures count the group with its children; cache and file include shared memory.
        String prefix = v2 ? "" : "total_";
        long charged = number(v2 ? "memory.current" : "memory.usage_in_bytes");
        long pageCache = stat.getOrDefault(v2 ? "file" : "total_cache", 0L) - stat.getOrDefault(prefix + "shmem", 0L);
        return new Usage(charged - stat.getOrDefault(prefix + "inactive_file", 0L), charged - pageCache,
                stat.getOrDefault(prefix + "workingset_refault_file", 0L));
    }

    /** The highest working set and unreclaimable memory sampled so far (every 200 ms, and now), and the file refaults. */
    public synchronized Usage peaks() {
        sample();
        return peaks;
    }

    private synchronized void sample() {
        try {
            Usage now = usage();
            peaks = new Usage(Math.max(peaks.workingSetBytes(), now.workingSetBytes()),
                    Math.max(peaks.unreclaimableBytes(), now.unreclaimableBytes()), now.fileRefaults());
        } catch (UncheckedIOException | NumberFormatException e) {
            // the group is being removed
        }
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
        sampling.cancel(false);
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
