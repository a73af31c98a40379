package org.acme.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel cgroup directory made for one test ({@link CpuCgroup}, {@link MemoryCgroup}): under the v1 controller's
 * mount when it is writable, else under the v2 hierarchy; a directory left over from an interrupted run is removed
 * first (which fails if processes remain in it).
 */
record CgroupDir(Path dir, boolean v2) {

    static CgroupDir fresh(Path v1, Path v2, String name, String controller) {
        boolean unified = !Files.isWritable(v1.resolve("cgroup.procs"));
        Path dir = (unified ? v2 : v1).resolve(name);
        try {
            if (Files.isDirectory(dir)) {
                Files.delete(dir);
            }
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + controller + " cgroup " + dir, e);
        }
        return new CgroupDir(dir, unified);
    }
}
