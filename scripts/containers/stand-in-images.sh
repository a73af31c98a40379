#!/usr/bin/env bash
# Builds the stand-in images where no container registry can be reached: a Debian 12 root file system from
# Debian's packages (debootstrap), then on it a Maven image (JDK 17 and Maven 3.9.11 from Maven Central), a JRE
# image (this machine's Temurin 25, as pinned), PostgreSQL, Prometheus, Alertmanager, and the tests'
# OTLP receiver in the Collector's place. They have the pinned images' roles (.env's variables), not their
# contents: scripts/containers/README.md, "The stand-ins", says how each differs. Each is built once and kept by
# name (remove it to rebuild it), but the receiver, rebuilt every time.
#
#   scripts/containers/stand-in-images.sh      (as root, with podman; prints VARIABLE=image, one per line)
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=localhost/video-site-stand-in
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! podman image exists "$PREFIX/debian:12"; then
  echo "== $PREFIX/debian:12: debootstrap --variant=minbase bookworm" >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/rootfs" -c . | podman import --change 'CMD ["bash"]' - "$PREFIX/debian:12" >/dev/null
  rm -rf "$work/rootfs"
fi

# Containers do not trust what this machine trusts: Maven inside a build reaches Maven Central over HTTPS.
cp /etc/ssl/certs/ca-certificates.crt "$work/ca-certificates.crt"
cp /etc/ssl/certs/java/cacerts "$work/cacerts"

if ! podman image exists "$PREFIX/maven:3.9.11-jdk17"; then
  echo "== $PREFIX/maven:3.9.11-jdk17: Debian's JDK 17, Maven 3.9.11 from Maven Central" >&2
  mvn -B -q dependency:copy -Dartifact=org.apache.maven:apache-maven:3.9.11:tar.gz:bin -DoutputDirectory="$work" >&2
  cat >"$work/Containerfile.maven" <<'CONTAINERFILE'
FROM localhost/video-site-stand-in/debian:12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jdk-headless ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY cacerts /etc/ssl/certs/java/cacerts
ADD apache-maven-3.9.11-bin.tar.gz /opt/
ENV MAVEN_HOME=/opt/apache-maven-3.9.11 PATH=/opt/apache-maven-3.9.11/bin:$PATH
CONTAINERFILE
  podman build -q -f "$work/Containerfile.maven" -t "$PREFIX/maven:3.9.11-jdk17" "$work" >/dev/null
fi

# The JRE: the pinned image is Temurin 25.0.4+7 (JRE_IMAGE in .env); this machine has Temurin 25.0.3+9, as a JDK.
# An image's AOT caches are made and used by the JVM inside it, so the stand-in need not be the very build pinned.
# Like the pinned image it has no curl: the Dockerfile installs it.
TEMURIN=${TEMURIN_25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if ! podman image exists "$PREFIX/jre:25"; then
  echo "== $PREFIX/jre:25: Temurin 25 (this machine's JDK, $TEMURIN) on Debian 12" >&2
  [[ -x $TEMURIN/bin/java ]] || { echo "no Temurin 25 at $TEMURIN (set TEMURIN_25_HOME)" >&2; exit 1; }
  cp -a "$TEMURIN" "$work/openjdk"
  cat >"$work/Containerfile.jre" <<'CONTAINERFILE'
FROM localhost/video-site-stand-in/debian:12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*
COPY openjdk/ /opt/java/openjdk/
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
RUN java -Xshare:dump >/dev/null
CONTAINERFILE
  podman build -q -f "$work/Containerfile.jre" -t "$PREFIX/jre:25" "$work" >/dev/null
  rm -rf "$work/openjdk"
fi

if ! podman image exists "$PREFIX/postgres:15"; then
  echo "== $PREFIX/postgres:15: Debian's PostgreSQL 15, initialised from POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB" >&2
  cat >"$work/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
# The postgres image's contract, as compose.yaml uses it: a first start initialises $PGDATA with POSTGRES_USER as
# its superuser (password POSTGRES_PASSWORD, asked of every TCP client) and creates POSTGRES_DB; then "$@" runs.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  password_file=$(mktemp)
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > "$password_file"
  initdb -D "$PGDATA" -U "$user" --pwfile="$password_file" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$password_file"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    createdb -U "$user" "$POSTGRES_DB"
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
exec "$@"
ENTRYPOINT
  cat >"$work/Containerfile.postgres" <<'CONTAINERFILE'
FROM localhost/video-site-stand-in/debian:12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql-15 >/dev/null && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY --chmod=755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
CONTAINERFILE
  podman build -q -f "$work/Containerfile.postgres" -t "$PREFIX/postgres:15" "$work" >/dev/null
fi

# Prometheus and Alertmanager: Debian 13's builds (the tests' own, from scripts/test-tools.sh) laid out as the upstream
# images are: the program as /bin/prometheus or /bin/alertmanager (the entrypoint, so compose's `command` is its
# arguments), its working directory writable by `nobody`, who runs it, and wget for compose's healthchecks.
tools=$(scripts/test-tools.sh)
tools_root=$(cd "$tools/../root" && pwd)
stand_in_program() { # image program-in-the-tools working-directory data-directory [extra-directory-to-copy]
  local image=$1 program=$2 workdir=$3 data=$4 extra=${5:-}
  podman image exists "$image" && return 0
  echo "== $image: Debian 13's $(basename "$program") as the upstream image lays it out, with wget" >&2
  mkdir -p "$work/$workdir/rootfs/bin"
  cp "$tools_root/usr/bin/$program" "$work/$workdir/rootfs/bin/${workdir#/}"
  if [[ -n $extra ]]; then mkdir -p "$work/$workdir/rootfs/$(dirname "$extra")"; cp -r "$tools_root/$extra" "$work/$workdir/rootfs/$extra"; fi
  cat >"$work/$workdir/Containerfile" <<CONTAINERFILE
FROM localhost/video-site-stand-in/debian:12
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wget \
      >/dev/null && rm -rf /var/lib/apt/lists/* && mkdir -p $workdir $data && chown nobody:nogroup $workdir $data
COPY rootfs/ /
USER nobody
WORKDIR $workdir
ENTRYPOINT ["/bin/${workdir#/}"]
CONTAINERFILE
  podman build -q -f "$work/$workdir/Containerfile" -t "$image" "$work/$workdir" >/dev/null
}
# Debian's builds keep their data under /var/lib/prometheus by default (upstream's: the working directory): compose
# leaves Prometheus' storage path at its default, so that directory must be writable too.
stand_in_program "$PREFIX/prometheus:2.53" prometheus /prometheus /var/lib/prometheus/metrics2
stand_in_program "$PREFIX/alertmanager:0.28" prometheus-alertmanager /alertmanager /var/lib/prometheus/alertmanager \
  usr/share/prometheus/alertmanager

# The Collector: the tests' OTLP receiver (e2e-tests, OtlpReceiverStandIn) on a JRE, rebuilt every time from the
# e2e module's compiled test classes and its dependencies (the caller builds them: scripts/check-containers.sh).
# It runs with the services' lean JVM options: on Java 25 with the JVM's defaults it outgrew the Collector's
# 128 MiB under lab 2's surge and was killed.
receiver=e2e-tests/target/otlp-receiver-stand-in
if [[ -d $receiver/classes && -d $receiver/lib ]]; then
  echo "== $PREFIX/otlp-receiver:test: the tests' OTLP receiver (gRPC on 4317; what it received on 4318)" >&2
  cat >"$receiver/Containerfile" <<'CONTAINERFILE'
FROM localhost/video-site-stand-in/jre:25
COPY lib/ /receiver/lib/
COPY classes/ /receiver/classes/
USER nobody
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xmx64m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m", "-XX:MaxDirectMemorySize=32m", "-XX:+ExitOnOutOfMemoryError", "-cp", "/receiver/classes:/receiver/lib/*", "org.acme.e2e.OtlpReceiverStandIn"]
CONTAINERFILE
  podman build -q -f "$receiver/Containerfile" -t "$PREFIX/otlp-receiver:test" "$receiver" >/dev/null
  echo "OTEL_COLLECTOR_IMAGE=$PREFIX/otlp-receiver:test"
fi

echo "MAVEN_IMAGE=$PREFIX/maven:3.9.11-jdk17"
echo "JRE_IMAGE=$PREFIX/jre:25"
echo "POSTGRES_IMAGE=$PREFIX/postgres:15"
echo "PROMETHEUS_IMAGE=$PREFIX/prometheus:2.53"
echo "ALERTMANAGER_IMAGE=$PREFIX/alertmanager:0.28"
