#!/usr/bin/env python3
"""Replays the Maven stages of the Dockerfile without Docker, as a first build on a fresh machine runs them,
and proves that the dependency layer holds everything the later steps need.

Each Maven stage (FROM ${MAVEN_IMAGE}, or FROM one of those stages) is replayed in a scratch folder: its
WORKDIR, ENV, ARG, COPY and RUN steps in order, a stage that starts FROM another continuing from a copy of
it. The Maven repository starts empty, as in a fresh image, so the first stage downloads what a first build
downloads; every Maven step after it must run offline (-o) and must succeed. With --rebuild,
the JVM build is then run again after a one-line change to a source file, as a workshop's "add your own
span" rebuild would: also offline, so it downloads nothing (a figure for docs/BENCHMARKS.md; CI leaves it
out, its build step having run the same command offline already). Every step reports the bytes it added to
the repository and its time.

Afterwards every path that another stage copies out of a replayed stage (COPY --from=<stage>) must exist,
and for each application the native preparation must have written native-image.args, for the GraalVM
version of the Mandrel builder pinned in .env (native-sources/graalvm.version), with the classes that need
reflection registered. Base images, apt-get and native-image itself need Docker and are not replayed.

Maven is the version the Maven image pinned in .env holds (plugin defaults differ between Maven versions),
fetched as the apache-maven distribution by the host's own Maven.

Usage: scripts/replay-docker-builds.py [--rebuild]   (from anywhere, after `mvn install`; 6-10 minutes on 2 cores,
about 3 more with --rebuild). CI builds the images with a real engine instead (scripts/check-containers.sh), which
runs the native preparation's checks on what its build of the native-sources stage left:
       scripts/replay-docker-builds.py --check-native-sources DIR   (DIR/build: the stage's /build)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
WORK = os.path.join(ROOT, "target", "docker-replay")
REPO = os.path.join(WORK, "m2")
# The stage the JVM images copy from, rebuilt after a one-line change to this file of its sources.
JVM_BUILD_STAGE = "build"
CHANGED_SOURCE = "gateway-service/src/main/java/org/acme/gateway/HomeResource.java"


def instructions(dockerfile):
    """The Dockerfile as (instruction, arguments) pairs, continuation lines joined."""
    text = open(dockerfile).read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def stages(dockerfile):
    """{stage name: (what it starts FROM, [(instruction, arguments)])}, in the Dockerfile's order."""
    result, current = {}, None
    for word, rest in instructions(dockerfile):
        if word == "FROM":
            words = [w for w in rest.split() if not w.startswith("--platform=")]
            current = words[2] if len(words) == 3 and words[1].upper() == "AS" else "final-%d" % len(result)
            result[current] = (words[0], [])
        elif current is not None:
            result[current][1].append((word, rest))
    return result


def maven_stages(all_stages):
    """The stages that run on the Maven image, directly or through another such stage."""
    replayed = []
    for name, (base, _) in all_stages.items():
        if base == "${MAVEN_IMAGE}" or base in replayed:
            replayed.append(name)
    return replayed


def repository_bytes():
    return sum(os.path.getsize(os.path.join(folder, f)) for folder, _, files in os.walk(REPO) for f in files)


class Replay:
    def __init__(self, all_stages, maven, build_args):
        self.stages, self.maven, self.build_args = all_stages, maven, build_args
        self.envs, self.workdirs, self.steps, self.failures = {}, {}, [], []

    def stage(self, name, root, offline, label=None):
        """Replays one stage into the folder `root` (its filesystem); `offline`: its Maven steps must use -o;
        `label`: how the report names its steps (the stage's name by default)."""
        base, steps = self.stages[name]
        inherited = dict(self.envs.get(base, os.environ))  # a stage inherits ENV and WORKDIR, never ARG values
        env = dict(inherited)
        workdir = os.path.join(root, self.workdirs.get(base, ""))
        for word, rest in steps:
            if word == "ARG":
                arg, _, default = rest.partition("=")
                env[arg] = self.build_args.get(arg, default)
            elif word == "ENV":
                for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', rest):
                    env[key] = inherited[key] = value.strip('"')
            elif word == "WORKDIR":
                self.workdirs[name] = rest.lstrip("/")
                workdir = os.path.join(root, self.workdirs[name])
                os.makedirs(workdir, exist_ok=True)
            elif word == "COPY":
                self.copy(rest, workdir)
            elif word == "RUN":
                self.run(label or name, rest, workdir, env, offline)
            elif word not in ("USER", "EXPOSE", "LABEL"):
                raise SystemExit("cannot replay %s %s" % (word, rest))
        self.envs[name] = inherited
        self.workdirs.setdefault(name, self.workdirs.get(base, ""))
        return env

    @staticmethod
    def copy(rest, workdir):
        if rest.startswith("--"):
            raise SystemExit("unexpected COPY option in a Maven stage: " + rest)
        *sources, dest = rest.split()
        for source in sources:
            target = os.path.join(workdir, dest)
            if dest.endswith("/"):
                os.makedirs(target, exist_ok=True)
                target = os.path.join(target, os.path.basename(source.rstrip("/")))
            origin = os.path.join(ROOT, source)
            if not os.path.exists(origin):
                raise SystemExit("COPY %s: not in the repository" % source)
            if os.path.isdir(origin):
                shutil.copytree(origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("target"))
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(origin, target)

    def run(self, name, command, workdir, env, offline):
        if not command.startswith("mvn "):
            raise SystemExit("cannot replay a RUN that is not Maven: " + command)
        if offline and " -o " not in command:
            self.failures.append("%s: `RUN %s` may download: every Maven step after the dependency layer runs with -o"
                                 % (name, command))
        print("   RUN " + command, flush=True)
        replayed = command.replace("mvn ", "%s -Dmaven.repo.local=%s " % (self.maven, REPO), 1)
        before, started = repository_bytes(), time.monotonic()
        result = subprocess.run(["sh", "-c", replayed], cwd=workdir, env=env)
        seconds, added = time.monotonic() - started, repository_bytes() - before
        print("   -> %s, %.0f s, %s added to the Maven repository" % (
            "ok" if result.returncode == 0 else "FAILED (exit %d)" % result.returncode, seconds, megabytes(added)), flush=True)
        self.steps.append((name, command, added, seconds))
        if result.returncode != 0:
            self.failures.append("%s: `RUN %s` failed%s" % (name, command, " offline: the dependency layer misses something"
                                                            if offline else ""))
        elif offline and added:
            self.failures.append("%s: an offline step added %s to the repository" % (name, megabytes(added)))


def megabytes(count):
    return "%.1f MB" % (count / 1e6)


def copied_out(dockerfile, stage):
    """Paths that other stages copy out of the given stage."""
    paths = []
    for word, rest in instructions(dockerfile):
        if word == "COPY" and re.search(r"--from=%s(\s|$)" % re.escape(stage), rest):
            parts = [p for p in rest.split() if not p.startswith("--")]
            paths.extend(parts[:-1])
    return paths


def env_file():
    """The .env file's variables (the pinned images)."""
    values = {}
    for line in open(os.path.join(ROOT, ".env")):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name] = value
    return values


def compose_build_args():
    """The build arguments compose.yaml passes besides the image names: one DB_KIND for every image."""
    kinds = set(re.findall(r"^\s+DB_KIND: (\S+)$", open(os.path.join(ROOT, "compose.yaml")).read(), re.MULTILINE))
    if len(kinds) != 1:
        raise SystemExit("compose.yaml should pass one DB_KIND to every image, found %s" % sorted(kinds))
    return {"DB_KIND": kinds.pop()}


def image_maven():
    """bin/mvn of the Maven version in the Maven image pinned in .env (maven:3.9.11-… holds Maven 3.9.11)."""
    version = env_file()["MAVEN_IMAGE"].rpartition(":")[2].split("-")[0]
    plugin = re.search(r"<dependency-plugin.version>(.+)</", open(os.path.join(ROOT, "pom.xml")).read()).group(1)
    fetched = subprocess.run(["mvn", "-B", "-q", "org.apache.maven.plugins:maven-dependency-plugin:%s:copy" % plugin,
                              "-Dartifact=org.apache.maven:apache-maven:%s:tar.gz:bin" % version,
                              "-DoutputDirectory=" + WORK], cwd=WORK, capture_output=True, text=True)
    if fetched.returncode != 0:
        raise SystemExit("cannot fetch Maven %s:\n%s%s" % (version, fetched.stdout, fetched.stderr))
    with tarfile.open(os.path.join(WORK, "apache-maven-%s-bin.tar.gz" % version)) as archive:
        archive.extractall(WORK)
    return os.path.join(WORK, "apache-maven-" + version, "bin", "mvn")


def builder_mismatch(sources):
    """Why the Mandrel builder pinned in .env does not match the GraalVM version Quarkus wrote the
    native-image arguments for (native-sources/graalvm.version), or None when they agree."""
    version_file = os.path.join(sources, "graalvm.version")
    if not os.path.exists(version_file):
        return "no native-sources/graalvm.version"
    written = open(version_file).read().strip()
    builder = env_file()["MANDREL_BUILDER_IMAGE"]
    tag = builder.rpartition(":")[2]
    match = re.match(r"jdk-(\d+)", tag)
    if not match:
        return "cannot read a JDK feature version from the builder tag " + tag
    # Mandrel and GraalVM number their releases after the JDK since 25 (25.0.x is JDK 25);
    # Mandrel 23.1 was the JDK 21 line.
    expected_major = {"21": "23"}.get(match.group(1), match.group(1))
    print("   graalvm.version %s, builder %s" % (written, tag))
    if written.split(".")[0] != expected_major:
        return "Quarkus wrote native-image arguments for GraalVM %s, but .env pins the builder %s" % (written, builder)
    return None


# Classes a native image must keep for Jackson although no resource method returns them (Problem is
# only ever a Response entity or a readEntity target): without them it would serialize them as {}.
NATIVE_REFLECTION = ["org.acme.conventions.Problem"]


def native_reflection_missing(sources):
    """The NATIVE_REFLECTION classes that Quarkus' native preparation did not register for reflection:
    registrations are JSON files, loose or under META-INF/native-image/ in the jars it prepared."""
    registered = ""
    for folder, _, files in os.walk(sources):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".json"):
                registered += open(path, encoding="utf-8", errors="replace").read()
            elif name.endswith(".jar"):
                with zipfile.ZipFile(path) as archive:
                    for entry in archive.namelist():
                        if entry.startswith("META-INF/native-image/") and entry.endswith(".json"):
                            registered += archive.read(entry).decode("utf-8", "replace")
    return [c for c in NATIVE_REFLECTION if '"%s"' % c not in registered]


def check_copied_out(replay, name, root):
    for path in copied_out(DOCKERFILE, name):
        found = glob.glob(os.path.join(root, path.lstrip("/")))
        print("   %s %s" % ("ok     " if found else "MISSING", path))
        if not found:
            replay.failures.append("the Dockerfile copies %s out of stage '%s', which did not produce it" % (path, name))


def check_native_sources(replay, root, applications):
    for application in applications:
        sources = os.path.join(root, "build", application, "target/native-sources")
        if not os.path.exists(os.path.join(sources, "native-image.args")):
            replay.failures.append(application + ": no native-image.args for the Mandrel stage")
        problem = builder_mismatch(sources)
        if problem:
            replay.failures.append(application + ": " + problem)
        missing = native_reflection_missing(sources)
        print("   %s %s: reflection for %s" % ("MISSING" if missing else "ok     ", application, ", ".join(NATIVE_REFLECTION)))
        if missing:
            replay.failures.append("%s: not registered for reflection in the native image: %s" % (application, missing))


def rebuild_after_a_change(replay, all_stages):
    """The JVM build stage again, from its parent stage's files with one line added to a source file."""
    parent = all_stages[JVM_BUILD_STAGE][0]
    root = os.path.join(WORK, "rebuild")
    shutil.copytree(os.path.join(WORK, parent), root, symlinks=True)
    with open(os.path.join(root, "build", CHANGED_SOURCE), "a") as source:
        source.write("// A one-line change, as a learner makes one: the replay's rebuild\n")
    print("== rebuild: stage '%s' after a one-line change to %s" % (JVM_BUILD_STAGE, CHANGED_SOURCE), flush=True)
    replay.stage(JVM_BUILD_STAGE, root, offline=True, label="rebuild")


def summary(replay):
    print("\n== Bytes each step added to the local Maven repository (MB = 10^6 bytes), and its time")
    for name, command, added, seconds in replay.steps:
        print("   %-15s %9s %6.0f s   %s" % (name, megabytes(added), seconds, command[:90]))
    first = [(added, seconds) for name, _, added, seconds in replay.steps if name in ("dependencies", JVM_BUILD_STAGE)]
    print("   first build of every JVM image (dependencies + %s): %s, %.0f s" % (
        JVM_BUILD_STAGE, megabytes(sum(a for a, _ in first)), sum(s for _, s in first)))


def check_built_native_sources(root):
    """The native preparation's checks on what a real build of the native-sources stage left (its /build copied to
    root/build by scripts/check-containers.sh)."""
    class Failures:
        failures = []
    print("== the native-sources stage, built by the container engine: %s" % root)
    check_native_sources(Failures, root, env_file_applications())
    if Failures.failures:
        print("\n".join(Failures.failures))
        sys.exit(1)
    print("native preparation checked: native-image.args for the pinned builder, reflection registered")


def env_file_applications():
    """The APPLICATIONS the Dockerfile's dependency stage lists."""
    for name, (base, steps) in stages(DOCKERFILE).items():
        for word, rest in steps:
            if word == "ENV" and rest.startswith("APPLICATIONS="):
                return rest.split("=", 1)[1].split(",")
    sys.exit("the Dockerfile sets no APPLICATIONS")


def main():
    if sys.argv[1:2] == ["--check-native-sources"]:
        check_built_native_sources(os.path.abspath(sys.argv[2]))
        return
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(REPO)
    maven = image_maven()
    all_stages = stages(DOCKERFILE)
    replay = Replay(all_stages, maven, compose_build_args())
    replayed = maven_stages(all_stages)
    print("Maven %s; build arguments %s; repository %s (empty)" % (maven, replay.build_args, REPO), flush=True)
    for name in replayed:
        base = all_stages[name][0]
        root = os.path.join(WORK, name)
        if base in replayed:
            shutil.copytree(os.path.join(WORK, base), root, symlinks=True)
        else:
            os.makedirs(root)
        print("== stage '%s' (FROM %s)" % (name, base), flush=True)
        env = replay.stage(name, root, offline=base in replayed)
        check_copied_out(replay, name, root)
        if re.search(r"-Dnative\b", " ".join(r for w, r in all_stages[name][1] if w == "RUN")):
            check_native_sources(replay, root, env["APPLICATIONS"].split(","))
    if "--rebuild" in sys.argv[1:]:
        rebuild_after_a_change(replay, all_stages)
    summary(replay)
    if replay.failures:
        print("\n".join(replay.failures))
        sys.exit(1)
    print("Docker build stages replayed: the dependency layer is complete (every later Maven step ran offline), "
          "and every path another stage copies exists")


if __name__ == "__main__":
    main()
