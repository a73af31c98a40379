#!/usr/bin/env python3
"""Where the CPU of a measured load goes, telemetry on vs off, from the JFR recordings of
`PROFILE=1 scripts/benchmark.sh` (target/benchmark/jfr/<load>-<setting>-<round>-<service>.jfr).

Each execution sample (a thread seen running Java code) is put in one bucket: the library of the frame
nearest the running one that is not the JDK's (telemetry split into span creation, export, log records,
JSON log lines, metrics). Samples per 1 000 requests, so that runs of
different lengths compare, and the difference on - off per bucket.

Usage: scripts/benchmark/jfr-breakdown.py [JFR_DIR] [LOAD] [ROUND] [REQUESTS]   (defaults: target/benchmark/jfr home 1 10000)
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


def bucket(frames):
    # The library of the frame nearest the running one that is not the JDK's: wrappers near the thread's
    # root (a context-propagating Runnable, a JDBC proxy) do not swallow the work done under them.
    for f in frames:
        name = f["method"]["type"]["name"].replace("/", ".")
        if name.startswith(("java.", "jdk.", "sun.", "com.sun.")):
            continue
        for label, prefixes in TELEMETRY + LIBRARIES:
            if name.startswith(prefixes):
                return label
        return "other libraries"
    return "JDK only"


def samples(path):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "128", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    tops = collections.Counter()
    for event in json.loads(out)["recording"]["events"]:
        frames = event["values"]["stackTrace"]["frames"] if event["values"].get("stackTrace") else []
        counts[bucket(frames)] += 1
        if frames:
            top = frames[0]["method"]
            tops[top["type"]["name"].replace("/", ".") + "." + top["name"]] += 1
    return counts, tops


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "target/benchmark/jfr"
    load = sys.argv[2] if len(sys.argv) > 2 else "home"
    round_ = sys.argv[3] if len(sys.argv) > 3 else "1"
    per = 1000 / float(sys.argv[4] if len(sys.argv) > 4 else 10000)
    by_setting = {}
    for setting in ("on", "off"):
        files = sorted(glob.glob(os.path.join(directory, f"{load}-{setting}-{round_}-*.jfr")))
        if not files:
            sys.exit(f"no {load}-{setting}-{round_}-*.jfr in {directory}")
        counts, tops = collections.Counter(), collections.Counter()
        for path in files:
            c, t = samples(path)
            service = os.path.basename(path)[len(f"{load}-{setting}-{round_}-"):-len(".jfr")]
            counts.update(c)
            tops.update(t)
            counts["(all) " + service] = sum(c.values())
        by_setting[setting] = (counts, tops)
    on, off = by_setting["on"][0], by_setting["off"][0]
    total_on = sum(v for k, v in on.items() if not k.startswith("(all)"))
    total_off = sum(v for k, v in off.items() if not k.startswith("(all)"))
    print(f"JFR execution samples per 1 000 requests, load '{load}', round {round_}: on {total_on * per:.0f}, "
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


if __name__ == "__main__":
    main()
