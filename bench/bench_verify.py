"""Verify timings, one run, on the local fixtures and a six-target matrix image:

- full matrix verify, cold (fresh container: empty Go build cache) and warm (same container again);
  goal: warm <= 30% of cold
- probe builds in parallel (jobs = CPUs) against one after another (--jobs 1), both cold.

Run: python bench/bench_verify.py   (needs a Docker engine; prepares and serves the fixtures itself)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import envbuilder  # noqa: E402
from fixtures import fileserver  # noqa: E402

SPEC = """\
name: benchverify
go: {{version: "1.22", download: {GO_MIRROR_URL}, index: {GO_INDEX_URL}}}
modules: {{proxy: [{GOPROXY_URL}], nosumdb: [example.test], flags: [-mod=readonly]}}
base: {{image: {BASE_IMAGE}}}
targets:
  - {{platform: linux/amd64, cgo: true}}
  - {{platform: linux/arm64, cgo: true}}
  - linux/386
  - {{platform: windows/amd64, cgo: true}}
  - darwin/arm64
  - darwin/amd64
tools: [example.test/hellotool@v1.1.0]
verify: {{emulate: true}}
"""


def build_seconds(proc: subprocess.CompletedProcess) -> float:
    return sum(r["duration"] for r in json.loads(proc.stdout)["results"] if r["id"] == "build.probe")


def main() -> None:
    import docker

    with fileserver.serving() as s:
        run(s, docker.from_env())


def run(s: dict[str, str], client) -> None:
    """Measure and print, with the fixtures served (S is their summary)."""
    import docker
    tag = None
    tags: list[str] = []  # the dev image, then the verify runner (where the emulated runs happen)
    containers = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "envbuilder.yaml").write_text(SPEC.format(**s))
            envbuilder(root, "lock")
            _, built = envbuilder(root, "build", "--network", "host", "--target", "dev")
            tags = built.stdout.split()[::2]
            tag = tags[0]
            runs = {}
            for name, jobs in (("parallel", []), ("serial", ["--jobs", "1"])):
                c = client.containers.create(tag, ["sleep", "infinity"], network_mode="none",
                                             labels={"dev.envbuilder.owned": "bench"})
                c.start()
                containers.append(c)
                cold, cold_proc = envbuilder(root, "verify", "--container", c.id, "--json", *jobs)
                warm, warm_proc = envbuilder(root, "verify", "--container", c.id, "--json", *jobs)
                runs[name] = (cold, warm, build_seconds(cold_proc), build_seconds(warm_proc),
                              json.loads(cold_proc.stdout))
    finally:
        for c in containers:
            c.remove(force=True)
        for image in tags:
            client.images.remove(image, force=True)
        if tags:
            client.images.prune(filters={"dangling": True})

    cold, warm, build_cold, build_warm, report = runs["parallel"]
    s_cold, _, s_build_cold, _, _ = runs["serial"]
    counts = {k: sum(1 for r in report["results"] if r["status"] == k) for k in ("pass", "fail", "error", "skip")}
    print(f"{'measure (6 targets, cgo x3, emulated arm64 + windows)':56} {'value':>9}  goal")
    print(f"{'verify, cold (empty build cache)':56} {cold:8.1f}s")
    print(f"{'verify, warm (same container again)':56} {warm:8.1f}s  <= {0.3 * cold:.1f} s (30% of cold)")
    print(f"{'  warm / cold':56} {warm / cold:8.0%}")
    print(f"{'probe builds, cold, parallel (jobs = CPUs)':56} {build_cold:8.1f}s  (sum of per-target times)")
    print(f"{'probe builds, warm, parallel':56} {build_warm:8.1f}s")
    print(f"{'verify, cold, builds one after another (--jobs 1)':56} {s_cold:8.1f}s")
    print(f"{'  speed-up of parallel builds (whole verify)':56} {s_cold / cold:8.2f}x")
    print(f"checks: {counts} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
