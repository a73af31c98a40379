#!/usr/bin/env bash
# Runs the four services on this machine without Docker, on 127.0.0.1 at their usual ports, then the
# traffic generator (127.0.0.1:8084), which plays users against the gateway once it is ready
# (NO_TRAFFIC=1 leaves it out; scripts/traffic changes its rate).
# Build first (mvn install -DskipTests). Ctrl-C stops them all.
# Their logs go to target/local-run/<service>.log; telemetry goes to OTLP on 127.0.0.1:4317
# if something listens there (the observability stack, for example), and is dropped otherwise.
# Startup: each service keeps a class-data archive of the classes its startup loads (AppCDS,
# target/local-run/cds/): the first run after a build writes it when the services stop, the next runs
# start from it. On Java 25 or later it is the JDK's AOT cache instead (classes loaded and linked, and
# the startup's method profiles): writing it makes that first stop take several seconds more. JAVA_OPTS
# defaults to C1 only (-XX:TieredStopAtLevel=1), as in compose.yaml: with both, the four got ready
# together in about 10 s here instead of 18 on Java 17, and in about 7 s on Java 25 (docs/BENCHMARKS.md).
# NO_APPCDS=1 runs without the archives; JAVA_OPTS= (empty) with the JVM's default JIT.
set -euo pipefail

cd "$(dirname "$0")/.."
SERVICES=(user-service video-service recommend-service gateway-service)
HTTP_PORTS=(8081 8082 8083 8080)
# Where each answers /q/health: its HTTP port, except the gateway's management interface (not public).
HEALTH_PORTS=(8081 8082 8083 9000)
LOG_DIR=target/local-run
JAVA_OPTS=${JAVA_OPTS--XX:TieredStopAtLevel=1}
mkdir -p "$LOG_DIR"

for service in "${SERVICES[@]}" traffic-generator; do
  if [[ ! -f "$service/target/quarkus-app/quarkus-run.jar" ]]; then
    echo "$service is not built: run 'mvn install -DskipTests' first" >&2
    exit 1
  fi
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping the services..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "Stopped."
}
trap stop INT TERM EXIT

# The class-data archive option for one application: use its archive if it is newer than its build,
# otherwise write a new one when it exits. The JVM checks an archive against the jars and ignores a stale one.
JAVA_FEATURE=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
class_data() {
  local archive=$LOG_DIR/cds/$1.jsa use=-XX:SharedArchiveFile write=-XX:ArchiveClassesAtExit
  [[ -n "${NO_APPCDS:-}" ]] && return 0
  if ((${JAVA_FEATURE:-0} >= 25)); then
    archive=$LOG_DIR/cds/$1.aot use=-XX:AOTCache write=-XX:AOTCacheOutput
  fi
  mkdir -p "$LOG_DIR/cds"
  if [[ $archive -nt $1/target/quarkus-app/quarkus-run.jar ]]; then
    echo "$use=$archive"
  else
    rm -f "$archive"
    echo "$write=$archive"
  fi
}

for service in "${SERVICES[@]}"; do
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_GRPC_SERVER_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    java ${JAVA_OPTS:-} $(class_data "$service") -jar "$service/target/quarkus-app/quarkus-run.jar" >"$LOG_DIR/$service.log" 2>&1 &
  pids+=("$!")
done

deadline=$((SECONDS + ${READY_TIMEOUT:-60}))
# Waits for one application (name, pid, port of its /q/health) until it is ready, it exits, or the deadline passes.
await_ready() {
  local name=$1 pid=$2 port=$3
  until curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited; its log:" >&2
      tail -n 30 "$LOG_DIR/$name.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "$name not ready after ${READY_TIMEOUT:-60}s; see $LOG_DIR/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
}
for i in "${!SERVICES[@]}"; do
  await_ready "${SERVICES[$i]}" "${pids[$i]}" "${HEALTH_PORTS[$i]}"
  echo "${SERVICES[$i]} ready on http://127.0.0.1:${HTTP_PORTS[$i]}"
done

# The site is ready: now its users. The generator's own telemetry goes where the services' goes.
if [[ -z "${NO_TRAFFIC:-}" ]]; then
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_REST_CLIENT_GATEWAY_URL=http://127.0.0.1:8080 \
    java ${JAVA_OPTS:-} $(class_data traffic-generator) -jar traffic-generator/target/quarkus-app/quarkus-run.jar >"$LOG_DIR/traffic-generator.log" 2>&1 &
  pids+=("$!")
  await_ready traffic-generator "${pids[-1]}" 8084
  echo "traffic-generator ready on http://127.0.0.1:8084: a few users browse the site (scripts/traffic status)"
fi

cat <<MSG

The video site is up. Open http://127.0.0.1:8080/ in a browser, or try:
  curl -i 'http://127.0.0.1:8080/api/home?userId=1'
  curl -i  http://127.0.0.1:8080/api/videos/42
Logs: $LOG_DIR/. Press Ctrl-C to stop.
MSG
# Stopping one service by hand (to watch the failure in the telemetry) leaves the others running.
for i in "${!SERVICES[@]}"; do
  wait "${pids[$i]}" 2>/dev/null || true
  echo "${SERVICES[$i]} has stopped; see $LOG_DIR/${SERVICES[$i]}.log"
done
