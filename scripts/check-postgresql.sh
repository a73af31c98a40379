#!/usr/bin/env bash
# Checks the PostgreSQL variant that the compose images use, against a real PostgreSQL server
# (Debian's), with no Docker: user-service and video-service are built with
# -Dquarkus.datasource.db-kind=postgresql, run against it, and must answer exactly what the
# embedded-H2 build answers for the same demo data; then the memory limits test runs on the
# PostgreSQL builds. Run after `mvn install` (scripts/test.sh does both).
# Needs: the postgresql package (pg_createcluster), curl. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
CLUSTER=videosite-check
PG_PORT=${PG_PORT:-55432}
OUT=target/postgresql-check
mkdir -p "$OUT"
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  as_root pg_dropcluster "$PG_VERSION" "$CLUSTER" --stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT"
as_root pg_dropcluster "$PG_VERSION" "$CLUSTER" --stop >/dev/null 2>&1 || true
as_root pg_createcluster "$PG_VERSION" "$CLUSTER" -p "$PG_PORT" --start -- --auth-host=scram-sha-256 >/dev/null
for db in users videos; do
  as_postgres psql -q -p "$PG_PORT" -c "CREATE ROLE $db LOGIN PASSWORD '$db'"
  as_postgres psql -q -p "$PG_PORT" -c "CREATE DATABASE $db OWNER $db"
done

echo "== Building the PostgreSQL variant of user-service and video-service"
mvn -B -q package -pl user-service,video-service -am -DskipTests \
  -Dquarkus.datasource.db-kind=postgresql -Dquarkus.package.output-directory=postgresql
for service in user-service video-service; do
  test -f "$service/target/postgresql/quarkus-run.jar"
  test -f "$service/target/quarkus-app/quarkus-run.jar" || { echo "build the H2 variant first (mvn install -DskipTests)" >&2; exit 1; }
done

start() { # jar log env... → pid
  local jar=$1 log=$2; shift 2
  env QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_GRPC_SERVER_HOST=127.0.0.1 \
    QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1 "$@" java -jar "$jar" >"$log" 2>&1 &
  echo $!
}
await_ready() { # port pid log
  local deadline=$((SECONDS + 180))
  until curl -sf "http://127.0.0.1:$1/q/health/ready" >/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "exited:"; tail -20 "$3"; exit 1; }
    ((SECONDS < deadline)) || { echo "not ready:"; tail -20 "$3"; exit 1; }
    sleep 0.2
  done
}

echo "== Starting both variants side by side"
# PostgreSQL variant: users 18181, videos 18182 (gRPC 19182); H2 variant: users 18281, videos 18282 (gRPC 19282).
pids+=("$(start user-service/target/postgresql/quarkus-run.jar "$OUT/user-pg.log" \
  QUARKUS_HTTP_PORT=18181 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/users" \
  QUARKUS_DATASOURCE_USERNAME=users QUARKUS_DATASOURCE_PASSWORD=users)")
pids+=("$(start video-service/target/postgresql/quarkus-run.jar "$OUT/video-pg.log" \
  QUARKUS_HTTP_PORT=18182 QUARKUS_GRPC_SERVER_PORT=19182 QUARKUS_REST_CLIENT_USER_SERVICE_URL=http://127.0.0.1:18181 \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/videos" \
  QUARKUS_DATASOURCE_USERNAME=videos QUARKUS_DATASOURCE_PASSWORD=videos)")
pids+=("$(start user-service/target/quarkus-app/quarkus-run.jar "$OUT/user-h2.log" QUARKUS_HTTP_PORT=18281)")
pids+=("$(start video-service/target/quarkus-app/quarkus-run.jar "$OUT/video-h2.log" \
  QUARKUS_HTTP_PORT=18282 QUARKUS_GRPC_SERVER_PORT=19282 QUARKUS_REST_CLIENT_USER_SERVICE_URL=http://127.0.0.1:18281)")
await_ready 18181 "${pids[0]}" "$OUT/user-pg.log"
await_ready 18182 "${pids[1]}" "$OUT/video-pg.log"
await_ready 18281 "${pids[2]}" "$OUT/user-h2.log"
await_ready 18282 "${pids[3]}" "$OUT/video-h2.log"

failures=0
same() { # path on user(u)/video(v) service: both variants must answer the same status and body
  local kind=$1 path=$2 pg h2
  if [[ $kind == u ]]; then pg=18181; h2=18281; else pg=18182; h2=18282; fi
  local a b
  a=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$pg$path" | sed -E 's/"(traceId|instance)":"[^"]*"//g')
  b=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$h2$path" | sed -E 's/"(traceId|instance)":"[^"]*"//g')
  if [[ "$a" == "$b" ]]; then echo "same   $path → ${a: -3}"; else echo "DIFFER $path"; echo "  pg: $a"; echo "  h2: $b"; failures=$((failures + 1)); fi
}
echo "== The same demo data on both"
for id in 1 3 17 40 41; do same u "/users/$id"; done
for id in 1 3 22 39; do same u "/users/$id/history?limit=100"; done
for id in 1 9 150 299 300 301; do same v "/videos/$id"; done

echo "== Writes work on PostgreSQL (upload, then a view in the history)"
body='{"title":"Checked on PostgreSQL","durationSeconds":60,"sizeBytes":1000,"uploaderId":3}'
created=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' -d "$body" http://127.0.0.1:18182/videos)
echo "upload → $created"
[[ "$created" == *'"id":301,'* && "$created" == *" 201" ]] || { echo "expected video 301 created"; failures=$((failures + 1)); }
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"videoId":301}' http://127.0.0.1:18181/users/3/history)
history=$(curl -s 'http://127.0.0.1:18181/users/3/history?limit=1')
echo "view → $status, history → $history"
[[ "$status" == 204 && "$history" == *'[301]'* ]] || { echo "expected the view recorded"; failures=$((failures + 1)); }
metrics=$(curl -s http://127.0.0.1:18182/q/metrics)
[[ "$metrics" == *'operation="insert_video"'* ]] || { echo "expected insert_video timed"; failures=$((failures + 1)); }

rows=$(as_postgres psql -p "$PG_PORT" -d videos -tAc "SELECT count(*) FROM videos")
echo "rows in PostgreSQL's videos table: $rows"
[[ "$rows" == 301 ]] || { echo "expected the 300 seeded videos and the upload in PostgreSQL"; failures=$((failures + 1)); }

if ((failures > 0)); then echo "PostgreSQL check: $failures failure(s)"; exit 1; fi
echo "PostgreSQL check passed"

echo "== Memory limits of the PostgreSQL builds: each service in a memory cgroup of its compose mem_limit, under load"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
as_postgres psql -q -p "$PG_PORT" -c "DROP DATABASE users" -c "DROP DATABASE videos"
for db in users videos; do as_postgres psql -q -p "$PG_PORT" -c "CREATE DATABASE $db OWNER $db"; done
# Only MemoryLimitsIT runs, against the target/postgresql jars of user-service and video-service
# (the e2e module resolves the services from the local repository: mvn install, as scripts/test.sh runs).
mvn -B verify -pl e2e-tests -Dit.test=MemoryLimitsIT -Dmemory.variant=postgresql -Dmemory.postgresql.port="$PG_PORT"
