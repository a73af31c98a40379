#!/usr/bin/env bash
# What telemetry costs the video site, measured side by side on this machine: the four packaged services
# on 127.0.0.1, alternately with OpenTelemetry on (traces and log records over OTLP http/protobuf to a
# receiver that only counts them, scripts/benchmark/OtlpCountingReceiver.java) and with the SDK disabled
# (QUARKUS_OTEL_SDK_DISABLED=true), interleaved over ROUNDS rounds (on/off, then off/on, ...).
# Each round and setting measures:
#   - started-in: launch → /q/health/ready, each service alone, then all four together; RSS at ready;
#   - two loads with wrk at 8 connections, each a warm-up and then a fixed number of requests. The warm-up
#     runs in chunks until the JIT compilers have settled (their threads used at most JIT_SETTLED % of the
#     four processes' CPU in the last chunk; at most WARMUP_MAX requests): measured before they settle, the
#     figures are mostly C2 compiling the code, not running it (seen: 39 % of all CPU after 6 000 requests);
#     home  - GET /api/home?userId=1 (one user: the feed comes from recommend-service's cache),
#     mixed - home pages of users 1-40 with the feed cache switched off (scripts/fault ... cache-off: every
#             feed computed), video pages recording a view, heartbeats (scripts/benchmark/load.lua);
#     per load: CPU time of the four processes (utime+stime from /proc/<pid>/stat) from before the measured
#     requests until the receiver has had nothing new for 2 s (the export flush), CPU ms per request,
#     requests/s, p50/p99, and spans and log records the receiver got per request;
#   - RSS after the loads; shutdown: SIGTERM to all four at once → each one's exit.
# Then a table of the figures and their on/off ratios, and the CPU added per exported span.
# JVM options: those of scripts/run-local.sh (the JVM's defaults, plus JAVA_OPTS if set).
#
# Build first (mvn install -DskipTests). Needs curl, wrk (apt-get install wrk), and ports 8080-8083, 9000,
# 9082, 9083 and RECEIVER_PORT free. Measure on an otherwise quiet machine.
# Usage: scripts/benchmark.sh [rounds]   (default 2; environment: REQUESTS, RECEIVER_PORT,
#        JAVA_OPTS, WARMUP_CHUNK, WARMUP_MAX, JIT_SETTLED, MIXED_REQUESTS, MIXED_WARMUP_MAX, PROFILE=jfr|async to profile the measured loads (below), LOADS="home mixed" to run fewer loads,
#        STARTUP_ALONE=0 to skip starting each service alone, ON_ENV="NAME=value ..." extra environment for the
#        services when telemetry is on: a configuration to try against the same off setting), APPCDS=1 to
#        start every service with an application class-data archive: before the rounds, each service is
#        started once alone with -XX:ArchiveClassesAtExit and stopped when ready (a training run: the
#        archive holds every class its startup loaded); then every launch uses -XX:SharedArchiveFile;
#        APPCDS=static the same with the archive the images make (the Dockerfile's jvm stage): Quarkus'
#        own training, -Dquarkus.appcds.generate=true, which stops where the runtime init begins: no database;
#        APPCDS=aot the JDK's AOT cache (JDK 25 and later) from a training start: -XX:AOTCacheOutput, then
#        -XX:AOTCache; JAVA=<path to java> runs the services on another JVM than the one on the PATH)
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-2}
WARMUP_CHUNK=${WARMUP_CHUNK:-5000}
WARMUP_MAX=${WARMUP_MAX:-60000}
JIT_SETTLED=${JIT_SETTLED:-5}
REQUESTS=${REQUESTS:-20000}
# The mixed load runs about a sixth as fast (every feed computed): fewer requests, a shorter warm-up cap.
MIXED_REQUESTS=${MIXED_REQUESTS:-8000}
MIXED_WARMUP_MAX=${MIXED_WARMUP_MAX:-30000}
LOADS=${LOADS:-home mixed}
STARTUP_ALONE=${STARTUP_ALONE:-1}
read -r -a ON_ENV <<<"${ON_ENV:-}"
APPCDS=${APPCDS:-0}
JAVA=${JAVA:-java}
CONNECTIONS=8
RECEIVER_PORT=${RECEIVER_PORT:-4318}
READY_TIMEOUT=${READY_TIMEOUT:-120}
SERVICES=(user-service video-service recommend-service gateway-service)
# Where each answers /q/health: its HTTP port, except the gateway's management interface.
HEALTH_PORTS=(8081 8082 8083 9000)
GATEWAY=http://127.0.0.1:8080
CACHE_OFF='{"kind":"cache-off","target":"home-feed"}'
OUT=target/benchmark
RESULTS=$OUT/results.txt
TICK_MS=$((1000 / $(getconf CLK_TCK)))

for service in "${SERVICES[@]}"; do
  [[ -f "$service/target/quarkus-app/quarkus-run.jar" ]] || { echo "$service is not built: run 'mvn install -DskipTests' first" >&2; exit 1; }
done
if [[ " $LOADS " == *" home "* || " $LOADS " == *" mixed "* ]]; then
  command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
fi
for port in 8080 8081 8082 8083 9000 9082 9083 "$RECEIVER_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use: stop what listens there (scripts/run-local.sh, the compose stack?)" >&2
    exit 1
  fi
done
mkdir -p "$OUT"
: >"$RESULTS"

pids=()
receiver=
cleanup() {
  for pid in "${pids[@]}" $receiver; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

now_us() { echo "${EPOCHREALTIME/./}"; }
exited() { [[ ! -e /proc/$1 ]] || [[ $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) == Z ]]; }
rss_mib() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }
# CPU time (user + system, in ms) the given processes have used so far.
cpu_ms() {
  local pid
  for pid in "$@"; do cat "/proc/$pid/stat"; done | awk -v tick="$TICK_MS" '{ t += $14 + $15 } END { print t * tick }'
}
# CPU time (ms) of the given processes' JIT compiler threads (C1 CompilerThre..., C2 CompilerThre...).
jit_ms() {
  local pid task
  for pid in "$@"; do
    for task in /proc/"$pid"/task/*; do
      if [[ $(cat "$task/comm" 2>/dev/null) == C[12]\ CompilerThre* ]]; then cat "$task/stat" 2>/dev/null || true; fi
    done
  done | awk -v tick="$TICK_MS" '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t * tick + 0 }'
}
record() { echo "$*" >>"$RESULTS"; } # round setting metric value
counts() { curl -sf "http://127.0.0.1:$RECEIVER_PORT/counts"; }
count_of() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }

# Launches one service with the setting's telemetry environment; its pid is appended to pids.
launch() { # service setting
  local telemetry=("${ON_ENV[@]}")
  [[ $2 == off ]] && telemetry=(QUARKUS_OTEL_SDK_DISABLED=true)
  local cds=()
  case "$APPCDS:$2" in
    0:*) ;;
    aot:training) cds=(-XX:AOTCacheOutput="$OUT/cds/$1.aot") ;;
    aot:*) cds=(-XX:AOTCache="$OUT/cds/$1.aot") ;;
    static:training) cds=(-XX:ArchiveClassesAtExit="$OUT/cds/$1.jsa" -Dquarkus.appcds.generate=true) ;;
    *:training) cds=(-XX:ArchiveClassesAtExit="$OUT/cds/$1.jsa") ;;
    *) cds=(-XX:SharedArchiveFile="$OUT/cds/$1.jsa") ;;
  esac
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_GRPC_SERVER_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$RECEIVER_PORT" QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    "${telemetry[@]}" "$JAVA" ${JAVA_OPTS:-} "${cds[@]}" -jar "$1/target/quarkus-app/quarkus-run.jar" >>"$OUT/$1-$2.log" 2>&1 &
  pids+=("$!")
}

await_ready() { # service pid port
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf -o /dev/null "http://127.0.0.1:$3/q/health/ready"; do
    if exited "$2" || ((SECONDS > deadline)); then
      echo "$1 did not get ready; see $OUT/$1-*.log" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# SIGTERM to every running service at once; records each one's time to exit, and the longest.
stop_all() { # round setting label
  local t0 longest=0 pid name i
  declare -A took=()
  t0=$(now_us)
  for pid in "${pids[@]}"; do kill -TERM "$pid"; done
  while ((${#took[@]} < ${#pids[@]})); do
    for i in "${!pids[@]}"; do
      if [[ -z ${took[$i]:-} ]] && exited "${pids[$i]}"; then took[$i]=$((($(now_us) - t0) / 1000)); fi
    done
    if ((($(now_us) - t0) > 30000000)); then
      echo "services still running 30 s after SIGTERM: ${pids[*]}" >&2
      exit 1
    fi
    sleep 0.01
  done
  for i in "${!pids[@]}"; do
    ((took[$i] > longest)) && longest=${took[$i]}
  done
  record "$1" "$2" "$3" "$longest"
  pids=()
}

# Waits until the receiver has had nothing new for 2 s (bounded): the services' exports are flushed.
await_flush() {
  local last current since deadline=$((SECONDS + 30))
  last=$(counts); since=$(now_us)
  while ((($(now_us) - since) < 2000000)) && ((SECONDS < deadline)); do
    sleep 0.25
    current=$(counts)
    if [[ $current != "$last" ]]; then last=$current; since=$(now_us); fi
  done
}

# PROFILE=jfr: a JFR recording (settings=profile) of each service around each measured load; PROFILE=async:
# async-profiler's CPU samples every millisecond (tools.profiler:async-profiler from Maven Central, fetched
# once with mvn dependency:get), as collapsed stacks. In $OUT/profiles/<load>-<setting>-<round>-<service>.*;
# scripts/benchmark/profile-breakdown.py sums them up. Profiling costs CPU too: a profiling run's figures
# are not the baseline.
ASYNC_PROFILER_VERSION=4.2
async_profiler_lib() {
  local jar=~/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION.jar
  local lib=$OUT/async-profiler/linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')/libasyncProfiler.so
  if [[ ! -f $lib ]]; then
    [[ -f $jar ]] || mvn -q dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" >&2
    mkdir -p "$OUT/async-profiler" && unzip -q -o "$jar" -d "$OUT/async-profiler"
  fi
  echo "$PWD/$lib"
}
profile() { # start | stop name
  [[ -n ${PROFILE:-} ]] || return 0
  local i lib
  mkdir -p "$OUT/profiles"
  [[ $PROFILE == async ]] && lib=$(async_profiler_lib)
  for i in "${!SERVICES[@]}"; do
    case "$PROFILE:$1" in
      jfr:start) jcmd "${pids[$i]}" JFR.start name=benchmark settings=profile >/dev/null ;;
      jfr:stop) jcmd "${pids[$i]}" JFR.stop name=benchmark filename="$PWD/$OUT/profiles/$2-${SERVICES[$i]}.jfr" >/dev/null ;;
      # jcmd reads name=value arguments itself: the agent options go in quotes.
      async:start) jcmd "${pids[$i]}" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=1ms\"" >/dev/null ;;
      async:stop) jcmd "${pids[$i]}" JVMTI.agent_load "$lib" "\"stop,collapsed,file=$PWD/$OUT/profiles/$2-${SERVICES[$i]}.collapsed\"" >/dev/null ;;
      *) echo "PROFILE is jfr or async" >&2; exit 1 ;;
    esac
  done
}

wrk_run() { # load requests url output
  # --timeout above the gateway's 4 s budget per request: a slow answer is counted as slow, not as an error.
  # load.lua sends wrk SIGINT after the last answer. When the signal lands on wrk's worker thread rather than
  # its main thread, the worker stops but the main thread sleeps on to the end of -d: once the worker has
  # come and gone (one thread left), SIGINT again, which then can only reach the main thread.
  local wrk_pid threads worker_seen=0
  LOAD=$1 REQUESTS=$2 wrk -t1 -c"$CONNECTIONS" -d600s --timeout 5s --latency -s scripts/benchmark/load.lua "$3" >"$4" &
  wrk_pid=$!
  while ! exited "$wrk_pid"; do
    threads=$( (ls "/proc/$wrk_pid/task" 2>/dev/null || true) | wc -l)
    if ((threads > 1)); then
      worker_seen=1
    elif ((worker_seen && threads == 1)); then
      kill -INT "$wrk_pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  wait "$wrk_pid"
  grep '^RESULT' "$4"
}

# Warm-up until the JIT has settled, then the measured requests with CPU, counts and wrk's figures recorded.
measure_load() { # round setting load url requests warmup_max
  local before_cpu before_counts before_jit after_cpu after_counts after_jit result n warmed=0 cpu jit
  while :; do
    cpu=$(cpu_ms "${pids[@]}"); jit=$(jit_ms "${pids[@]}")
    wrk_run "$3" "$WARMUP_CHUNK" "$4" "$OUT/wrk-$3-warmup.txt" >/dev/null
    warmed=$((warmed + WARMUP_CHUNK))
    cpu=$(($(cpu_ms "${pids[@]}") - cpu)); jit=$(($(jit_ms "${pids[@]}") - jit))
    ((jit * 100 <= cpu * JIT_SETTLED || warmed >= $6)) && break
  done
  record "$1" "$2" "$3.warmup_requests" "$warmed"
  await_flush
  profile start
  before_counts=$(counts); before_cpu=$(cpu_ms "${pids[@]}"); before_jit=$(jit_ms "${pids[@]}")
  result=$(wrk_run "$3" "$5" "$4" "$OUT/wrk-$3-$1-$2.txt")
  await_flush
  after_cpu=$(cpu_ms "${pids[@]}"); after_jit=$(jit_ms "${pids[@]}"); after_counts=$(counts)
  profile stop "$3-$2-$1"
  record "$1" "$2" "$3.jit_percent" "$(awk -v j=$((after_jit - before_jit)) -v c=$((after_cpu - before_cpu)) 'BEGIN { printf "%.1f", 100 * j / c }')"
  n=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
  record "$1" "$2" "$3.requests" "$n"
  record "$1" "$2" "$3.errors" "$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$result")"
  record "$1" "$2" "$3.cpu_ms_per_request" "$(awk -v c=$((after_cpu - before_cpu)) -v n="$n" 'BEGIN { printf "%.3f", c / n }')"
  record "$1" "$2" "$3.requests_per_s" "$(awk -v r="$result" 'BEGIN { split(r, f, /[= ]/); printf "%.0f", f[3] / (f[5] / 1e6) }')"
  record "$1" "$2" "$3.p50_ms" "$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<<"$result" | awk '{ printf "%.2f", $1 / 1000 }')"
  record "$1" "$2" "$3.p99_ms" "$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<<"$result" | awk '{ printf "%.2f", $1 / 1000 }')"
  for kind in spans logs points; do
    record "$1" "$2" "$3.${kind}_per_request" "$(awk -v a="$(count_of "$kind" "$after_counts")" \
      -v b="$(count_of "$kind" "$before_counts")" -v n="$n" 'BEGIN { printf "%.2f", (a - b) / n }')"
  done
}

run_setting() { # round setting
  local round=$1 setting=$2 i t0 total=0
  echo "== round $round, telemetry $setting (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for i in "${!SERVICES[@]}"; do
    ((STARTUP_ALONE)) || break
    t0=$(now_us)
    launch "${SERVICES[$i]}" "$setting"
    await_ready "${SERVICES[$i]}" "${pids[0]}" "${HEALTH_PORTS[$i]}"
    record "$round" "$setting" "startup_alone.${SERVICES[$i]}" $((($(now_us) - t0) / 1000))
    stop_all "$round" "$setting" "shutdown_alone.${SERVICES[$i]}"
  done
  t0=$(now_us)
  for i in "${!SERVICES[@]}"; do launch "${SERVICES[$i]}" "$setting"; done
  for i in "${!SERVICES[@]}"; do await_ready "${SERVICES[$i]}" "${pids[$i]}" "${HEALTH_PORTS[$i]}"; done
  record "$round" "$setting" startup_together $((($(now_us) - t0) / 1000))
  for i in "${!SERVICES[@]}"; do total=$((total + $(rss_mib "${pids[$i]}"))); done
  record "$round" "$setting" rss_at_ready_mib "$total"

  if [[ " $LOADS " == *" home "* ]]; then
    measure_load "$round" "$setting" home "$GATEWAY/api/home?userId=1" "$REQUESTS" "$WARMUP_MAX"
  fi
  if [[ " $LOADS " == *" mixed "* ]]; then
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d "$CACHE_OFF" http://127.0.0.1:8083/admin/faults
    measure_load "$round" "$setting" mixed "$GATEWAY" "$MIXED_REQUESTS" "$MIXED_WARMUP_MAX"
    curl -sf -o /dev/null -X DELETE 'http://127.0.0.1:8083/admin/faults?fault=cache-off:home-feed'
  fi

  total=0
  for i in "${!SERVICES[@]}"; do total=$((total + $(rss_mib "${pids[$i]}"))); done
  record "$round" "$setting" rss_after_load_mib "$total"
  stop_all "$round" "$setting" shutdown_together
}

java scripts/benchmark/OtlpCountingReceiver.java "$RECEIVER_PORT" >"$OUT/receiver.log" 2>&1 &
receiver=$!
deadline=$((SECONDS + 60))
until counts >/dev/null; do
  ((SECONDS < deadline)) && ! exited "$receiver" || { echo "the receiver did not start; see $OUT/receiver.log" >&2; exit 1; }
  sleep 0.1
done

if [[ $APPCDS != 0 ]]; then
  rm -rf "$OUT/cds" && mkdir -p "$OUT/cds"
  for i in "${!SERVICES[@]}"; do
    launch "${SERVICES[$i]}" training
    if [[ $APPCDS == static ]]; then
      wait "${pids[0]}" || { echo "Quarkus' training of ${SERVICES[$i]} failed; see $OUT/${SERVICES[$i]}-training.log" >&2; exit 1; }
      pids=()
    else
      await_ready "${SERVICES[$i]}" "${pids[0]}" "${HEALTH_PORTS[$i]}"
      stop_all 0 training "shutdown_alone.${SERVICES[$i]}"
    fi
    [[ -s $OUT/cds/${SERVICES[$i]}.jsa || -s $OUT/cds/${SERVICES[$i]}.aot ]] || { echo "no class-data archive for ${SERVICES[$i]}; see $OUT/${SERVICES[$i]}-training.log" >&2; exit 1; }
  done
fi

echo "Telemetry on vs off, $ROUNDS round(s): per load a warm-up in chunks of $WARMUP_CHUNK until the JIT compilers used at most $JIT_SETTLED % of the CPU (at most $WARMUP_MAX; mixed $MIXED_WARMUP_MAX), then $REQUESTS requests (mixed $MIXED_REQUESTS) at $CONNECTIONS connections."
echo "JVM options: ${JAVA_OPTS:-none, the JVM defaults as in scripts/run-local.sh without JAVA_OPTS}; $("$JAVA" -version 2>&1 | head -1); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
((${#ON_ENV[@]})) && echo "Telemetry on with: ${ON_ENV[*]}"
case $APPCDS in
  0) ;;
  static) echo "Every service starts with its class-data archive from Quarkus' training (it stops where the runtime init begins), as in the images ($OUT/cds/)" ;;
  aot) echo "Every service starts with its AOT cache from a training start ($OUT/cds/)" ;;
  *) echo "Every service starts with its class-data archive from a training start ($OUT/cds/)" ;;
esac
for round in $(seq 1 "$ROUNDS"); do
  if ((round % 2)); then settings=(on off); else settings=(off on); fi
  for setting in "${settings[@]}"; do run_setting "$round" "$setting"; done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; raw figures in $RESULTS, wrk's output and the services' logs in $OUT/"
echo
awk -f scripts/benchmark/report.awk "$RESULTS"
