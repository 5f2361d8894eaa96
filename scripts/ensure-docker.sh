#!/usr/bin/env bash
# Make a Docker engine available, idempotently: use a running one; else (root on Debian) install docker.io
# and start dockerd in the background. Never stops an engine: one we start keeps running for later steps.
# Exit 0 with an engine answering, 3 (environment problem) with one line saying what the user must do.
set -euo pipefail

LOG=${ENVBUILDER_DOCKERD_LOG:-/var/log/envbuilder-dockerd.log}
WAIT=${ENVBUILDER_DOCKERD_WAIT:-60}

fail() { echo "ensure-docker: $*" >&2; exit 3; }

# The Debian CLI first: it does BuildKit builds (DOCKER_BUILDKIT=1); a newer CLI on PATH may lack buildx.
pick_cli() {
  local c
  for c in /usr/bin/docker "$(command -v docker 2>/dev/null || true)"; do
    [[ -n "$c" && -x "$c" ]] && { echo "$c"; return 0; }
  done
  return 1
}

answers() { "$1" info >/dev/null 2>&1; }

report() {
  local server client
  server=$("$1" version --format '{{.Server.Version}}' 2>/dev/null || true)
  client=$("$1" version --format '{{.Client.Version}}' 2>/dev/null || true)
  echo "ensure-docker: engine $server at ${DOCKER_HOST:-unix:///var/run/docker.sock}, CLI $1 ($client)"
}

if cli=$(pick_cli) && answers "$cli"; then
  report "$cli"
  exit 0
fi

[[ $(id -u) -eq 0 ]] ||
  fail "no Docker engine answers; run this as root, or start dockerd and add $(id -un) to the docker group"
command -v apt-get >/dev/null ||
  fail "no Docker engine answers and this is not Debian: install and start Docker, then rerun"

if ! command -v dockerd >/dev/null || [[ ! -x /usr/bin/docker ]]; then
  echo "ensure-docker: installing docker.io"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io >/dev/null
fi
cli=$(pick_cli) || fail "docker.io installed but no docker CLI found"

# A socket may exist with a dockerd still starting (or one from an earlier run): only start ours if no
# dockerd process is alive, so we never run two daemons on one data root.
started=0
if ! pgrep -x dockerd >/dev/null; then
  started=1
  echo "ensure-docker: starting dockerd (log: $LOG)"
  mkdir -p "$(dirname "$LOG")"
  # setsid + nohup: the daemon outlives this script and the CI step that ran it.
  setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
fi

for ((i = 0; i < WAIT; i++)); do
  if answers "$cli"; then
    report "$cli"
    exit 0
  fi
  sleep 1
done
((started)) ||
  fail "a dockerd runs but does not answer at ${DOCKER_HOST:-the default socket}: check DOCKER_HOST, its log"
fail "dockerd did not answer within ${WAIT}s; see $LOG (needs root, cgroups, iptables: a privileged runner)"
