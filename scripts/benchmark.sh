#!/usr/bin/env bash
# Measures what the README's numbers come from, on this machine:
#   1. each service's startup time (launch → /q/health/ready) and RSS, started alone;
#   2. GET /api/home latency (p50/p99) with all four running, after warm-up, with wrk.
# Build first (mvn install -DskipTests). Needs curl and wrk (apt-get install wrk).
# Usage: scripts/benchmark.sh [requests-per-connection-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}
OUT=target/benchmark
mkdir -p "$OUT"

ready() { curl -sf "http://127.0.0.1:$1/q/health/ready" >/dev/null; }
start() { # name port → pid
  QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_GRPC_SERVER_HOST=127.0.0.1 QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    java ${JAVA_OPTS:-} -jar "$1/target/quarkus-app/quarkus-run.jar" >"$OUT/$1.log" 2>&1 &
  echo $!
}
rss_mib() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }

echo "== Startup, one service at a time"
printf "%-18s %10s %9s\n" service ready_ms rss_mib
for entry in user-service:8081 video-service:8082 recommend-service:8083 gateway-service:9000; do
  name=${entry%%:*}; port=${entry##*:}
  t0=$(date +%s%N); pid=$(start "$name")
  until ready "$port"; do sleep 0.05; done
  t1=$(date +%s%N)
  printf "%-18s %10d %9d\n" "$name" $(((t1 - t0) / 1000000)) "$(rss_mib "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

echo "== All four together"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
t0=$(date +%s%N)
for name in user-service video-service recommend-service gateway-service; do pids+=("$(start "$name")"); done
for port in 8081 8082 8083 9000; do until ready "$port"; do sleep 0.05; done; done
echo "all ready in $((($(date +%s%N) - t0) / 1000000)) ms"

echo "== GET /api/home?userId=1: warm-up 10 s, then ${DURATION} s measured (wrk, 2 threads, 8 connections)"
wrk -t2 -c8 -d10s 'http://127.0.0.1:8080/api/home?userId=1' >/dev/null
wrk -t2 -c8 -d"${DURATION}s" --latency 'http://127.0.0.1:8080/api/home?userId=1' | tee "$OUT/wrk-home.txt"
echo "== GET /api/home, one connection (latency without queueing)"
wrk -t1 -c1 -d"${DURATION}s" --latency 'http://127.0.0.1:8080/api/home?userId=2' | tee "$OUT/wrk-home-c1.txt"
printf "%-18s %9s\n" service rss_mib
i=0
for name in user-service video-service recommend-service gateway-service; do
  printf "%-18s %9d\n" "$name" "$(rss_mib "${pids[$i]}")"; i=$((i + 1))
done
