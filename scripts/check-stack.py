#!/usr/bin/env python3
"""Checks a running video-site stack end to end, the way a trainer would before a workshop.

Sends the signature request (GET /api/home for a user whose feed is not cached, so that it crosses all four
services), then asks each backend through its own HTTP API whether that request's telemetry arrived: Jaeger holds the trace with spans from all four services,
Loki holds log lines of that trace from at least two services, Prometheus sees every target up and
an exemplar on the home page's latency, every service delivered its spans to the Collector over the
last five minutes without dropping any (the pipeline: their telemetry_* counters), Prometheus has the
stack's alert rules loaded and an Alertmanager that is ready, Grafana is healthy with its four datasources and the
dashboard provisioned. One line per step, PASS or FAIL, and on failure what to look at.

Usage (against `docker compose up`; defaults are the compose stack's published ports):
  scripts/check-stack.py
  scripts/check-stack.py --skip grafana,loki          # steps: site jaeger loki targets exemplars pipeline alerts grafana
  scripts/check-stack.py --jobs gateway-service,user-service   # only these Prometheus jobs must be up
Exit status: 0 when every step that ran passed. Needs Python 3 only.
"""
import argparse
import glob
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SERVICES = ["gateway-service", "user-service", "video-service", "recommend-service"]
STEPS = ["site", "jaeger", "loki", "targets", "exemplars", "pipeline", "alerts", "grafana"]


def get(url, timeout=5):
    """(status, parsed JSON or text, headers) of a GET; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=timeout) as response:
            body = response.read().decode()
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as e:
        body, status, headers = e.read().decode(errors="replace"), e.code, e.headers
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e), {}
    try:
        return status, json.loads(body), headers
    except ValueError:
        return status, body, headers


def poll(check, deadline_s):
    """Calls check() until it returns (True, detail) or the deadline passes; returns its last answer."""
    deadline = time.monotonic() + deadline_s
    while True:
        ok, detail = check()
        if ok or time.monotonic() >= deadline:
            return ok, detail
        time.sleep(1)


class Report:
    def __init__(self):
        self.failed = 0

    def line(self, ok, step, detail, hint=""):
        print("%s %-10s %s" % ("PASS" if ok else "FAIL", step, detail), flush=True)
        if not ok:
            self.failed += 1
            if hint:
                print("     look at: " + hint, flush=True)
        return ok

    def skip(self, step, why):
        print("SKIP %-10s %s" % (step, why), flush=True)


def check_site(args, report):
    """The signature request: a home page whose feed recommend-service computes (not from its one-minute cache), so
    that it crosses all four services. With the traffic generator on, a user's feed is usually cached: the request goes
    out for users 1, 2, ... until an answer says "feedFromCache": false (40 demo users)."""
    tried = []
    for user in range(1, 41):
        status, body, headers = get(args.site + "/api/home?userId=%d" % user, timeout=15)
        trace_id = headers.get("X-Trace-Id") if headers else None
        tried.append(status)
        if status != 200 or not trace_id:
            break
        if isinstance(body, dict) and body.get("feedFromCache") is False:
            report.line(True, "site", "GET /api/home?userId=%d → 200, feed computed (not cached), trace id %s%s" % (
                user, trace_id, " (users 1-%d: feed from cache)" % (user - 1) if user > 1 else ""))
            return trace_id
    report.line(False, "site", "GET /api/home?userId=1..%d → %s: %s" % (
        len(tried), tried[-1] or "no answer", "no computed feed" if tried[-1] == 200 else "trace id %s" % trace_id),
        "docker compose ps (are the five applications healthy?); docker compose logs gateway-service recommend-service")
    return None


def check_jaeger(args, report, trace_id):
    def services_in_trace():
        status, body, _ = get("%s/api/traces/%s" % (args.jaeger, trace_id))
        if status != 200 or not isinstance(body, dict) or not body.get("data"):
            return False, "no trace yet (HTTP %s)" % (status or "no answer")
        trace = body["data"][0]
        names = {p.get("serviceName") for p in trace.get("processes", {}).values()}
        missing = [s for s in SERVICES if s not in names]
        return not missing, "%d spans from %s%s" % (len(trace.get("spans", [])), ", ".join(sorted(n for n in names if n)),
                                                      "; missing " + ", ".join(missing) if missing else "")
    ok, detail = poll(services_in_trace, args.wait)
    report.line(ok, "jaeger", "trace %s: %s" % (trace_id, detail),
                "docker compose logs otel-collector jaeger (the Collector exports traces to jaeger:4317)")


def check_loki(args, report, trace_id):
    now = time.time_ns()
    query = '{service_name=~".+"} | trace_id="%s"' % trace_id
    url = "%s/loki/api/v1/query_range?%s" % (args.loki, urllib.parse.urlencode(
        {"query": query, "start": now - 15 * 60 * 10**9, "end": now + 60 * 10**9, "limit": 200}))

    def services_with_lines():
        status, body, _ = get(url)
        if status != 200 or not isinstance(body, dict):
            return False, "query failed (HTTP %s): %s" % (status or "no answer", str(body)[:200])
        streams = body.get("data", {}).get("result", [])
        names = {s.get("stream", {}).get("service_name") for s in streams}
        lines = sum(len(s.get("values", [])) for s in streams)
        names.discard(None)
        return len(names) >= 2, "%d log lines from %s" % (lines, ", ".join(sorted(names)) or "no service")
    ok, detail = poll(services_with_lines, args.wait)
    report.line(ok, "loki", "trace %s: %s" % (trace_id, detail),
                "docker compose logs otel-collector loki (the Collector exports logs to loki:3100/otlp)")


def prometheus_api(args, report, step, path):
    """The JSON body of a Prometheus API call; None (and a FAIL line for the step) when it did not answer."""
    status, body, _ = get(args.prometheus + path)
    if status != 200 or not isinstance(body, dict):
        report.line(False, step, "Prometheus answered %s to %s" % (status or "nothing", path), "docker compose logs prometheus")
        return None
    return body


def check_targets(args, report):
    body = prometheus_api(args, report, "targets", "/api/v1/targets")
    if body is None:
        return
    health = {}
    for target in body["data"]["activeTargets"]:
        job = target["labels"].get("job")
        health[job] = health.get(job, True) and target["health"] == "up"
    expected = args.jobs.split(",") if args.jobs else sorted(health)
    down = [job for job in expected if not health.get(job)]
    report.line(not down and bool(expected), "targets",
                "%d of %d jobs up%s" % (len(expected) - len(down), len(expected), "; down: " + ", ".join(down) if down else ""),
                "Prometheus → Status → Targets (http://127.0.0.1:9090/targets) shows why each is down")


def check_exemplars(args, report):
    def exemplar():
        now = time.time()
        status, body, _ = get("%s/api/v1/query_exemplars?%s" % (args.prometheus, urllib.parse.urlencode(
            {"query": 'http_server_requests_seconds_bucket{uri="/api/home"}', "start": now - 900, "end": now + 60})))
        if status != 200 or not isinstance(body, dict):
            return False, "query failed (HTTP %s)" % (status or "no answer")
        found = [e for series in body.get("data", []) for e in series.get("exemplars", [])]
        trace_ids = {e["labels"].get("trace_id") for e in found}
        return bool(found), "%d exemplars on the /api/home latency (trace ids: %s)" % (
            len(found), ", ".join(sorted(t for t in trace_ids if t)[:3]) or "none")
    ok, detail = poll(exemplar, args.wait)
    report.line(ok, "exemplars", detail,
                "Prometheus needs --enable-feature=exemplar-storage (compose.yaml) and to ask for OpenMetrics alone (scrape_protocols in prometheus.yml)")


def check_pipeline(args, report):
    """Every service exported spans over the last 5 minutes and dropped none (spans or log records)."""
    def by_job(expr):
        status, body, _ = get("%s/api/v1/query?%s" % (args.prometheus, urllib.parse.urlencode({"query": expr})))
        if status != 200 or not isinstance(body, dict) or body.get("status") != "success":
            return None
        return {r["metric"].get("job", "?"): float(r["value"][1]) for r in body["data"]["result"]}

    jobs = args.jobs.split(",") if args.jobs else SERVICES

    def pipeline():
        exported = by_job("sum by (job) (increase(telemetry_spans_exported_total[5m]))")
        dropped = by_job("sum by (job) (increase(telemetry_spans_dropped_total[5m]))"
                         " + sum by (job) (increase(telemetry_log_records_dropped_total[5m]))")
        if exported is None or dropped is None:
            return False, "Prometheus did not answer the query"
        silent = [job for job in jobs if exported.get(job, 0) <= 0]
        losing = ["%s %.0f" % (job, dropped[job]) for job in jobs if dropped.get(job, 0) > 0]
        detail = "spans exported over 5 min: %s; dropped: %s" % (
            ", ".join("%s %.0f" % (job, exported.get(job, 0)) for job in jobs),
            ", ".join(losing) or "none")
        if silent:
            detail += "; nothing exported by " + ", ".join(silent)
        return not silent and not losing, detail
    ok, detail = poll(pipeline, args.wait)
    report.line(ok, "pipeline", detail,
                "Grafana row \"Telemetry pipeline\" and docs/runbooks/TelemetryLost.md: export_failed means the Collector "
                "refused or could not be reached (docker compose logs otel-collector), queue_full that it was too slow")


def check_alerts(args, report):
    """Prometheus evaluates the stack's rules and knows an Alertmanager, which answers ready."""
    body = prometheus_api(args, report, "alerts", "/api/v1/rules")
    if body is None:
        return
    rules = [r for g in body["data"]["groups"] for r in g["rules"]]
    alerting = [r for r in rules if r.get("type") == "alerting"]
    firing = sorted({r["name"] for r in alerting if r.get("state") == "firing"})
    unhealthy = sorted({r["name"] for r in rules if r.get("health") not in ("ok", "unknown")})
    report.line(bool(alerting) and not unhealthy, "alerts",
                "%d alert rules and %d recording rules loaded%s; firing: %s" % (
                    len(alerting), len(rules) - len(alerting),
                    "; failing to evaluate: " + ", ".join(unhealthy) if unhealthy else "", ", ".join(firing) or "none"),
                "Prometheus → Status → Rules (http://127.0.0.1:9090/rules); the files are observability-stack/prometheus/rules")
    status, body, _ = get(args.prometheus + "/api/v1/alertmanagers")
    active = [a["url"] for a in body["data"]["activeAlertmanagers"]] if status == 200 and isinstance(body, dict) else []
    ready, _, _ = get(args.alertmanager + "/-/ready")
    report.line(bool(active) and ready == 200, "alerts",
                "Prometheus sends alerts to %s; Alertmanager at %s answers %s" % (
                    ", ".join(active) or "no Alertmanager", args.alertmanager, ready or "nothing"),
                "docker compose logs alertmanager; prometheus.yml's alerting section names alertmanager:9093")


def check_grafana(args, report):
    status, body, _ = get(args.grafana + "/api/health")
    report.line(status == 200 and isinstance(body, dict) and body.get("database") == "ok", "grafana",
                "health: %s" % (body if status else "no answer"), "docker compose logs grafana")
    for uid in ("prometheus", "loki", "jaeger"):
        status, body, _ = get("%s/api/datasources/uid/%s/health" % (args.grafana, uid), timeout=15)
        message = body.get("message", body) if isinstance(body, dict) else body
        ok = status == 200 and isinstance(body, dict) and body.get("status") == "OK"
        report.line(ok, "grafana", "datasource %s: %s" % (uid, str(message)[:160]),
                    "Grafana → Connections → Data sources → %s → Save & test; is the %s container up?" % (uid, uid))
    # Grafana's Alertmanager datasource has no backend, so no health endpoint: ask what its own "Save & test" asks,
    # Alertmanager's status through Grafana's datasource proxy.
    status, body, _ = get("%s/api/datasources/proxy/uid/alertmanager/api/v2/status" % args.grafana, timeout=15)
    report.line(status == 200 and isinstance(body, dict) and "config" in body, "grafana",
                "datasource alertmanager: %s" % ("status answered through Grafana" if status == 200 else "HTTP %s" % (status or "no answer")),
                "Grafana → Connections → Data sources → Alertmanager → Save & test; is the alertmanager container up?")
    for path in sorted(glob.glob(os.path.join(ROOT, "observability-stack/grafana/dashboards/*.json"))):
        dashboard = json.load(open(path))
        status, body, _ = get("%s/api/dashboards/uid/%s" % (args.grafana, dashboard["uid"]))
        report.line(status == 200, "grafana", "dashboard \"%s\" provisioned (HTTP %s)" % (dashboard["title"], status or "no answer"),
                    "docker compose logs grafana | grep -i provision")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", default="http://127.0.0.1:8080")
    parser.add_argument("--jaeger", default="http://127.0.0.1:16686")
    parser.add_argument("--loki", default="http://127.0.0.1:3100")
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--alertmanager", default="http://127.0.0.1:9093")
    parser.add_argument("--grafana", default="http://127.0.0.1:3000")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out: " + " ".join(STEPS))
    parser.add_argument("--jobs", default="", help="Prometheus jobs that must be up (default: every job it scrapes)")
    parser.add_argument("--wait", type=float, default=30, help="seconds to wait for telemetry to arrive")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    unknown = skip - set(STEPS)
    if unknown:
        parser.error("unknown steps: " + ", ".join(sorted(unknown)))

    report = Report()
    trace_id = check_site(args, report) if "site" not in skip else None
    for step, check in (("jaeger", check_jaeger), ("loki", check_loki)):
        if step in skip:
            report.skip(step, "left out (--skip)")
        elif trace_id is None:
            report.skip(step, "no trace id: the signature request did not succeed")
        else:
            check(args, report, trace_id)
    for step, check in (("targets", check_targets), ("exemplars", check_exemplars), ("pipeline", check_pipeline),
                        ("alerts", check_alerts), ("grafana", check_grafana)):
        if step in skip:
            report.skip(step, "left out (--skip)")
        else:
            check(args, report)
    print("stack check: %s" % ("all passed" if report.failed == 0 else "%d failed" % report.failed))
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
