#!/usr/bin/env bash
# Newer monitoring tools for the tests than the machine's Debian release ships, unpacked into a cache
# directory and never installed system-wide:
#
#   prometheus, promtool  2.53  (Debian 12 has 2.42: no scrape_protocols, and it drops Micrometer's exemplars)
#   alertmanager, amtool  0.28  (the alert tests' receiver; Debian 12 has 0.25)
#   compose-v2            2.26  (Compose v2 as a program of its own, for the container check; Debian 12's
#                                docker-compose is 1.29, which the stack lint keeps using)
#
# They come from Debian 13 ("trixie"), a Go binary each that needs only libc, so they run on Debian 12.
# Where the machine has no trixie source, one is added beside its own Debian source (the same mirror)
# with pin priority 100, so that no installed package ever moves to trixie; the packages are then
# downloaded and unpacked (dpkg -x), not installed; only a link to Alertmanager's templates goes where Debian's
# build reads them (/usr/share/prometheus/alertmanager).
#
#   scripts/test-tools.sh          prints the directory to put first on PATH (installing when missing)
#
# The directory is ${VIDEO_SITE_TEST_TOOLS:-~/.cache/video-site-test-tools}; the end-to-end tests look
# there before PATH (PrometheusServer, StackLintIT).
set -euo pipefail

tools="${VIDEO_SITE_TEST_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/video-site-test-tools}"
# trixie's current versions (written against prometheus 2.53.3+ds1-2, prometheus-alertmanager 0.28.1+ds-1 and
# docker-compose 2.26.1-4)
wanted=(prometheus/trixie promtool/trixie prometheus-alertmanager/trixie docker-compose/trixie)
stamp="$tools/.installed"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"

# Debian's Alertmanager reads its notification templates from a fixed path: the one link outside the cache
# directory, made only when that path is free (Debian's own prometheus-alertmanager package puts the same there).
link_alertmanager_templates() {
  if [[ ! -e /usr/share/prometheus/alertmanager ]]; then
    $sudo mkdir -p /usr/share/prometheus
    $sudo ln -s "$tools/root/usr/share/prometheus/alertmanager" /usr/share/prometheus/alertmanager
  fi
}

if [[ -f "$stamp" && "$(head -1 "$stamp")" == "${wanted[*]}" ]]; then
  link_alertmanager_templates
  echo "$tools/bin"
  exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
  echo "scripts/test-tools.sh: needs apt-get and dpkg (Debian or Ubuntu). Elsewhere put Prometheus 2.53+ (prometheus, promtool)" \
       "and Alertmanager 0.28+ (alertmanager, amtool) into $tools/bin yourself." >&2
  exit 1
fi
if ! apt-cache policy 2>/dev/null | grep -q " trixie/main "; then
  # The machine's own Debian source: its first URI and keyring (deb822 or one-line format).
  uri="" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  for sources in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$sources" ]] || continue
    uri=$(awk '/^URIs:/ && /debian/ && !/security/ {print $2; exit}' "$sources")
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" && /debian/ && !/security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  if [[ -z "$uri" ]]; then
    echo "scripts/test-tools.sh: no Debian apt source found to add trixie beside" >&2
    exit 1
  fi
  echo "== test tools: adding Debian 13 (trixie) beside the machine's source, pin priority 100" >&2
  $sudo tee /etc/apt/sources.list.d/video-site-trixie.sources >/dev/null <<EOF
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: $keyring
EOF
  $sudo tee /etc/apt/preferences.d/video-site-trixie >/dev/null <<EOF
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
  $sudo apt-get update -qq >&2
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
chmod 777 "$download"   # apt-get download runs as _apt when it can
echo "== test tools: ${wanted[*]} into $tools" >&2
(cd "$download" && apt-get download -qq "${wanted[@]}" >&2) || {
  $sudo apt-get update -qq >&2
  (cd "$download" && apt-get download -qq "${wanted[@]}" >&2)
}
rm -rf "$tools"
mkdir -p "$tools/root" "$tools/bin"
for deb in "$download"/*.deb; do
  dpkg -x "$deb" "$tools/root"
done
ln -s ../root/usr/bin/prometheus ../root/usr/bin/promtool ../root/usr/bin/amtool "$tools/bin/"
ln -s ../root/usr/bin/prometheus-alertmanager "$tools/bin/alertmanager"
ln -s ../root/usr/libexec/docker/cli-plugins/docker-compose "$tools/bin/compose-v2"
link_alertmanager_templates
"$tools/bin/prometheus" --version >/dev/null
"$tools/bin/alertmanager" --version >/dev/null 2>&1
"$tools/bin/compose-v2" version >/dev/null
{ echo "${wanted[*]}"; (cd "$download" && ls ./*.deb); } > "$stamp"
echo "$tools/bin"
