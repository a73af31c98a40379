#!/usr/bin/env python3
"""Replays the Maven stages of every service's Dockerfile.jvm and Dockerfile.native without Docker.

Each stage's WORKDIR, COPY and RUN steps run in a scratch folder, in order, against a Maven
repository that holds nothing of this project (as in a fresh image); then every path that the
next stage copies out of it (COPY --from=<stage>) must exist. This catches a Dockerfile that
copies what the build does not produce, or a RUN that cannot work from the files copied so far.
Base images, apt-get and native-image itself need Docker and are not replayed; instead, the
GraalVM version Quarkus wrote the native arguments for (native-sources/graalvm.version) must match
the Mandrel builder pinned in .env.

Usage: scripts/replay-docker-builds.py   (from anywhere; CI runs it after `mvn verify`)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WORK = os.path.join(ROOT, "target", "docker-replay")
REPO = os.path.join(WORK, "m2")
SERVICES = ["user-service", "video-service", "recommend-service", "gateway-service", "traffic-generator"]
# Build arguments compose passes (compose.yaml): the data services are built for PostgreSQL.
BUILD_ARGS = {"user-service": {"DB_KIND": "postgresql"}, "video-service": {"DB_KIND": "postgresql"}}


def instructions(dockerfile):
    """The Dockerfile as (instruction, arguments) pairs, continuation lines joined."""
    text = open(dockerfile).read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


def stages(dockerfile):
    """{stage name: [(instruction, arguments)]} for the stages that have a name."""
    result, current = {}, None
    for word, rest in instructions(dockerfile):
        if word == "FROM":
            match = re.search(r"\bAS\s+(\S+)", rest, re.IGNORECASE)
            current = match.group(1) if match else "final-%d" % len(result)
            result[current] = []
        elif current is not None:
            result[current].append((word, rest))
    return result


def replay_stage(steps, scratch, args):
    workdir = scratch
    env = dict(os.environ)
    for word, rest in steps:
        if word == "ARG":
            name, _, default = rest.partition("=")
            env[name] = args.get(name, default)
        elif word == "WORKDIR":
            workdir = os.path.join(scratch, rest.lstrip("/"))
            os.makedirs(workdir, exist_ok=True)
        elif word == "COPY":
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
                    shutil.copytree(origin, target, dirs_exist_ok=True,
                                    ignore=shutil.ignore_patterns("target"))
                else:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy2(origin, target)
        elif word == "RUN":
            command = re.sub(r"\$\{(\w+)}", lambda m: env.get(m.group(1), ""), rest)
            command = command.replace("mvn ", "mvn -Dmaven.repo.local=%s " % REPO, 1)
            print("   RUN " + command, flush=True)
            subprocess.run(["sh", "-c", command], cwd=workdir, env=env, check=True)
        elif word in ("ENV", "USER", "EXPOSE", "LABEL"):
            pass
        else:
            raise SystemExit("cannot replay %s %s" % (word, rest))


def copied_out(dockerfile, stage):
    """Paths that later stages copy out of the given stage."""
    paths = []
    for word, rest in instructions(dockerfile):
        if word == "COPY" and re.search(r"--from=%s\b" % re.escape(stage), rest):
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


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    # A repository without this project's artifacts, as a fresh image has; hard links keep it cheap.
    home_repo = os.path.expanduser("~/.m2/repository")
    if os.path.isdir(home_repo):
        subprocess.run(["cp", "-al", home_repo, REPO], check=True)
    os.makedirs(REPO, exist_ok=True)
    shutil.rmtree(os.path.join(REPO, "org", "acme"), ignore_errors=True)

    failures = []
    for service in SERVICES:
        for kind, stage in (("jvm", "build"), ("native", "sources")):
            dockerfile = os.path.join(ROOT, service, "src/main/docker/Dockerfile." + kind)
            scratch = os.path.join(WORK, "%s-%s" % (service, kind))
            os.makedirs(scratch)
            print("== %s: stage '%s' of Dockerfile.%s" % (service, stage, kind), flush=True)
            replay_stage(stages(dockerfile)[stage], scratch, BUILD_ARGS.get(service, {}))
            for path in copied_out(dockerfile, stage):
                found = glob.glob(os.path.join(scratch, path.lstrip("/")))
                print("   %s %s" % ("ok     " if found else "MISSING", path))
                if not found:
                    failures.append("%s Dockerfile.%s copies %s, which the build did not produce" % (service, kind, path))
            if kind == "native":
                sources = os.path.join(scratch, "build", service, "target/native-sources")
                if not os.path.exists(os.path.join(sources, "native-image.args")):
                    failures.append(service + ": no native-image.args for the Mandrel stage")
                problem = builder_mismatch(sources)
                if problem:
                    failures.append(service + ": " + problem)
                missing = native_reflection_missing(sources)
                print("   %s reflection for %s" % ("MISSING" if missing else "ok     ", ", ".join(NATIVE_REFLECTION)))
                if missing:
                    failures.append("%s: not registered for reflection in the native image: %s" % (service, missing))
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("Docker build stages replayed: every path the next stage copies exists")


if __name__ == "__main__":
    main()
