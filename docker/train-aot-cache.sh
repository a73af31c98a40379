#!/bin/sh
# The training start of an image's AOT cache (JDK 25; the Dockerfile's *-training stages). The application starts
# as its container will (the image's JAVA_OPTS), with -XX:AOTCacheOutput, until it answers ready; then it is
# stopped, and the JVM writes the classes it loaded and linked, and the start's method profiles, to
# /deployments/app.aot as it exits. A service with a database gets a PostgreSQL of its own for that start
# (the training stage has one; the image does not), so the cache holds the start up to Hibernate's boot and the
# demo data's seeding, as a start under compose runs it. Only a PostgreSQL build (DB_KIND=postgresql, the
# Dockerfile's argument) needs one: an H2 build starts on its own in-memory database. No Collector runs in a build: the telemetry exporters'
# connections are refused, which costs the start nothing.
#   train-aot-cache <ready URL> [<database>]   (the database's user and password are its name, as in compose.yaml)
set -eu
ready_url=$1
database=${2:-}
cache=/deployments/app.aot
log=/tmp/training-start.log
if [ -n "$database" ] && [ "${DB_KIND:-h2}" = postgresql ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  pg_ctlcluster "$version" main start
  su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"CREATE ROLE $database LOGIN PASSWORD '$database'\" -c \"CREATE DATABASE $database OWNER $database\""
  export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:5432/$database"
  export QUARKUS_DATASOURCE_USERNAME="$database" QUARKUS_DATASOURCE_PASSWORD="$database"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options, split as the image's entrypoint splits it
java $JAVA_OPTS -XX:AOTCacheOutput="$cache" -jar /deployments/quarkus-run.jar >"$log" 2>&1 &
pid=$!
started=$(date +%s)
until curl -fsS -o /dev/null "$ready_url" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "train-aot-cache: the training start ended before it was ready:" >&2; tail -n 40 "$log" >&2; exit 1
  fi
  if [ $(($(date +%s) - started)) -ge 300 ]; then
    echo "train-aot-cache: not ready at $ready_url within 300 s:" >&2; tail -n 40 "$log" >&2; kill "$pid"; exit 1
  fi
  sleep 0.2
done
echo "train-aot-cache: ready after $(($(date +%s) - started)) s; stopping it, the cache is written as it exits"
kill -TERM "$pid"
wait "$pid" || true   # 143: the JVM's status after SIGTERM
if [ -n "${version:-}" ]; then pg_ctlcluster "$version" main stop; fi
if [ ! -s "$cache" ]; then
  echo "train-aot-cache: no AOT cache was written:" >&2; tail -n 40 "$log" >&2; exit 1
fi
grep 'AOTCache creation is complete' "$log" || true
