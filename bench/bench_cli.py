"""Whole-process timings of the CLI (goals, quiet machine): `envbuilder --help` and `--version` <= 0.15 s,
`envbuilder inspect` of one file <= 0.2 s, render of a 12-target spec <= 0.5 s. Prints medians and the load
average (on a busy machine compare with the interpreter floor, not the goals); asserts nothing (performance is
measured here, not in tests). The cpu column (user + system time of the process) moves less than wall time
when other work shares the machine.

Run: python bench/bench_cli.py [--runs N] [--pythonpath DIR]   (DIR: another checkout's code, e.g. to compare)
"""

from __future__ import annotations

import argparse
import os
import resource
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


ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "ENVBUILDER_NO_ENGINE": "1", "COLUMNS": "100"}
# An installed envbuilder has its bytecode compiled; without it every run would compile the modules again.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def median_seconds(argv: list[str], runs: int, cwd: Path | None = None, ok: tuple[int, ...] = (0,)
                   ) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ARGV; CPU time moves less on a busy machine."""
    times, cpu_times = [], []
    for _ in range(runs):
        cpu_before = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
        times.append(time.perf_counter() - start)
        cpu_times.append(_children_cpu() - cpu_before)
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return statistics.median(times), statistics.median(cpu_times)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_elf_binary(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.inspect import synth

    path = directory / "app_linux_amd64"
    path.write_bytes(synth.elf(synth.inline_blob()))
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--pythonpath", help="import envbuilder from this directory (another checkout)")
    args = ap.parse_args()
    runs = args.runs
    if args.pythonpath:
        ENV["PYTHONPATH"] = args.pythonpath
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
        subprocess.run(exe + ["lock"], cwd=root, check=True, capture_output=True, env=ENV)
        binary = one_elf_binary(root)
        load_before = os.getloadavg()[0]
        rows = [
            ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"], None),
            ("python -c 'import typer'", [sys.executable, "-c", "import typer"], None),
            ("envbuilder --version", exe + ["--version"], 0.15),
            ("envbuilder --help", exe + ["--help"], 0.15),
            ("envbuilder inspect --help", exe + ["inspect", "--help"], 0.15),
            ("envbuilder inspect ONE_ELF_FILE", exe + ["inspect", str(binary)], 0.2),
            ("envbuilder inspect --json ONE_ELF_FILE", exe + ["inspect", "--json", str(binary)], 0.2),
            ("envbuilder render (12 targets)", exe + ["render", "--force"], 0.5),
            ("envbuilder render --check (12 targets)", exe + ["render", "--check"], None),
        ]
        # Every command runs in the spec's directory: `python -m` puts the working directory first on sys.path,
        # so running from a checkout would import that checkout's code instead of --pythonpath's.
        for _, argv, _ in rows:  # warm the page cache and write the bytecode once
            median_seconds(argv, 1, root, ok=(0, 1))
        medians = [(label, *median_seconds(argv, runs, root, ok=(0, 1)), goal) for label, argv, goal in rows]
        load_after = os.getloadavg()[0]
    print(f"{'measure':40} {'median':>9} {'cpu':>8} {'goal':>7}")
    for label, seconds, cpu, goal in medians:
        verdict = ("met" if seconds <= goal else "NOT met") if goal else ""
        print(f"{label:40} {seconds:8.3f}s {cpu:7.3f}s {f'{goal:.3f}s' if goal else '':>7} {verdict}")
    print(f"({runs} runs each, whole process, {os.cpu_count()} cores, load average {load_before:.2f} -> "
          f"{load_after:.2f}{', code from ' + args.pythonpath if args.pythonpath else ''})")


if __name__ == "__main__":
    main()
