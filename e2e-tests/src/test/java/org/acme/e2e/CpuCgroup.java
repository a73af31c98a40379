package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A kernel CPU cgroup with a CFS quota, the mechanism behind compose's {@code cpus:} ({@code docker run --cpus}):
 * the processes moved into it ({@link #add(long)}, every thread of the process) may use {@code cores} of CPU per
 * 100 ms period, and wait for the next period once they have. cgroup v1 (the cpu controller) or v2 ({@code cpu.max}).
 * Needs root, like {@link MemoryCgroup}. {@link #dir()} is what scripts/cpus writes to through
 * {@code CPU_CGROUP_<SERVICE>}.
 */
public final class CpuCgroup implements AutoCloseable {

    private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    private static final long PERIOD_MICROS = 100_000;

    private final Path dir;
    private final boolean v2;

    private CpuCgroup(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
    }

    /** Why CPU cgroups cannot be made here; empty if they can. */
    public static java.util.Optional<String> unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return java.util.Optional.of("not running as root (user " + System.getProperty("user.name") + ")");
        }
        if (Files.isWritable(V1.resolve("cgroup.procs"))) {
            return java.util.Optional.empty();
        }
        if (Files.isRegularFile(V2.resolve("cgroup.subtree_control")) && read(V2.resolve("cgroup.subtree_control")).contains("cpu")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("no writable cpu cgroup controller under /sys/fs/cgroup");
    }

    /** A new group named {@code name} whose processes may use {@code cores} of CPU. */
    public static CpuCgroup create(String name, double cores) {
        CgroupDir made = CgroupDir.fresh(V1, V2, name, "cpu");
        CpuCgroup group = new CpuCgroup(made.dir(), made.v2());
        group.setCores(cores);
        return group;
    }

    /** Moves a process, every thread of it, into this group. */
    public void add(long pid) {
        write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Sets the allowance. */
    public void setCores(double cores) {
        long quota = Math.round(cores * PERIOD_MICROS);
        if (v2) {
            write(dir.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
        } else {
            write(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            write(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
    }

    /** The allowance now, in cores (what scripts/cpus may have changed). */
    public double cores() {
        if (v2) {
            String[] max = read(dir.resolve("cpu.max")).trim().split("\\s+");
            return max[0].equals("max") ? Double.POSITIVE_INFINITY : Double.parseDouble(max[0]) / Double.parseDouble(max[1]);
        }
        long quota = Long.parseLong(read(dir.resolve("cpu.cfs_quota_us")).trim());
        return quota < 0 ? Double.POSITIVE_INFINITY : (double) quota / Long.parseLong(read(dir.resolve("cpu.cfs_period_us")).trim());
    }

    /** How many periods the group had to wait for the next one, having used its quota, so far. */
    public long throttledPeriods() {
        for (String line : read(dir.resolve("cpu.stat")).split("\n")) {
            if (line.startsWith("nr_throttled ")) {
                return Long.parseLong(line.substring("nr_throttled ".length()).trim());
            }
        }
        return 0;
    }

    public Path dir() {
        return dir;
    }

    /** Moves the group's processes back to the root group, then removes the group. */
    @Override
    public void close() {
        try {
            for (String pid : List.of(read(dir.resolve("cgroup.procs")).split("\n"))) {
                if (!pid.isBlank()) {
                    try {
                        write(dir.getParent().resolve("cgroup.procs"), pid.trim());
                    } catch (UncheckedIOException e) {
                        // the process has exited meanwhile
                    }
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException | UncheckedIOException e) {
            System.out.println("[cpu] could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + file, e);
        }
    }
}
