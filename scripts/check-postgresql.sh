#!/usr/bin/env bash
# Checks the PostgreSQL variant that the compose images use, against real PostgreSQL servers
# (Debian's), with no Docker: user-service and video-service are built with
# -Dquarkus.datasource.db-kind=postgresql, run against them, and must answer exactly what the
# embedded-H2 build answers for the same demo data; then the memory limits test runs on the
# PostgreSQL builds. Run after `mvn install` (scripts/test.sh runs the answers half: --answers-only).
#
# As in compose, each database has its own server (users, videos), started with the server
# settings of its compose service's `command` (read from compose.yaml), inside a kernel memory
# cgroup of exactly its compose mem_limit, from initdb on (the image's entrypoint runs initdb inside
# the container too). The services' environment from compose.yaml (their connection pool size
# included) applies. After the memory limits test, each server's peak of memory the kernel cannot
# take back (charged memory less page cache: private and shared memory, shared_buffers included,
# sampled every 200 ms) must leave 15 % of its limit free, and the kernel must not have killed
# anything in it: the rule MemoryLimitsIT applies to the JVMs. A database's page cache grows to any
# limit and is reclaimed there; its working set and file refaults are printed beside it.
#
# Needs: root or sudo (pg_createcluster, memory cgroups), the postgresql package, curl, python3
# with yaml. Extra Maven options: MAVEN_OPTS (e.g. -Dmaven.repo.local=DIR).
#
#   scripts/check-postgresql.sh                 answers, writes, then the memory limits
#   scripts/check-postgresql.sh --answers-only  answers and writes (scripts/test.sh: the container check that
#                                               follows measures the images' memory as compose runs them)
set -euo pipefail
cd "$(dirname "$0")/.."
ANSWERS_ONLY=false
[[ "${1:-}" == "--answers-only" ]] && ANSWERS_ONLY=true

PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PG_PORT=${PG_PORT:-55432}
DATABASES=(users videos)
declare -A PORT=([users]=$PG_PORT [videos]=$((PG_PORT + 1)))
HEADROOM_PERCENT=15
OUT=target/postgresql-check
mkdir -p "$OUT"
as_postgres() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
cluster() { echo "videosite-$1"; }

# The memory cgroup of a database server: cgroup v1 (memory controller) or v2.
if [[ -d /sys/fs/cgroup/memory && -f /sys/fs/cgroup/memory/cgroup.procs ]]; then
  CGROUP_V2=false; CGROUP_ROOT=/sys/fs/cgroup/memory
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  CGROUP_V2=true; CGROUP_ROOT=/sys/fs/cgroup
else
  echo "no memory cgroup controller under /sys/fs/cgroup: the databases' memory limits cannot be checked" >&2
  exit 1
fi
cgroup() { echo "$CGROUP_ROOT/videosite-check-$1"; }
cgroup_read() { # db file-v1 file-v2
  if $CGROUP_V2; then as_root cat "$(cgroup "$1")/$3"; else as_root cat "$(cgroup "$1")/$2"; fi
}
peak_bytes() { cgroup_read "$1" memory.max_usage_in_bytes memory.peak; }
oom_kills() { cgroup_read "$1" memory.oom_control memory.events | awk '$1 == "oom_kill" { print $2 }'; }
# Runs a command (as root) with its process, and so everything it starts, inside the group.
in_cgroup() { # db command...
  local group; group=$(cgroup "$1"); shift
  as_root sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$group" "$@"
}

# What compose.yaml gives each database server: its mem_limit in bytes, then its `command`'s
# server settings (`postgres -c name=value ...`), one per line.
compose_database() { # service
  python3 - "$1" <<'PY'
import re, sys, yaml
service = yaml.safe_load(open("compose.yaml"))["services"][sys.argv[1]]
m = re.fullmatch(r"(\d+)\s*([kmg]?)b?", str(service["mem_limit"]).strip().lower())
print(int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2)])
command = service["command"]
if command[0] != "postgres" or len(command) % 2 != 1:
    sys.exit(f"{sys.argv[1]}: expected a command of the form postgres -c name=value ..., got {command}")
for flag, setting in zip(command[1::2], command[2::2]):
    if flag != "-c" or not re.fullmatch(r"[a-z_.]+=[A-Za-z0-9_.]+", setting):
        sys.exit(f"{sys.argv[1]}: cannot pass on {flag} {setting}")
    print(setting)
PY
}
declare -A LIMIT SETTINGS
for db in "${DATABASES[@]}"; do
  read_out=$(compose_database "$db-db")
  mapfile -t compose <<< "$read_out"
  LIMIT[$db]=${compose[0]}
  SETTINGS[$db]=$(printf -- ' -c %s' "${compose[@]:1}")
done

pids=()
stop_database() { # db
  local dir=/etc/postgresql/$PG_VERSION/$(cluster "$1")
  if [[ -d $dir ]]; then
    as_postgres "$PG_BIN/pg_ctl" stop -D "$dir" -m fast -w -t 60 >/dev/null 2>&1 || true
    as_root pg_dropcluster "$PG_VERSION" "$(cluster "$1")" --stop >/dev/null 2>&1 || true
  fi
  as_root rmdir "$(cgroup "$1")" 2>/dev/null || true
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for db in "${DATABASES[@]}"; do stop_database "$db"; done
}
trap cleanup EXIT
trap 'exit 143' TERM   # scripts/test.sh stops it this way when the container check beside it fails
trap 'exit 130' INT

for db in "${DATABASES[@]}"; do
  stop_database "$db"
  echo "== PostgreSQL $PG_VERSION for $db on 127.0.0.1:${PORT[$db]}: in a memory cgroup of $((LIMIT[$db] >> 20)) MiB (compose's mem_limit), with compose's settings:${SETTINGS[$db]}"
  group=$(cgroup "$db")
  as_root mkdir "$group"
  if $CGROUP_V2; then
    echo "${LIMIT[$db]}" | as_root tee "$group/memory.max" >/dev/null
    echo 0 | as_root tee "$group/memory.swap.max" >/dev/null
  else
    echo "${LIMIT[$db]}" | as_root tee "$group/memory.limit_in_bytes" >/dev/null
    if [[ -f $group/memory.memsw.limit_in_bytes ]]; then
      echo "${LIMIT[$db]}" | as_root tee "$group/memory.memsw.limit_in_bytes" >/dev/null
    fi
  fi
  # ssl=off: the image's default (Debian turns it on where a snakeoil certificate exists).
  in_cgroup "$db" pg_createcluster "$PG_VERSION" "$(cluster "$db")" -p "${PORT[$db]}" -o ssl=off \
    -- --auth-host=scram-sha-256 >/dev/null
  in_cgroup "$db" runuser -u postgres -- "$PG_BIN/pg_ctl" start -w -t 120 -D "/etc/postgresql/$PG_VERSION/$(cluster "$db")" \
    -l "/var/log/postgresql/postgresql-$PG_VERSION-$(cluster "$db").log" -o "${SETTINGS[$db]}" >/dev/null
  for setting in ${SETTINGS[$db]//-c /}; do # the server runs with compose's values
    name=${setting%%=*}; want=${setting#*=}
    got=$(as_postgres psql -p "${PORT[$db]}" -tAc "SHOW $name")
    [[ "${got,,}" == "${want,,}" ]] || { echo "$db: $name is $got, compose says $want" >&2; exit 1; }
  done
  as_postgres psql -q -p "${PORT[$db]}" -c "CREATE ROLE $db LOGIN PASSWORD '$db'"
  as_postgres psql -q -p "${PORT[$db]}" -c "CREATE DATABASE $db OWNER $db"
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
  QUARKUS_HTTP_PORT=18181 QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:${PORT[users]}/users" \
  QUARKUS_DATASOURCE_USERNAME=users QUARKUS_DATASOURCE_PASSWORD=users)")
pids+=("$(start video-service/target/postgresql/quarkus-run.jar "$OUT/video-pg.log" \
  QUARKUS_HTTP_PORT=18182 QUARKUS_GRPC_SERVER_PORT=19182 QUARKUS_REST_CLIENT_USER_SERVICE_URL=http://127.0.0.1:18181 \
  QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:${PORT[videos]}/videos" \
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

rows=$(as_postgres psql -p "${PORT[videos]}" -d videos -tAc "SELECT count(*) FROM videos")
echo "rows in PostgreSQL's videos table: $rows"
[[ "$rows" == 301 ]] || { echo "expected the 300 seeded videos and the upload in PostgreSQL"; failures=$((failures + 1)); }

if ((failures > 0)); then echo "PostgreSQL check: $failures failure(s)"; exit 1; fi
echo "PostgreSQL check passed"
if $ANSWERS_ONLY; then
  echo "(memory limits not measured here: --answers-only; scripts/check-containers.sh measures the images under load)"
  exit 0
fi

echo "== Memory limits of the PostgreSQL builds: each service in a memory cgroup of its compose mem_limit, under load"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
declare -A AT_START
for db in "${DATABASES[@]}"; do
  as_postgres psql -q -p "${PORT[$db]}" -c "DROP DATABASE $db"
  as_postgres psql -q -p "${PORT[$db]}" -c "CREATE DATABASE $db OWNER $db"
  AT_START[$db]=$(peak_bytes "$db")
done
# While the services run, each server's group is sampled every 200 ms: its unreclaimable memory
# (charged less page cache: what a container must keep, with no swap), its working set (charged less
# inactive page cache, what `docker stats` shows) and, at the unreclaimable peak, its anonymous and
# shared memory (shared_buffers); with the most server processes seen.
sample() { # db → writes (run in the background: it replaces its shell, so $! is the sampler) "$OUT/$db-sample" (unreclaimable, anon, shmem, working set in bytes, processes) at each new high
  local run=(python3 -); [[ $(id -u) -eq 0 ]] || run=(sudo python3 -)
  exec "${run[@]}" "$(cgroup "$1")" "$CGROUP_V2" "$OUT/$1-sample" <<'PY'
import os, sys, time
group, v2, out = sys.argv[1], sys.argv[2] == "true", sys.argv[3]
usage_file = "memory.current" if v2 else "memory.usage_in_bytes"
# v1's total_* figures count the group with its children; its cache (v2: file) includes shared memory.
prefix = "" if v2 else "total_"
cache_key, anon_key = ("file", "anon") if v2 else ("total_cache", "total_rss")
most = {"unreclaimable": 0, "anon": 0, "shmem": 0, "ws": 0, "procs": 0}
while True:
    try:
        usage = int(open(os.path.join(group, usage_file)).read())
        stat = dict(line.split() for line in open(os.path.join(group, "memory.stat")))
        procs = len(open(os.path.join(group, "cgroup.procs")).read().split())
    except FileNotFoundError:
        break  # the group is gone
    shmem = int(stat[prefix + "shmem"])
    now = {"unreclaimable": usage - (int(stat[cache_key]) - shmem), "anon": int(stat[anon_key]), "shmem": shmem,
           "ws": usage - int(stat[prefix + "inactive_file"]), "procs": procs}
    changed = False
    if now["unreclaimable"] > most["unreclaimable"]:
        most.update(unreclaimable=now["unreclaimable"], anon=now["anon"], shmem=shmem)
        changed = True
    for key in ("ws", "procs"):
        if now[key] > most[key]:
            most[key] = now[key]
            changed = True
    if changed:
        with open(out + ".new", "w") as f:
            f.write(f"{most['unreclaimable']} {most['anon']} {most['shmem']} {most['ws']} {most['procs']}\n")
        os.replace(out + ".new", out)
    time.sleep(0.2)
PY
}
for db in "${DATABASES[@]}"; do
  rm -f "$OUT/$db-sample"
  sample "$db" &
  pids+=($!)
done
# Only MemoryLimitsIT runs, against the target/postgresql jars of user-service and video-service
# (compose's environment for them, the pool size included, comes from compose.yaml).
status=0
mvn -B verify -Pe2e -pl e2e-tests -Dit.test=MemoryLimitsIT -Dmemory.variant=postgresql \
  -Dmemory.postgresql.users.port="${PORT[users]}" -Dmemory.postgresql.videos.port="${PORT[videos]}" || status=$?

for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

echo "== Memory of the database servers under compose's mem_limit (charged since initdb, page cache included)"
# The rule is the JVMs' (no OOM kill, 15 % of the limit free), applied to what the kernel cannot take
# back. A server that writes fills its group with page cache up to the limit, so the kernel's own
# peak (max_usage) reaches the limit whatever the limit is, and the working set holds whatever data
# pages were read twice; both are printed, with the times the group hit its limit (failcnt: page
# cache reclaimed there) and the file pages read back after being reclaimed (refaults), but neither
# measures what the server needs.
problems=0
printf '%-7s %8s %20s %17s %9s %12s %10s %9s %9s %12s %9s %s\n' database limit "unreclaimable peak" "(anon + shmem)" headroom "working set" max_usage failcnt refaults "before test" oom_kill processes
for db in "${DATABASES[@]}"; do
  limit=${LIMIT[$db]}; peak=$(peak_bytes "$db"); kills=$(oom_kills "$db")
  failcnt=$(cgroup_read "$db" memory.failcnt memory.events | awk 'NF == 1 { print $1 } $1 == "max" { print $2 }')
  refaults=$(cgroup_read "$db" memory.stat memory.stat | awk '$1 == "total_workingset_refault_file" || ($1 == "workingset_refault_file" && !v) { v = $2 } END { print v + 0 }')
  read -r held anon shmem ws processes < "$OUT/$db-sample" || { echo "$db: no memory sample" >&2; held=$limit; anon=0; shmem=0; ws=0; processes='?'; }
  headroom=$(( (limit - held) * 1000 / limit ))
  printf '%-7s %4d MiB %16d MiB %7d + %3d MiB %6d.%d%% %8d MiB %6d MiB %9s %9s %8d MiB %9s %s\n' "$db" $((limit >> 20)) $((held >> 20)) \
    $((anon >> 20)) $((shmem >> 20)) $((headroom / 10)) $((headroom % 10)) $((ws >> 20)) $((peak >> 20)) "$failcnt" "$refaults" \
    $((AT_START[$db] >> 20)) "${kills:-?}" "$processes"
  if ! as_postgres psql -q -p "${PORT[$db]}" -tAc "SELECT 1" >/dev/null 2>&1; then
    echo "$db: the server is no longer answering"; problems=$((problems + 1))
  fi
  if [[ "${kills:-}" != 0 ]]; then
    echo "$db: the kernel killed a process of the server (oom_kill ${kills:-unknown}) under its $((limit >> 20)) MiB limit"; problems=$((problems + 1))
  elif ((headroom < HEADROOM_PERCENT * 10)); then
    echo "$db: its unreclaimable memory peaked at $((held >> 20)) of $((limit >> 20)) MiB: less than $HEADROOM_PERCENT % headroom"; problems=$((problems + 1))
  fi
done
((status == 0)) || echo "MemoryLimitsIT failed (mvn exit status $status)"
if ((problems > 0 || status != 0)); then exit 1; fi
echo "Memory limits of the PostgreSQL variant hold: the services and both database servers"
