#!/bin/sh
# The training start of an image's AOT cache (JDK 25; the Dockerfile's *-training stages). The application starts
# as its container will (the image's JAVA_OPTS), with -XX:AOTCacheOutput, until it answers ready; then it is
# stopped, and the JVM writes the classes it loaded and linked, and the start's method profiles, to
# /deployments/app.aot as it exits. A service with a database gets a PostgreSQL of its own for that start
# (the training stage has one; the image does not), so the cache holds the start up to Hibernate's boot and the
# demo data's seeding, as a start under compose runs it. Only a PostgreSQL build (DB_KIND=postgresql, the
# Dockerfile's argument) needs one: an H2 build starts on its own in-memory database. No Collector runs in a
# build: the telemetry exporters' connections are refused, which costs the start nothing.
#
# Ports: a builder may run every RUN in one network namespace (BuildKit's docker-container driver uses the host's
# when it has no CNI set up), where two trainings at once (two platforms, or five images built in parallel) would
# meet on the same ports. So the start listens on ports of its own, drawn at random, and so does its PostgreSQL;
# ports are run-time settings, the cache does not depend on them.
#   train-aot-cache <ready path> [<database>]   e.g. `train-aot-cache /q/health/ready users`: asked of the management
#   interface when the application has one, else of its HTTP port (the image's healthcheck asks the same path);
#   the database's user and password are its name, as in compose.yaml.
#   TRAINING_DEADLINE (seconds, default 900: an emulated arm64 JVM is many times slower) bounds the start and the stop.
set -eu
ready_path=$1
database=${2:-}
deadline=${TRAINING_DEADLINE:-900}
cache=/deployments/app.aot
log=/tmp/training-start.log

port() {   # a port in 20000-59999, drawn at random
  echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}
http_port=$(port)
management_port=$(port)
export QUARKUS_HTTP_PORT="$http_port" QUARKUS_MANAGEMENT_PORT="$management_port" QUARKUS_GRPC_SERVER_PORT="$(port)"
if [ -n "$database" ] && [ "${DB_KIND:-h2}" = postgresql ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  db_port=$(port)
  pg_conftool "$version" main set port "$db_port"
  pg_ctlcluster "$version" main start
  su postgres -c "psql -q -p $db_port -v ON_ERROR_STOP=1 -c \"CREATE ROLE $database LOGIN PASSWORD '$database'\" -c \"CREATE DATABASE $database OWNER $database\""
  export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$db_port/$database"
  export QUARKUS_DATASOURCE_USERNAME="$database" QUARKUS_DATASOURCE_PASSWORD="$database"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options, split as the image's entrypoint splits it
java $JAVA_OPTS -XX:AOTCacheOutput="$cache" -jar /deployments/quarkus-run.jar >"$log" 2>&1 &
pid=$!
started=$(date +%s)
ready() {   # the management interface answers the path if the application has one, else the HTTP port does
  curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$management_port$ready_path" 2>/dev/null \
    || curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$http_port$ready_path" 2>/dev/null
}
until ready; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "train-aot-cache: the training start ended before it was ready:" >&2; tail -n 40 "$log" >&2; exit 1
  fi
  if [ $(($(date +%s) - started)) -ge "$deadline" ]; then
    echo "train-aot-cache: not ready at $ready_path within $deadline s:" >&2; tail -n 40 "$log" >&2; kill -KILL "$pid"; exit 1
  fi
  sleep 0.2
done
echo "train-aot-cache: ready after $(($(date +%s) - started)) s; stopping it, the cache is written as it exits"
kill -TERM "$pid" 2>/dev/null || true
stopping=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  if [ $(($(date +%s) - stopping)) -ge "$deadline" ]; then
    echo "train-aot-cache: still writing the cache after $deadline s:" >&2; tail -n 40 "$log" >&2; kill -KILL "$pid"; exit 1
  fi
  sleep 0.5
done
wait "$pid" || true   # 143: the JVM's status after SIGTERM
if [ -n "${version:-}" ]; then pg_ctlcluster "$version" main stop; fi
# The JVM exits 0 even when the second JVM it forks to write the cache fails (JDK-8382879): the file tells.
if [ ! -s "$cache" ]; then
  echo "train-aot-cache: no AOT cache was written:" >&2; tail -n 40 "$log" >&2; exit 1
fi
grep 'AOTCache creation is complete' "$log" || true
