package org.acme.conventions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuAllowanceTest {

    @TempDir
    Path root;

    @Test
    void v1_a_group_of_its_own_with_half_a_core() throws IOException {
        write("proc", "4:memory:/site/video\n3:cpu,cpuacct:/site/video\n0::/\n");
        v1("cpu/site/video", "50000", "100000");
        assertEquals(0.5, allowance().cores(), 1e-9);
    }

    @Test
    void v1_the_smallest_quota_on_the_way_up_wins() throws IOException {
        write("proc", "2:cpu:/site/video\n");
        v1("cpu/site/video", "-1", "100000");
        v1("cpu/site", "25000", "100000");
        v1("cpu", "-1", "100000");
        assertEquals(0.25, allowance().cores(), 1e-9);
    }

    @Test
    void v1_inside_a_container_the_mount_is_its_own_group() throws IOException {
        write("proc", "2:cpu:/docker/0123abcd\n");
        v1("cpu", "150000", "100000");
        assertEquals(1.5, allowance().cores(), 1e-9);
    }

    @Test
    void v2_cpu_max() throws IOException {
        write("proc", "0::/system.slice/video.scope\n");
        write("sys/system.slice/video.scope/cpu.max", "max 100000\n");
        write("sys/system.slice/cpu.max", "75000 100000\n");
        assertEquals(0.75, allowance().cores(), 1e-9);
    }

    @Test
    void no_quota_anywhere_is_the_processors_the_jvm_sees() throws IOException {
        write("proc", "0::/\n");
        write("sys/cpu.max", "max 100000\n");
        assertTrue(allowance().quotaCores().isEmpty());
        assertEquals(Runtime.getRuntime().availableProcessors(), allowance().cores(), 1e-9);
    }

    @Test
    void no_cgroup_file_system_at_all() {
        assertTrue(new CpuAllowance(root.resolve("missing"), root.resolve("missing-too")).quotaCores().isEmpty());
    }

    private CpuAllowance allowance() {
        return new CpuAllowance(root.resolve("proc"), root.resolve("sys"));
    }

    private void v1(String dir, String quota, String period) throws IOException {
        write("sys/" + dir + "/cpu.cfs_quota_us", quota + "\n");
        write("sys/" + dir + "/cpu.cfs_period_us", period + "\n");
    }

    private void write(String file, String content) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }
}
