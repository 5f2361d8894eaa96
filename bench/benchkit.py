"""Shared pieces of the benches: run envbuilder as a user would, image sizes, the golang:bookworm equivalent."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLANG_EQUIVALENT = "envbuilder-bench/golang:bookworm-eq"
# The head of a bench spec on the offline fixtures (format it with their URLs and base image); each bench
# appends its targets and extras.
SPEC_HEAD = """\
name: {name}
go:
  version: "1.22"
  download: {GO_MIRROR_URL}
  index: {GO_INDEX_URL}
modules:
  proxy: [{GOPROXY_URL}]
  nosumdb: [example.test]
  flags: [-mod=readonly]
base: {{image: {BASE_IMAGE}, packages: [make]}}
"""


def envbuilder(cwd: Path, *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    """Run `envbuilder ARGS` in CWD; returns (seconds, process). Exits the bench on failure when CHECK."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "envbuilder", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "CI": "1"})
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        sys.exit(f"envbuilder {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed, proc


def size_mb(client, ref: str) -> float:
    return client.images.get(ref).attrs["Size"] / 1e6


def build_golang_equivalent(base_image: str, archive: dict) -> float:
    """Build an equivalent of the official golang:bookworm image (bench/golang-bookworm.Dockerfile) from
    BASE_IMAGE with the locked Go ARCHIVE; returns seconds. Tagged GOLANG_EQUIVALENT."""
    start = time.perf_counter()
    subprocess.run(["/usr/bin/docker", "build", "-q", "--network", "host", "-t", GOLANG_EQUIVALENT,
                    "--build-arg", f"BASE={base_image}", "--build-arg", f"GO_URL={archive['url']}",
                    "--build-arg", f"GO_SHA256={archive['sha256']}", "-f",
                    str(ROOT / "bench" / "golang-bookworm.Dockerfile"), str(ROOT / "bench")],
                   check=True, capture_output=True, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    return time.perf_counter() - start
