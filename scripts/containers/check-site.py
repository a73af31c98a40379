#!/usr/bin/env python3
"""Checks the site's part of compose.yaml once it runs in containers (scripts/check-containers.sh starts it).

1. Every container runs, started once (no restart hid a crash), and is healthy; how long each application took from its
   container's start to its first ready answer is printed, and the four services' time to ready after the databases.
2. The site answers: home pages until ten in a row are 200 (the time that took after every container was healthy is
   printed: a cold user-service at 0.15 cores answers late for a while).
3. scripts/check-stack.py's steps that need no Jaeger, Loki or Grafana: site, targets, exemplars, pipeline, alerts.
4. The signature request's trace reached the Collector's place (the tests' OTLP receiver) from all four services.
5. Memory under load: the generator at its most (125 requests/s: lab 2's surge, ×5) for LOAD_SECONDS. With
   LOAD_WORKERS=16, the memory test's request mix from 16 workers on top, as MemoryLimitsIT adds it: far beyond
   what user-service's 0.15 cores serve. Before compose capped user-service's worker pool at 32 threads, its pool
   grew under the surge until its heap ran out (the JVM exited and compose restarted it: docs/BENCHMARKS.md); the
   default load is the surge. Each container's memory cgroup is read every 250 ms: the memory it cannot give back (charged
   memory less page cache, shared memory kept) must leave 15 % of its mem_limit free, the rule of MemoryLimitsIT and
   scripts/check-postgresql.sh, and no container may be OOM-killed (the kernel's count in the cgroup, and
   `podman inspect`'s OOMKilled). `docker stats`' figure (charged memory less inactive page cache) is printed beside.
   Then the memory test's hostile gRPC client at each gRPC server (2 000 calls at once on one connection), still
   inside the measurement: each call answered or refused, the server alive and answering afterwards.
6. The traffic generator's journeys ran: every step (home, watch, heartbeat, upload) succeeded at least once.

Usage: scripts/containers/check-site.py --watch-ready FILE    (beside `docker compose up`: when each application is ready)
       scripts/containers/check-site.py FILE PROJECT SERVICE...   (then: compose's project name, the containers' services)
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ["gateway-service", "user-service", "video-service", "recommend-service"]
APPLICATIONS = SERVICES + ["traffic-generator"]
SITE = "http://127.0.0.1:8080"
RECEIVER = "http://127.0.0.1:4318"
GENERATOR = "http://127.0.0.1:8084"
HEADROOM = 0.15
# The Collector's stand-in is the tests' OTLP receiver, not the Collector: its memory says nothing of the Collector's
# (docs/IMAGES.md gives the evidence for that limit). It must still neither restart nor be killed. The databases,
# Prometheus and Alertmanager stand-ins are held to the rule: they are Debian's builds, the very programs their
# limits were measured on (scripts/check-postgresql.sh, docs/BENCHMARKS.md), not the pinned images' versions.
NOT_MEASURED = {"otel-collector"}
LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
# The memory test's request mix from this many workers on top of the generator (LOAD_WORKERS=16 is MemoryLimitsIT's
# load): off by default, see the docstring.
LOAD_WORKERS = int(os.environ.get("LOAD_WORKERS", "0"))
failures = []


def check(ok, step, detail):
    print("%s %-10s %s" % ("PASS" if ok else "FAIL", step, detail), flush=True)
    if not ok:
        failures.append(step)
    return ok


def http(method, url, body=None, timeout=10):
    """(status, body text, headers); status 0 when nothing answered."""
    request = urllib.request.Request(url, method=method, data=body.encode() if body else None,
                                     headers={"Content-Type": "application/json"} if body else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), e.headers
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e), {}


def podman(*args):
    return subprocess.run(["podman", *args], check=True, capture_output=True, text=True).stdout


def containers(project, services):
    """service → podman inspect of its container."""
    found = {}
    for service in services:
        ids = podman("ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + project,
                     "--filter", "label=com.docker.compose.service=" + service).split()
        if len(ids) != 1:
            sys.exit("%s: %d containers" % (service, len(ids)))
        found[service] = json.loads(podman("inspect", ids[0]))[0]
    return found


def seconds(timestamp):
    """Podman's RFC 3339 time with nanoseconds and a zone name, as seconds since the epoch."""
    from datetime import datetime
    stamp = timestamp.split(" +")[0] if " +" in timestamp else timestamp
    date, _, fraction = stamp.replace("T", " ").partition(".")
    fraction = "".join(ch for ch in fraction if ch.isdigit())[:6] or "0"
    zone = timestamp.split(" ")[2] if timestamp.count(" ") >= 2 else "+0000"
    return datetime.strptime(date[:19] + "." + fraction + " " + zone, "%Y-%m-%d %H:%M:%S.%f %z").timestamp()


READY_URLS = {"gateway-service": "http://127.0.0.1:9000/q/health/ready", "user-service": "http://127.0.0.1:8081/q/health/ready",
              "video-service": "http://127.0.0.1:8082/q/health/ready", "recommend-service": "http://127.0.0.1:8083/q/health/ready",
              "traffic-generator": "http://127.0.0.1:8084/q/health/ready"}


def watch_ready(out):
    """Run beside `docker compose up`: when each application first answers its readiness check on its published port
    (polled every 200 ms, finer than compose's 5 s healthcheck interval), written to out as JSON."""
    ready, deadline = {}, time.monotonic() + 600
    while len(ready) < len(READY_URLS) and time.monotonic() < deadline:
        for service, url in READY_URLS.items():
            if service not in ready and http("GET", url, timeout=1)[0] == 200:
                ready[service] = time.time()
                with open(out + ".new", "w") as f:
                    json.dump(ready, f)
                os.replace(out + ".new", out)
        time.sleep(0.2)


def started_and_healthy(project, services, ready):
    """Every container runs, was never restarted and passed its healthcheck; each application's time from its
    container's start to its first ready answer (ready: service → epoch seconds, from watch_ready)."""
    info = containers(project, services)
    for service, c in info.items():
        state = c["State"]
        restarts = c.get("RestartCount", 0)
        health = (state.get("Health") or state.get("Healthcheck") or {}).get("Status")
        has_check = bool(c["Config"].get("Healthcheck"))
        took = ", ready %.1f s after its start" % (ready[service] - seconds(state["StartedAt"])) if service in ready else ""
        check(state["Running"] and restarts == 0 and (not has_check or health == "healthy"), "started",
              "%-18s running=%s restarts=%d health=%s%s" % (service, state["Running"], restarts,
                                                        health if has_check else "(no healthcheck)", took))
    databases_healthy = min(seconds(info[s]["State"]["StartedAt"]) for s in ("user-service", "video-service"))
    if all(s in ready for s in SERVICES):
        print("the four services ready %.1f s after the databases were healthy (when compose started the services "
              "that wait for them); the slowest: %s" % (max(ready[s] for s in SERVICES) - databases_healthy,
                                                         max(SERVICES, key=lambda s: ready[s])), flush=True)
    return info


def site_answers(all_healthy_at):
    streak, deadline, statuses = 0, time.monotonic() + 240, {}
    while streak < 10 and time.monotonic() < deadline:
        status, _, _ = http("GET", SITE + "/api/home?userId=%d" % (streak % 40 + 1), timeout=15)
        statuses[status] = statuses.get(status, 0) + 1
        streak = streak + 1 if status == 200 else 0
        if status != 200:
            time.sleep(0.5)
    check(streak >= 10, "site", "ten home pages in a row answered 200 %.0f s after `up --wait` returned "
          "(answers on the way: %s)" % (time.time() - all_healthy_at, statuses))


def load_check_stack():
    """scripts/check-stack.py as a module: its site check, and its poll()."""
    spec = importlib.util.spec_from_file_location("check_stack", os.path.join(ROOT, "scripts", "check-stack.py"))
    check_stack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_stack)
    return check_stack


def trace_reaches_receiver():
    """scripts/check-stack.py's signature request (a home page whose feed is computed), its trace at the receiver
    (which keeps a trace whole while its spans arrive: OtlpReceiver.forgetKept)."""
    check_stack = load_check_stack()
    trace_id = check_stack.check_site(argparse.Namespace(site=SITE), check_stack.Report())

    def at_receiver():
        status, body, _ = http("GET", RECEIVER + "/traces/" + trace_id)
        answer = json.loads(body) if status == 200 else {"error": body[:200]}
        return set(SERVICES) <= set(answer.get("services", [])), answer
    ok, answer = check_stack.poll(at_receiver, 30) if trace_id is not None else (False, {})
    check(ok, "trace", "trace %s at the Collector's stand-in: %s" % (trace_id, answer))


JOURNEY_STEPS = ("home", "watch", "heartbeat", "upload")


def journeys():
    """Every step of the generator's journeys succeeded at least once. Asked until it holds or 90 s pass: after the
    surge (the generator back at 4 requests/s) the site recovers, and uploads, the rarest step, go through again."""
    def succeeded_by_step():
        status, body, _ = http("GET", GENERATOR + "/q/metrics")
        succeeded = {}
        for line in body.splitlines() if status == 200 else []:
            if line.startswith("app_traffic_requests_total{") and 'outcome="success"' in line:
                step = line.split('step="', 1)[1].split('"', 1)[0]
                # name{labels} value [# {exemplar labels} value timestamp]
                succeeded[step] = succeeded.get(step, 0) + float(line.split("} ", 1)[1].split()[0])
        return all(succeeded.get(step) for step in JOURNEY_STEPS), succeeded
    _, succeeded = load_check_stack().poll(succeeded_by_step, 90)
    missing = [step for step in JOURNEY_STEPS if not succeeded.get(step)]
    check(not missing, "journeys", "the generator's successful requests by step: %s%s" % (
        {k: int(v) for k, v in sorted(succeeded.items())}, "; none for " + ", ".join(missing) if missing else ""))


def memory_group(container):
    """The container's memory cgroup directory (cgroup v1 with cgroupfs, or v2)."""
    pid = container["State"]["Pid"]
    for line in open("/proc/%d/cgroup" % pid):
        _, controllers, path = line.rstrip("\n").split(":", 2)
        if controllers == "" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            return "/sys/fs/cgroup" + path, True
        if "memory" in controllers.split(","):
            return "/sys/fs/cgroup/memory" + path, False
    sys.exit("no memory cgroup for pid %d" % pid)


class Sampler(threading.Thread):
    def __init__(self, project, info):
        super().__init__(daemon=True)
        self.project = project
        self.groups = {service: memory_group(c) if c["State"]["Pid"] else ("/nonexistent", False) for service, c in info.items()}
        self.peak = {service: {"unreclaimable": 0, "stats": 0} for service in info}
        self.oom_kills_before_restarts = {service: 0 for service in info}
        self.samples = {service: 0 for service in info}
        self.error = None
        self.stop = threading.Event()

    def read(self, service):
        group, v2 = self.groups[service]
        usage = int(open(os.path.join(group, "memory.current" if v2 else "memory.usage_in_bytes")).read())
        stat = dict(line.split() for line in open(os.path.join(group, "memory.stat")))
        prefix = "" if v2 else "total_"
        cache = int(stat["file" if v2 else "total_cache"])
        shmem = int(stat[prefix + "shmem"])
        return usage - (cache - shmem), usage - int(stat[prefix + "inactive_file"])

    def oom_kills(self, service):
        group, v2 = self.groups[service]
        name = "memory.events" if v2 else "memory.oom_control"
        for line in open(os.path.join(group, name)):
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def run(self):
        try:
            self.sample()
        except Exception as e:  # a sampler that died must fail the check, not leave every peak at 0
            self.error = repr(e)

    def sample(self):
        while not self.stop.is_set():
            for service in self.groups:
                try:
                    unreclaimable, stats = self.read(service)
                except (FileNotFoundError, ProcessLookupError, ValueError):
                    # The container was restarted (a new cgroup) or is down: keep its kills, follow the new one.
                    try:
                        self.oom_kills_before_restarts[service] += self.oom_kills(service)
                    except OSError:
                        pass
                    try:
                        self.groups[service] = memory_group(containers(self.project, [service])[service])
                    except (OSError, SystemExit, subprocess.CalledProcessError):
                        pass
                    continue
                self.samples[service] += 1
                peak = self.peak[service]
                peak["unreclaimable"] = max(peak["unreclaimable"], unreclaimable)
                peak["stats"] = max(peak["stats"], stats)
            self.stop.wait(0.25)


def mixed_call(i):
    """The memory test's request mix (e2e Traffic.withUploads)."""
    user = i % 40 + 1
    kind = i % 20
    if kind < 8:
        return "GET", SITE + "/api/home?userId=%d" % user, None
    if kind < 13:
        return "GET", SITE + "/api/videos/%d?userId=%d" % (i % 300 + 1, user), None
    if kind < 18:
        page = ["home", "video", "upload", "profile", "search"][i % 5]
        return "POST", SITE + "/api/users/%d/heartbeat?page=%s" % (user, page), None
    if kind == 18:
        return "POST", SITE + "/api/videos", json.dumps({"title": "Container load upload %d" % i, "durationSeconds": 30 + i % 600,
                                                         "sizeBytes": 1000000 + i, "uploaderId": user, "category": "Tech"})
    return "POST", SITE + "/api/videos", json.dumps({"title": "", "durationSeconds": 0, "sizeBytes": 1, "uploaderId": user})


def load(seconds):
    statuses, lock, counter = {}, threading.Lock(), iter(range(10**9))
    end = time.monotonic() + seconds

    def worker():
        while time.monotonic() < end:
            with lock:
                i = next(counter)
            status, _, _ = http(*mixed_call(i), timeout=10)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
    workers = [threading.Thread(target=worker) for _ in range(LOAD_WORKERS)]
    for w in workers:
        w.start()
    time.sleep(max(0.0, end - time.monotonic()))  # the generator's surge goes on for the whole time, workers or not
    for w in workers:
        w.join()
    return statuses


def grpc_flood(port, server):
    """The memory test's hostile gRPC client (e2e GrpcFlood): 2 000 calls at once on one connection to the server's
    published port; each is answered, refused as too many (RESOURCE_EXHAUSTED) or outlasts the client's own 30 s
    deadline (DEADLINE_EXCEEDED: held to its CPU allowance while the surge runs, a server may not get through 2 000
    calls in 30 s; that is the client's bound, not the server's failure), some are served, and a call made alone
    afterwards is answered."""
    receiver = os.path.join(ROOT, "e2e-tests", "target", "otlp-receiver-stand-in")
    try:
        run = subprocess.run(["java", "-cp", receiver + "/classes:" + receiver + "/lib/*", "org.acme.e2e.GrpcFlood", str(port), server],
                             capture_output=True, text=True, timeout=120)
        line = (run.stdout.strip().splitlines() or [run.stderr.strip()[-300:]])[-1]
    except subprocess.TimeoutExpired:
        run, line = None, "no end within 120 s"
    try:
        codes = dict(part.split("=") for part in line.split("{", 1)[1].split("}", 1)[0].split(", ")) if line.startswith("flood {") else {}
    except ValueError:
        codes = {}
    answered = sum(int(codes.get(code, 0)) for code in ("OK", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"))
    check(run is not None and run.returncode == 0 and answered == 2000 and int(codes.get("OK", 0)) > 0 and line.endswith("after OK"), "grpc",
          "%s-service on %d, 2000 calls at once on one connection: %s" % (server, port, line))


def memory(project, services):
    info = containers(project, services)
    limits = {service: c["HostConfig"]["Memory"] for service, c in info.items()}
    sampler = Sampler(project, info)
    sampler.start()
    status, body, _ = http("PUT", GENERATOR + "/admin/traffic/rate", json.dumps({"requestsPerSecond": 125}))
    check(status == 200, "load", "traffic generator at 125 requests/s: %s %s" % (status, body[:120]))
    statuses = load(LOAD_SECONDS)
    generator = http("GET", GENERATOR + "/admin/traffic")[1]
    http("PUT", GENERATOR + "/admin/traffic/rate", json.dumps({"requestsPerSecond": 4}))
    print("load: %d requests of the memory test's mix from %d workers in %d s, answers %s; the generator: %s" % (
        sum(statuses.values()), LOAD_WORKERS, LOAD_SECONDS, dict(sorted(statuses.items())), generator[:200]), flush=True)
    for port, server in ((9082, "video"), (9083, "recommend")):
        grpc_flood(port, server)
    sampler.stop.set()
    sampler.join()
    unsampled = [service for service in services if sampler.samples[service] < 10]
    check(sampler.error is None and not unsampled, "memory", "the cgroups were read every 250 ms: %s samples%s%s" % (
        min(sampler.samples.values()), "; never or hardly read: " + ", ".join(unsampled) if unsampled else "",
        "; the sampler failed: " + sampler.error if sampler.error else ""))
    after = containers(project, services)
    print("%-18s %9s %14s %9s %13s %s" % ("container", "limit", "unreclaimable", "headroom", "docker stats", "OOM kills"))
    for service in services:
        limit = limits[service]
        measured = service not in NOT_MEASURED
        peak = sampler.peak[service]
        try:
            kills = sampler.oom_kills(service) + sampler.oom_kills_before_restarts[service]
        except OSError:
            kills = sampler.oom_kills_before_restarts[service]
        killed = after[service]["State"].get("OOMKilled", False)
        headroom = 1 - peak["unreclaimable"] / limit if limit else 0
        print("%-18s %6.0f MiB %10.1f MiB %8.1f %% %9.1f MiB %d%s" % (service, limit / 2**20, peak["unreclaimable"] / 2**20,
              headroom * 100, peak["stats"] / 2**20, kills, " (OOMKilled)" if killed else ""), flush=True)
        check(limit > 0 and (headroom >= HEADROOM or not measured) and kills == 0 and not killed
              and after[service]["State"]["Running"] and after[service].get("RestartCount", 0) == 0, "memory",
              "%s: peak %.1f of %.0f MiB, %.0f %% free (%s), %d OOM kills, restarts %d" % (
                  service, peak["unreclaimable"] / 2**20, limit / 2**20, headroom * 100,
                  "at least %.0f %% required" % (HEADROOM * 100) if measured else "a stand-in: not the program compose runs", kills,
                  after[service].get("RestartCount", 0)))


def main():
    if sys.argv[1] == "--watch-ready":
        watch_ready(sys.argv[2])
        return
    ready_file, project, services = sys.argv[1], sys.argv[2], sys.argv[3:]
    ready = json.load(open(ready_file)) if os.path.exists(ready_file) else {}
    started_and_healthy(project, services, ready)
    all_healthy_at = time.time()
    site_answers(all_healthy_at)
    stack = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "check-stack.py"), "--skip", "jaeger,loki,grafana",
                            "--jobs", ",".join(APPLICATIONS), "--wait", "120"])
    check(stack.returncode == 0, "stack", "scripts/check-stack.py --skip jaeger,loki,grafana (exit %d)" % stack.returncode)
    trace_reaches_receiver()
    memory(project, services)
    journeys()
    if failures:
        print("container check: %d failure(s): %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)
    print("container check passed")


if __name__ == "__main__":
    main()
