#!/usr/bin/env bash
# Idempotent set-up of everything the demo and the tests need on a fresh Debian machine:
# apt packages (.ci/apt-packages.txt), a Python venv with envbuilder and its test deps, a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done < <(sort -u .ci/apt-packages.txt)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${need[*]} (run as root or: sudo apt-get install -y ${need[*]})" >&2
    exit 3
  fi
  echo "setup: installing ${#need[@]} Debian packages: ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
stamp=.venv/.envbuilder-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  touch "$stamp"
fi

bash scripts/ensure-docker.sh

# ---- devcontainer CLI (tests/integration/test_devcontainer.py): the exact @devcontainers/cli of
# package-lock.json in ./node_modules. Debian's nodejs (18) + npm when there is no node at all; an existing
# node (e.g. NodeSource's, which ships npm and conflicts with Debian's npm package) is kept.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: node and npm are missing (run as root or: sudo apt-get install -y nodejs npm)" >&2
    exit 3
  fi
  echo "setup: installing nodejs and npm (Debian packages)"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi
cli_stamp=node_modules/.envbuilder-installed
if [[ ! -f $cli_stamp || package-lock.json -nt $cli_stamp ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$cli_stamp"
fi
