#!/usr/bin/env bash
# The video site on Kubernetes, on the ports compose publishes: every lab command, scripts/fault, scripts/traffic
# and scripts/check-stack.py then work unchanged against a namespace (README, "On Kubernetes").
#
#   scripts/k8s-port-forward.sh [-n NAMESPACE] [--backends NAMESPACE] [--print]
#
# -n           the site's namespace (default: video-site)
# --backends   the namespace of the Collector, Jaeger, Prometheus, Alertmanager, Loki and Grafana, when a workshop
#              shares one set (values-attendee.yaml); default: the site's own
# --print      print the kubectl commands instead of running them
# It runs until Ctrl-C; one attendee per machine (the ports are 127.0.0.1's).
set -euo pipefail

namespace=video-site
backends=
print=false
while (($#)); do
  case "$1" in
    -n) namespace=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --print) print=true; shift ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
backends=${backends:-$namespace}

# <namespace> <what> <local:remote>...: the site's ports go to its pods (gateway-service's management port is no
# Service port), the backends' to the Services their charts make.
forwards=(
  "$namespace deployment/gateway-service 8080:8080 9000:9000"
  "$namespace deployment/user-service 8081:8081"
  "$namespace deployment/video-service 8082:8082 9082:9082"
  "$namespace deployment/recommend-service 8083:8083 9083:9083"
  "$namespace deployment/traffic-generator 8084:8084"
  "$backends service/otel-collector 4317:4317 4318:4318"
  "$backends service/jaeger 16686:16686"
  "$backends service/prometheus 9090:9090"
  "$backends service/alertmanager 9093:9093"
  "$backends service/loki 3100:3100"
  "$backends service/grafana 3000:80"
)

if $print; then
  for forward in "${forwards[@]}"; do
    read -r ns target ports <<<"$forward"
    echo "kubectl -n $ns port-forward --address 127.0.0.1 $target $ports"
  done
  exit 0
fi

pids=()
# On the way out the forwards end too, and are waited for: their ports are free when this script has exited.
stop() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM
for forward in "${forwards[@]}"; do
  read -r ns target ports <<<"$forward"
  # shellcheck disable=SC2086 # ports are several words on purpose
  kubectl -n "$ns" port-forward --address 127.0.0.1 "$target" $ports >/dev/null &
  pids+=($!)
done
# Ready when every local port accepts a connection (at most a minute).
deadline=$((SECONDS + 60))
for forward in "${forwards[@]}"; do
  read -r ns target ports <<<"$forward"
  for port in $ports; do
    until (exec 3<>"/dev/tcp/127.0.0.1/${port%%:*}") 2>/dev/null; do
      ((SECONDS < deadline)) || { echo "127.0.0.1:${port%%:*} ($ns $target) not forwarded after 60 s" >&2; exit 1; }
      sleep 1
    done
  done
done
echo "the site of namespace $namespace (backends: $backends) on 127.0.0.1, as under compose; Ctrl-C stops"
wait
