"""Whole-process timings of the CLI (goals): `envbuilder --help` <= 0.3 s, render of a
12-target spec <= 0.5 s. Prints medians; asserts nothing (performance is measured here, not in tests).

Run: python bench/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
name: bench
go:
  version: "1.22.10"
  download: {download}
  index: {index}
modules: {{proxy: [https://goproxy.cn, direct], private: ["git.corp.example/*"], flags: [-mod=readonly]}}
targets:
  - {{platform: linux/amd64, cgo: true}}
  - {{platform: linux/386, cgo: true}}
  - {{platform: linux/arm64, cgo: true}}
  - {{platform: linux/arm/v7, cgo: true}}
  - {{platform: linux/riscv64, cgo: true}}
  - {{platform: linux/ppc64le, cgo: true}}
  - {{platform: linux/s390x, cgo: true}}
  - {{platform: windows/amd64, cgo: true}}
  - {{platform: windows/386, cgo: true}}
  - {{platform: windows/arm64, cgo: true}}
  - darwin/amd64
  - darwin/arm64
tools: [golang.org/x/tools/gopls@v0.16.2]
ci: {{tools: [gotest.tools/gotestsum@v1.12.0]}}
"""


def median_seconds(argv: list[str], runs: int, cwd: Path | None = None) -> float:
    times = []
    env = {**os.environ, "ENVBUILDER_NO_ENGINE": "1"}
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    exe = [sys.executable, "-m", "envbuilder"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = b"stand-in archive\n"
        import hashlib
        import json

        (root / "go1.22.10.linux-amd64.tar.gz").write_bytes(data)
        (root / "index.json").write_text(json.dumps([{"version": "go1.22.10", "stable": True, "files": [
            {"filename": "go1.22.10.linux-amd64.tar.gz", "os": "linux", "arch": "amd64",
             "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "kind": "archive"}]}]))
        (root / "envbuilder.yaml").write_text(SPEC.format(download=root.as_uri() + "/",
                                                          index=(root / "index.json").as_uri()))
        subprocess.run(exe + ["lock"], cwd=root, check=True, capture_output=True,
                       env={**os.environ, "ENVBUILDER_NO_ENGINE": "1"})
        python_start = median_seconds([sys.executable, "-c", "pass"], runs)
        help_s = median_seconds(exe + ["--help"], runs)
        render_s = median_seconds(exe + ["render", "--force"], runs, cwd=root)
        check_s = median_seconds(exe + ["render", "--check"], runs, cwd=root)
    print(f"{'measure':40} {'median':>9} {'goal':>7}")
    print(f"{'python -c pass (interpreter floor)':40} {python_start:8.3f}s {'':>7}")
    print(f"{'envbuilder --help':40} {help_s:8.3f}s {'0.300':>6}s")
    print(f"{'envbuilder render (12 targets)':40} {render_s:8.3f}s {'0.500':>6}s")
    print(f"{'envbuilder render --check (12 targets)':40} {check_s:8.3f}s {'':>7}")
    print(f"({runs} runs each, whole process, {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
