#!/usr/bin/env python3
"""Where the CPU of a measured load goes, telemetry on vs off, from the profiles of `PROFILE=jfr|async
scripts/benchmark.sh` (target/benchmark/profiles/<load>-<setting>-<round>-<service>.jfr or .collapsed).

Each sample (a thread seen running) is put in one bucket: the library of the frame nearest the running one
that is not the JDK's (telemetry split into span creation, export, log records, JSON log lines, metrics).
A second table counts the samples whose work was telemetry's, by the frame it was done for: walking from
the running frame toward the thread's root past native, JDK, Netty, Vert.x and executor frames, the first
other frame, if it is a telemetry frame. So the exporter's socket writes count, and a tracing interceptor's
wrapped call (the service's own work) does not. Samples per 1 000 requests, so that runs
of different lengths compare, and the difference on - off.

Usage: scripts/benchmark/profile-breakdown.py [DIR] [LOAD] [ROUND] [REQUESTS]
       (defaults: target/benchmark/profiles home 1 10000)
"""
import collections
import glob
import json
import os
import subprocess
import sys

# (bucket, class-name prefixes), telemetry first.
TELEMETRY = [
    ("otel: OTLP export (marshalling, sending)", ("io.opentelemetry.exporter", "io.quarkus.opentelemetry.runtime.exporter")),
    ("otel: batch processors (queue, worker)", ("io.opentelemetry.sdk.trace.export", "io.opentelemetry.sdk.logs.export")),
    ("otel: log records (bridge, SDK)", ("io.opentelemetry.sdk.logs", "io.quarkus.opentelemetry.runtime.logs")),
    ("otel: JDBC instrumentation", ("io.opentelemetry.instrumentation.jdbc",)),
    ("otel: spans (SDK, API, context, Quarkus tracing)", ("io.opentelemetry", "io.quarkus.opentelemetry")),
    ("logging: JSON formatting", ("io.quarkus.logging.json", "org.jboss.logmanager.formatters")),
    ("logging: other (log manager, handlers)", ("org.jboss.logmanager", "org.jboss.logging", "io.quarkus.bootstrap.logging")),
    ("metrics: Micrometer", ("io.micrometer", "io.quarkus.micrometer")),
]
LIBRARIES = [
    ("app: org.acme", ("org.acme",)),
    ("gRPC", ("io.grpc", "io.quarkus.grpc")),
    ("Netty", ("io.netty",)),
    ("Vert.x", ("io.vertx", "io.quarkus.vertx")),
    ("REST (RESTEasy, REST client)", ("org.jboss.resteasy", "io.quarkus.resteasy", "io.quarkus.rest")),
    ("Jackson", ("com.fasterxml.jackson",)),
    ("H2", ("org.h2",)),
    ("Hibernate, Agroal, Narayana", ("org.hibernate", "io.agroal", "com.arjuna", "io.quarkus.narayana", "io.quarkus.hibernate")),
    ("protobuf", ("com.google.protobuf",)),
    ("other Quarkus, SmallRye, Arc", ("io.quarkus", "io.smallrye", "org.jboss")),
]


JDK = ("java.", "jdk.", "sun.", "com.sun.")
# Libraries that carry other code's work (event loops, I/O): work under them is counted as their caller's.
CARRIERS = JDK + ("io.netty", "io.vertx", "io.quarkus.vertx", "org.jboss.threads", "io.smallrye.context")


def is_java(frame):
    # async-profiler names native frames by symbol (PhaseChaitin::Split, do_syscall_64_[k]); Java frames are Class.method.
    return "." in frame and "::" not in frame and not frame.endswith("]") and " " not in frame


def bucket(frames):
    # The library of the frame nearest the running one that is not the JDK's: wrappers near the thread's
    # root (a context-propagating Runnable, a JDBC proxy) do not swallow the work done under them.
    java = [f for f in frames if is_java(f)]
    if not java:
        return "JVM itself (JIT compilers, GC, VM threads; no Java frame)"
    for name in java:
        if name.startswith(JDK):
            continue
        for label, prefixes in TELEMETRY + LIBRARIES:
            if name.startswith(prefixes):
                return label
        return "other libraries"
    return "JDK only"


TELEMETRY_PREFIXES = tuple(p for label, prefixes in TELEMETRY if label.startswith("otel:") for p in prefixes)


def entry_point(frames):
    """The telemetry frame a sample's work was done for, or None: walking from the running frame toward the
    thread's root past native, JDK, Netty, Vert.x and executor frames, the first other frame, if it is telemetry's.
    So the exporter's socket writes count, and a tracing interceptor's wrapped call (the service's own work) does not."""
    for f in frames:
        if not is_java(f) or f.startswith(CARRIERS):
            continue
        return f if f.startswith(TELEMETRY_PREFIXES) else None
    return None


def stacks(path):
    """(frames leaf first as 'package.Class.method', weight) of every sample in a recording."""
    if path.endswith(".collapsed"):
        # async-profiler: "root;...;leaf count" per line; frames as package/Class.method.
        with open(path) as f:
            for line in f:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                yield [fr.replace("/", ".") for fr in reversed(stack.split(";"))], int(count)
        return
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "128", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    for event in json.loads(out)["recording"]["events"]:
        frames = event["values"]["stackTrace"]["frames"] if event["values"].get("stackTrace") else []
        yield [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in frames], 1


def samples(path):
    counts, tops, entries = collections.Counter(), collections.Counter(), collections.Counter()
    for frames, weight in stacks(path):
        counts[bucket(frames)] += weight
        if frames:
            tops[frames[0]] += weight
        entry = entry_point(frames)
        if entry:
            entries[entry] += weight
    return counts, tops, entries


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "target/benchmark/profiles"
    load = sys.argv[2] if len(sys.argv) > 2 else "home"
    round_ = sys.argv[3] if len(sys.argv) > 3 else "1"
    per = 1000 / float(sys.argv[4] if len(sys.argv) > 4 else 10000)
    by_setting = {}
    for setting in ("on", "off"):
        files = sorted(glob.glob(os.path.join(directory, f"{load}-{setting}-{round_}-*.jfr"))
                       + glob.glob(os.path.join(directory, f"{load}-{setting}-{round_}-*.collapsed")))
        if not files:
            sys.exit(f"no {load}-{setting}-{round_}-*.jfr or .collapsed in {directory}")
        counts, tops, entries = collections.Counter(), collections.Counter(), collections.Counter()
        for path in files:
            c, t, e = samples(path)
            service = os.path.basename(path)[len(f"{load}-{setting}-{round_}-"):].rsplit(".", 1)[0]
            counts.update(c)
            tops.update(t)
            entries.update(e)
            counts["(all) " + service] = sum(c.values())
        by_setting[setting] = (counts, tops, entries)
    on, off = by_setting["on"][0], by_setting["off"][0]
    total_on = sum(v for k, v in on.items() if not k.startswith("(all)"))
    total_off = sum(v for k, v in off.items() if not k.startswith("(all)"))
    print(f"Samples per 1 000 requests, load '{load}', round {round_}: on {total_on * per:.0f}, "
          f"off {total_off * per:.0f}, added {(total_on - total_off) * per:.0f}")
    print(f"| bucket | on | off | on - off | share of the added samples |")
    print("|---|---|---|---|---|")
    added = max(total_on - total_off, 1)
    for label in sorted(set(on) | set(off), key=lambda k: (k.startswith("(all)"), -(on[k] - off[k]))):
        share = "" if label.startswith("(all)") else f"{100 * (on[label] - off[label]) / added:.0f}%"
        print(f"| {label} | {on[label] * per:.0f} | {off[label] * per:.0f} | {(on[label] - off[label]) * per:+.0f} | {share} |")
    tops_on, tops_off = by_setting["on"][1], by_setting["off"][1]
    print("\nRunning methods with the most added samples (on - off, per 1 000 requests):")
    for method, _ in sorted(tops_on.items(), key=lambda kv: -(kv[1] - tops_off[kv[0]]))[:15]:
        print(f"  {(tops_on[method] - tops_off[method]) * per:+6.0f}  {method}")
    entries = by_setting["on"][2]
    print(f"\nSamples whose work was telemetry's, telemetry on: {sum(entries.values()) * per:.0f} per 1 000 requests"
          f" ({100 * sum(entries.values()) / max(total_on - total_off, 1):.0f}% of the added samples), by entry point:")
    for frame, count in entries.most_common(25):
        print(f"  {count * per:6.1f}  {frame}")


if __name__ == "__main__":
    main()
