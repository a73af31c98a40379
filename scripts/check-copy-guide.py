#!/usr/bin/env python3
"""Follows the README's "Copy a service into your own project" literally, and checks what it promises.

Usage: scripts/check-copy-guide.py   (from anywhere; scripts/test.sh runs it after mvn install; 8-12 minutes)

1. Runs the README's video-service block, as written, in an empty folder (group com.example, package
   com.example.catalog, without the workshop kit): its own tests run in its build. Then starts the copy and
   checks: it answers its API, an error is problem+json with the trace id, the admin API of the kit is not
   there, and the spans of those requests reach an OTLP receiver this script owns.
2. Runs the gateway-service block the same way, starts the copy in front of the copied video-service (and no
   user-service or recommend-service): a video page comes through the REST client, a home page is a bounded
   502 problem+json whose trace holds the gRPC client's span.
3. Copies video-service once more with the kit kept (the same block, without its step 3), and checks that
   the fault switches find the database operations and gRPC methods of the renamed package.
Exits non-zero, saying which promise failed, on the first one that does. Only 127.0.0.1 is used.
"""
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "copy-guide")
TRACE_ID = re.compile(r"^[0-9a-f]{32}$")


def fail(message):
    print("copy guide: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def readme_block(service):
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    match = re.search(r"<!-- copy-guide: %s\b[^>]*-->\s*```bash\n(.*?)```" % re.escape(service), readme, re.S)
    if not match:
        fail("the README has no copy-guide block for " + service)
    return match.group(1)


def no_site_group_left(project):
    """The copy must not need this repository's artifacts: the local Maven repository holds them (mvn install ran
    before), so a pom still naming org.acme would build here and fail on a fresh machine."""
    for folder, _, files in os.walk(project):
        if "target" in folder.split(os.sep):
            continue
        for name in files:
            if name == "pom.xml" and "<groupId>org.acme</groupId>" in open(os.path.join(folder, name)).read():
                fail("%s still names the group org.acme" % os.path.join(folder, name))


def run_block(name, block, project):
    log = os.path.join(WORK, name + ".log")
    print("== %s: the README's steps in %s (log: %s)" % (name, project, log), flush=True)
    env = dict(os.environ, SITE=ROOT, PROJECT=project)
    started = time.time()
    with open(log, "w") as out:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=WORK, env=env, stdout=out, stderr=subprocess.STDOUT)
    print("   %.0f s, exit %d" % (time.time() - started, done.returncode), flush=True)
    if done.returncode != 0:
        tail = open(log).read().splitlines()[-40:]
        fail("%s: a step of the README failed (exit %d); the end of %s:\n%s" % (name, done.returncode, log, "\n".join(tail)))
    no_site_group_left(project)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OtlpReceiver:
    """OTLP over HTTP: keeps the raw protobuf body of every trace export (ids and names are plain bytes in it)."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/v1/traces":
                    bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]

    def export_holding(self, trace_id, *names, timeout=30):
        """The first trace export (one service's batch) holding the trace id and every name, waiting up to timeout seconds."""
        wanted = [bytes.fromhex(trace_id)] + [n.encode() for n in names]
        deadline = time.time() + timeout
        while time.time() < deadline:
            for body in list(self.bodies):
                if all(w in body for w in wanted):
                    return body
            time.sleep(0.2)
        return None


def start(name, jar, env, health_url):
    log = open(os.path.join(WORK, name + "-run.log"), "w")
    process = subprocess.Popen(["java", "-Xmx256m", "-jar", jar], env=dict(os.environ, **env), stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            fail("%s exited at start (exit %d); see %s" % (name, process.returncode, log.name))
        try:
            if request("GET", health_url)[0] == 200:
                print("   %s ready" % name, flush=True)
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    fail("%s was not ready within 90 s; see %s" % (name, log.name))


def stop(process):
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def request(method, url, body=None, content_type=None):
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=15) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode()


def expect(condition, message):
    if not condition:
        fail(message)
    print("   ok: " + message.split(": ")[0], flush=True)


def problem(status, headers, body, expected_status, what):
    expect(status == expected_status, "%s is a %d: got %d %s" % (what, expected_status, status, body[:200]))
    expect(headers.get("Content-Type", "").startswith("application/problem+json"),
           "%s is problem+json: Content-Type %s" % (what, headers.get("Content-Type")))
    answer = json.loads(body)
    expect(TRACE_ID.match(answer.get("traceId", "")) is not None, "%s carries the trace id: %s" % (what, body[:200]))
    expect(headers.get("X-Trace-Id") == answer["traceId"], "%s has the same trace id in X-Trace-Id: %s" % (what, headers.get("X-Trace-Id")))
    return answer


def telemetry_env(receiver):
    return {"QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "QUARKUS_OTEL_BSP_SCHEDULE_DELAY": "200ms", "QUARKUS_OTEL_BLRP_SCHEDULE_DELAY": "200ms", "QUARKUS_HTTP_HOST": "127.0.0.1"}


def start_video_service(name, project, receiver, running):
    """Starts the copied video-service of project on free ports; its base URL."""
    http_port, grpc_port = free_port(), free_port()
    base = "http://127.0.0.1:%d" % http_port
    running.append(start(name, os.path.join(project, "video-service", "target", "quarkus-app", "quarkus-run.jar"),
                         dict(telemetry_env(receiver), QUARKUS_HTTP_PORT=str(http_port), QUARKUS_GRPC_SERVER_PORT=str(grpc_port)),
                         base + "/q/health/ready"))
    return base


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    video_block = readme_block("video-service")
    gateway_block = readme_block("gateway-service")
    receiver = OtlpReceiver()
    running = []
    try:
        # 1. video-service, as the README says.
        video = os.path.join(WORK, "catalog")
        run_block("video-service", video_block, video)
        expect("workshop" not in open(os.path.join(video, "video-service", "pom.xml")).read(),
               "the copied video-service does not depend on the workshop kit")
        expect(not os.path.exists(os.path.join(video, "workshop-kit")), "the copy holds no workshop-kit module")
        manifests = os.path.join(video, "video-service", "target", "kubernetes", "kubernetes.yml")
        expect(os.path.exists(manifests) and "readOnlyRootFilesystem: true" in open(manifests).read()
               and os.path.exists(os.path.join(video, "video-service", "target", "helm", "kubernetes", "video-service", "Chart.yaml")),
               "the copy's build wrote its Kubernetes manifests (read-only root included) and its Helm chart")
        base = start_video_service("video-service copy", video, receiver, running)
        status, headers, body = request("GET", base + "/videos/1")
        expect(status == 200 and json.loads(body)["id"] == 1, "GET /videos/1 answers the video: %d %s" % (status, body[:200]))
        expect(TRACE_ID.match(headers.get("X-Trace-Id", "")) is not None, "its answer carries X-Trace-Id: %s" % headers)
        ok_trace = headers["X-Trace-Id"]
        bad = problem(*request("GET", base + "/videos/abc"), 400, "GET /videos/abc")
        status, _, body = request("POST", base + "/admin/faults", '{"kind":"error","target":"db.find_video"}', "application/json")
        expect(status == 404, "without the kit there is no fault admin API: POST /admin/faults answered %d %s" % (status, body[:100]))
        expect(receiver.export_holding(ok_trace, "db.find_video", "video-service") is not None,
               "the trace of GET /videos/1 (with its db.find_video span) reached the OTLP receiver: none of %d exports held it" % len(receiver.bodies))
        expect(receiver.export_holding(bad["traceId"]) is not None, "the trace of the 400 reached the OTLP receiver")

        # 2. gateway-service, as the README says, in front of the copied video-service.
        gateway = os.path.join(WORK, "gateway")
        run_block("gateway-service", gateway_block, gateway)
        expect("workshop" not in open(os.path.join(gateway, "gateway-service", "pom.xml")).read(),
               "the copied gateway-service does not depend on the workshop kit")
        front, management = free_port(), free_port()
        front_url = "http://127.0.0.1:%d" % front
        nobody = free_port()  # user-service and recommend-service: nothing listens there
        running.append(start("gateway-service copy", os.path.join(gateway, "gateway-service", "target", "quarkus-app", "quarkus-run.jar"),
                             dict(telemetry_env(receiver), QUARKUS_HTTP_PORT=str(front), QUARKUS_MANAGEMENT_PORT=str(management),
                                  QUARKUS_REST_CLIENT_VIDEO_SERVICE_URL=base,
                                  QUARKUS_REST_CLIENT_USER_SERVICE_URL="http://127.0.0.1:%d" % nobody,
                                  QUARKUS_GRPC_CLIENTS_RECOMMEND_SERVICE_PORT=str(nobody)),
                             "http://127.0.0.1:%d/q/health/ready" % management))
        status, headers, body = request("GET", front_url + "/api/videos/1")
        expect(status == 200 and json.loads(body)["id"] == 1,
               "GET /api/videos/1 comes through the gateway's REST client from the copied video-service: %d %s" % (status, body[:200]))
        page_trace = headers["X-Trace-Id"]
        expect(receiver.export_holding(page_trace, "gateway-service", "GET /api/videos/{id}") is not None
               and receiver.export_holding(page_trace, "video-service", "db.find_video") is not None,
               "the video page's trace crosses both copies: the gateway's spans and video-service's, in one trace")
        started = time.time()
        home = problem(*request("GET", front_url + "/api/home?userId=1"), 502, "GET /api/home with no user-service or recommend-service")
        took = time.time() - started
        expect(took < 5, "the home page failed within the gateway's budget: %.1f s" % took)
        expect("user-service" in home["detail"] or "recommend-service" in home["detail"],
               "the 502 names the dependency at fault: %s" % home["detail"])
        expect(receiver.export_holding(home["traceId"], "videosite.recommend.v1.HomeFeedService/GetHomeFeed") is not None,
               "the home page's trace holds the gRPC client's call to recommend-service")
        for process in running:
            stop(process)
        running.clear()

        # 3. video-service again, the kit kept: the fault switches find the renamed package's operations.
        with_kit = video_block.replace('cp -r "$SITE/proto" "$SITE/service-conventions" "$SITE/video-service" .',
                                       'cp -r "$SITE/proto" "$SITE/service-conventions" "$SITE/workshop-kit" "$SITE/video-service" .')
        with_kit = with_kit.replace("\\|workshop-kit", "")
        with_kit = "\n".join(l for l in with_kit.splitlines() if "workshop kit" not in l and "faults" not in l)
        with_kit = with_kit.replace("mvn -B install", "mvn -B install -DskipTests")
        if with_kit.count("workshop-kit") != 1 or "faults" in with_kit:
            fail("the README's video-service block no longer has the shape this check derives the kit variant from")
        kit = os.path.join(WORK, "catalog-with-kit")
        run_block("video-service-with-kit", with_kit, kit)
        base = start_video_service("video-service copy with the kit", kit, receiver, running)
        status, _, body = request("GET", base + "/admin/faults")
        expect(status == 200, "with the kit, GET /admin/faults answers: %d %s" % (status, body[:200]))
        available = json.loads(body)["available"]
        for switch in ["latency:db.find_video", "error:db.list_videos", "latency:GET /videos/{id}",
                       "error:videosite.video.v1.VideoCatalogService/ListVideos", "storage-refusal:uploads"]:
            expect(switch in available, "the switch %s is there in package com.example.catalog: %s" % (switch, available))
    finally:
        for process in running:
            stop(process)
        receiver.server.shutdown()
    print("== copy guide: every step of the README works, and the copies keep its promises")


if __name__ == "__main__":
    main()
