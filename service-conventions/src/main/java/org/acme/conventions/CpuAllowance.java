package org.acme.conventions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The CPU this process may use, in cores, as the kernel enforces it: the CFS quota of its cgroup and of every
 * group above it (cgroup v2 {@code cpu.max}, v1 {@code cpu.cfs_quota_us} over {@code cpu.cfs_period_us}), the
 * smallest of them. That is what compose's {@code cpus:}, {@code docker run --cpus} and a Kubernetes CPU limit set.
 * The JVM's own {@link Runtime#availableProcessors()} rounds such a limit up to whole processors (0.5 becomes 1),
 * too coarse to say how full the allowance is. Without a quota: the processors the JVM sees.
 * <p>
 * The group is found from {@code /proc/self/cgroup}; inside a container, whose cgroup file system is mounted at its
 * own group, a path that does not exist below the mount is looked for at the mount's root.
 */
public final class CpuAllowance {

    private final Path proc;
    private final Path cgroupRoot;

    /** Reads {@code /proc/self/cgroup} and {@code /sys/fs/cgroup}. */
    public CpuAllowance() {
        this(Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));
    }

    CpuAllowance(Path procSelfCgroup, Path cgroupRoot) {
        this.proc = procSelfCgroup;
        this.cgroupRoot = cgroupRoot;
    }

    /** The allowance in cores: the quota when there is one, otherwise the processors the JVM sees. */
    public double cores() {
        return quotaCores().orElse(Runtime.getRuntime().availableProcessors());
    }

    /** The smallest CFS quota over this process's group and its ancestors, in cores; empty without one. */
    public OptionalDouble quotaCores() {
        List<String> lines;
        try {
            lines = Files.readAllLines(proc);
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
        double smallest = Double.POSITIVE_INFINITY;
        for (String line : lines) {
            String[] field = line.split(":", 3);
            if (field.length < 3) {
                continue;
            }
            if (field[0].equals("0") && field[1].isEmpty()) {
                smallest = Math.min(smallest, walk(cgroupRoot, field[2], true));
            } else if (List.of(field[1].split(",")).contains("cpu")) {
                Path mount = Files.isDirectory(cgroupRoot.resolve("cpu")) ? cgroupRoot.resolve("cpu") : cgroupRoot.resolve(field[1]);
                smallest = Math.min(smallest, walk(mount, field[2], false));
            }
        }
        return Double.isInfinite(smallest) ? OptionalDouble.empty() : OptionalDouble.of(smallest);
    }

    /** The smallest quota from the group at {@code path} below {@code mount} up to the mount itself. */
    private static double walk(Path mount, String path, boolean v2) {
        Path group = mount.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
        if (!Files.isDirectory(group) || !group.startsWith(mount)) {
            group = mount; // inside a container: the mount is the container's own group
        }
        double smallest = Double.POSITIVE_INFINITY;
        for (Path dir = group; dir != null && dir.startsWith(mount); dir = dir.getParent()) {
            smallest = Math.min(smallest, v2 ? v2Quota(dir) : v1Quota(dir));
        }
        return smallest;
    }

    private static double v2Quota(Path dir) {
        String[] max = read(dir.resolve("cpu.max")).split("\\s+");
        if (max.length != 2 || max[0].equals("max") || max[0].isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(max[0]) / Double.parseDouble(max[1]);
    }

    private static double v1Quota(Path dir) {
        String quota = read(dir.resolve("cpu.cfs_quota_us"));
        String period = read(dir.resolve("cpu.cfs_period_us"));
        if (quota.isEmpty() || period.isEmpty() || quota.startsWith("-")) {
            return Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(quota) / Double.parseDouble(period);
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).trim() : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
