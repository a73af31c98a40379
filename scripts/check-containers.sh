#!/usr/bin/env bash
# The container path, run for real: the five images built from the root Dockerfile by Podman, then the site's part
# of compose.yaml started under Compose v2 (`up --wait`, compose's healthchecks, depends_on, environment, ports,
# memory limits and CPU allowances as written) and checked (scripts/containers/check-site.py).
#
# No image can be pulled here, so every base image and backend image is a stand-in built from Debian's packages and
# Maven Central (scripts/containers/stand-in-images.sh; scripts/containers/README.md lists them). They go in through
# the variables compose.yaml already reads from .env (MAVEN_IMAGE, JRE_IMAGE, POSTGRES_IMAGE, OTEL_COLLECTOR_IMAGE,
# PROMETHEUS_IMAGE, ALERTMANAGER_IMAGE): nothing else of compose.yaml changes. The Collector's place is taken by the
# tests' OTLP receiver; Jaeger, Loki and Grafana are not started.
#
# Needs root, Debian or Ubuntu (it installs Podman and its helpers with apt-get when missing) and a kernel with
# memory and CPU cgroups. Used by scripts/test.sh; run it alone after `mvn install -Pe2e -DskipTests`:
#
#   scripts/check-containers.sh           builds the images from an empty image store (the stand-ins kept), runs, checks
#   KEEP=1 scripts/check-containers.sh    leaves the site running (stop: the printed `down` command)
#   REUSE_IMAGES=1 scripts/check-containers.sh   keeps the last build's images and cached layers (a fast rebuild)
#   WAIT_BEFORE_UP=<pid>                          starts the site only once that process has ended (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "scripts/check-containers.sh: run as root (Podman as root, memory cgroups)" >&2; exit 1; }

# Podman, its OCI runtime, debootstrap for the Debian stand-in, and the CNI plugin that lets containers find each
# other by service name.
packages=(podman runc debootstrap uidmap slirp4netns fuse-overlayfs golang-github-containernetworking-plugin-dnsname)
missing=()
for package in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "== Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Without systemd, Podman needs the cgroupfs manager; without raised default limits a JVM in a container fails at
# its start (the machine's own limits are low).
if [[ ! -f /etc/containers/containers.conf ]] || ! grep -q 'cgroup_manager *= *"cgroupfs"' /etc/containers/containers.conf \
   || ! grep -q 'default_ulimits' /etc/containers/containers.conf; then
  [[ -f /etc/containers/containers.conf ]] && cp /etc/containers/containers.conf /etc/containers/containers.conf.before-video-site
  cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
fi

tools=$(scripts/test-tools.sh)
export PATH="$tools:$PATH"
OUT=target/containers
mkdir -p "$OUT"
SOCKET=/run/podman/video-site-check.sock
PROJECT=video-site-check
export DOCKER_HOST=unix://$SOCKET DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 COMPOSE_PARALLEL_LIMIT=1
export VIDEO_SITE_IMAGES=localhost/video-site-check VIDEO_SITE_VERSION=test
APPS=(gateway-service user-service video-service recommend-service traffic-generator)
RUNNING=(users-db videos-db otel-collector prometheus alertmanager "${APPS[@]}")
compose() { compose-v2 --project-name "$PROJECT" --project-directory . -f compose.yaml "$@"; }

pids=()
cleanup() {
  local status=$?
  if [[ -z "${KEEP:-}" ]]; then
    compose down -v --timeout 10 >"$OUT/down.log" 2>&1 || true
  else
    echo "left running; stop with: DOCKER_HOST=$DOCKER_HOST $tools/compose-v2 --project-name $PROJECT down -v (then kill ${pids[*]})"
    return $status
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  return $status
}
trap cleanup EXIT
trap 'exit 143' TERM   # so that the EXIT trap runs when scripts/test.sh or a user stops it
trap 'exit 130' INT

echo "== Podman's Docker-compatible API on $SOCKET"
mkdir -p "$(dirname "$SOCKET")"
rm -f "$SOCKET"
podman system service --time=0 "unix://$SOCKET" >"$OUT/podman-service.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 30))
until [[ -S $SOCKET ]]; do ((SECONDS < deadline)) || { cat "$OUT/podman-service.log"; exit 1; }; sleep 0.2; done
# No systemd runs the healthchecks' timers here: this loop runs each container's check every 2 s (compose asks
# for 5 s: a container turns healthy or unhealthy sooner than under a real engine).
(
  while true; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$PROJECT"); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true
    done
    sleep 2
  done
) &
pids+=($!)

echo "== Stand-in base and backend images"
mvn -B -q -Pe2e -pl e2e-tests test-compile dependency:copy-dependencies -DincludeScope=test \
  -DoutputDirectory="$PWD/e2e-tests/target/otlp-receiver-stand-in/lib" >"$OUT/receiver-build.log" 2>&1 \
  || { cat "$OUT/receiver-build.log"; exit 1; }
rm -rf e2e-tests/target/otlp-receiver-stand-in/classes
cp -r e2e-tests/target/test-classes e2e-tests/target/otlp-receiver-stand-in/classes
images=$(scripts/containers/stand-in-images.sh)   # fails the script if a stand-in cannot be built
while IFS='=' read -r name value; do export "$name=$value"; done <<<"$images"

compose down -v --timeout 10 >/dev/null 2>&1 || true
if [[ -z "${REUSE_IMAGES:-}" ]]; then
  for image in "${APPS[@]}" native-sources; do podman rmi -f "$VIDEO_SITE_IMAGES/$image:$VIDEO_SITE_VERSION" >/dev/null 2>&1 || true; done
  podman image prune -f >/dev/null   # the build stages' cached layers: the build below starts from nothing of its own
fi
# The build arguments compose passes (compose.yaml's x-build), for the stages compose does not build.
build_args=()
config=$(compose config --format json)
args=$(python3 -c '
import json, sys
args = json.load(sys.stdin)["services"]["gateway-service"]["build"]["args"]
print("\n".join("%s=%s" % (k, v) for k, v in args.items() if v is not None))' <<<"$config")
while IFS= read -r arg; do build_args+=(--build-arg "$arg"); done <<<"$args"
((${#build_args[@]} >= 8)) || { echo "compose config gave no build arguments: $args" >&2; exit 1; }
echo "== Building from the root Dockerfile: the five images (docker compose build) and the native-sources stage"
echo "   (logs: $OUT/build.log, $OUT/native-sources-build.log)"
started=$SECONDS
# The dependency layer and the sources first, once; then the JVM build with the five images, and the native
# preparation beside it (both offline on that layer: two Maven runs on two cores).
podman build "${build_args[@]}" --target sources . >"$OUT/sources-build.log" 2>&1 || { tail -40 "$OUT/sources-build.log"; exit 1; }
echo "   the dependency layer and the sources: $((SECONDS - started)) s"
podman build "${build_args[@]}" --target native-sources -t "$VIDEO_SITE_IMAGES/native-sources:$VIDEO_SITE_VERSION" . \
  >"$OUT/native-sources-build.log" 2>&1 &
native_build=$!
pids+=("$native_build")
if ! compose build "${APPS[@]}" >"$OUT/build.log" 2>&1; then tail -40 "$OUT/build.log"; exit 1; fi
echo "   the five images: $((SECONDS - started)) s"
wait "$native_build" || { tail -30 "$OUT/native-sources-build.log"; exit 1; }
echo "   the native-sources stage: $((SECONDS - started)) s"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep "^$VIDEO_SITE_IMAGES/"
rm -rf "$OUT/native-stage"; mkdir -p "$OUT/native-stage"
stage=$(podman create "$VIDEO_SITE_IMAGES/native-sources:$VIDEO_SITE_VERSION")
podman cp "$stage:/build" "$OUT/native-stage/build"
podman rm "$stage" >/dev/null
scripts/replay-docker-builds.py --check-native-sources "$OUT/native-stage"
# What a first build downloads: the dependency layer, the one stage that reaches Maven Central.
dependencies=$(podman build -q "${build_args[@]}" --target dependencies .)
dependencies=${dependencies##*$'\n'}
echo "the dependency layer (a first build's downloads, unpacked): $(( ($(podman image inspect --format '{{.Size}}' "$dependencies") \
  - $(podman image inspect --format '{{.Size}}' "$MAVEN_IMAGE")) / 1000000 )) MB over the Maven image"

# scripts/test.sh runs its PostgreSQL check beside the build: the site starts, and is measured, once that has ended.
if [[ -n "${WAIT_BEFORE_UP:-}" ]] && kill -0 "$WAIT_BEFORE_UP" 2>/dev/null; then
  echo "== Waiting for process $WAIT_BEFORE_UP (scripts/test.sh's check beside the build) to end before the site starts"
  while kill -0 "$WAIT_BEFORE_UP" 2>/dev/null; do sleep 1; done
fi
echo "== docker compose up --wait: ${RUNNING[*]}"
started=$SECONDS
rm -f "$OUT/ready.json"
python3 scripts/containers/check-site.py --watch-ready "$OUT/ready.json" &
pids+=($!)
if ! compose up -d --no-deps --wait --wait-timeout 180 "${RUNNING[@]}" >"$OUT/up.log" 2>&1; then
  tail -30 "$OUT/up.log"; compose ps -a; compose logs --tail 30 >"$OUT/logs.txt" 2>&1 || true; exit 1
fi
echo "up and healthy in $((SECONDS - started)) s"

status=0
python3 scripts/containers/check-site.py "$OUT/ready.json" "$PROJECT" "${RUNNING[@]}" || status=$?
compose logs --no-color >"$OUT/logs.txt" 2>&1 || true
((status == 0)) || { echo "container logs: $OUT/logs.txt"; exit $status; }
