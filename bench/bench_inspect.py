"""Whole-process time of `envbuilder inspect --json DIR` on 300 Go binaries, against `go version -m DIR` and
`file` on the same files, in one run (goal: within 1.5x of `go version -m` on a quiet machine). Prints medians,
their ratios to `go version -m` and the load average (a busy machine slows Python's start-up more than Go's, so
quote the ratio with the load); asserts nothing (performance is measured here, not in tests).

The 300 files are hard links to the inspect oracle set (tests/inspect/oracle.py: ELF, PE, Mach-O from three
Go releases), built and cached on first use. Hard links keep the disk cost of 32 binaries; every tool reads
through the same page cache, so the comparison stays fair.

Run: python bench/bench_inspect.py [--runs N] [--count 300] [--pythonpath DIR]   (DIR: another checkout's code)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures.gotoolchains import go_binary  # noqa: E402
from tests.inspect.oracle import NEWEST, build_all, go_env  # noqa: E402


def corpus(dest: Path, count: int) -> list[Path]:
    sources = sorted(p for p in (build_all() / "bin").iterdir() if p.name.startswith("app_") and not p.name.endswith(".h"))
    files = []
    for i in range(count):
        src = sources[i % len(sources)]
        out = dest / f"{i:03d}_{src.name}"
        os.link(src, out)
        files.append(out)
    return files


def timed(cmd: list[str], runs: int, env: dict[str, str] | None = None, cwd: Path | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):  # inspect exits 1 when a check fails; that is still a full run
            raise SystemExit(f"{cmd[0]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--pythonpath", help="import envbuilder from this directory (another checkout)")
    args = parser.parse_args()
    python_env = {**os.environ, **({"PYTHONPATH": args.pythonpath} if args.pythonpath else {})}
    python_env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed envbuilder has its bytecode compiled
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "dist"
        directory.mkdir()
        files = corpus(directory, args.count)
        size = sum(f.stat().st_size for f in files) / 2**20
        go = str(go_binary(NEWEST))
        inspect = [sys.executable, "-m", "envbuilder.inspect", "--json"]
        commands = {
            "envbuilder inspect --json DIR": ([*inspect, str(directory)], python_env),
            "envbuilder inspect --json DIR -j2": ([*inspect, "-j", "2", str(directory)], python_env),
            "envbuilder inspect --json ONE_FILE": ([*inspect, str(files[1])], python_env),
            f"go version -m DIR (go{NEWEST})": ([go, "version", "-m", str(directory)], go_env()),
            f"go version -m ONE_FILE (go{NEWEST})": ([go, "version", "-m", str(files[1])], go_env()),
            "file FILES": ([shutil.which("file") or "file", *map(str, files)], None),
            "python -c pass (interpreter floor)": ([sys.executable, "-c", "pass"], None),
        }
        # `python -m` puts the working directory first on sys.path: run outside any checkout (--pythonpath).
        for cmd, env in commands.values():  # warm the page cache and Python's bytecode cache
            timed(cmd, 1, env, cwd=Path(tmp))
        load_before = os.getloadavg()[0]
        medians = {label: statistics.median(timed(cmd, args.runs, env, cwd=Path(tmp)))
                   for label, (cmd, env) in commands.items()}
        load_after = os.getloadavg()[0]
    reference = medians[f"go version -m DIR (go{NEWEST})"]
    print(f"{args.count} binaries ({size:.0f} MiB of ELF/PE/Mach-O), median of {args.runs} runs, {os.cpu_count()} CPUs, "
          f"load average {load_before:.2f} -> {load_after:.2f}"
          f"{', code from ' + args.pythonpath if args.pythonpath else ''}")
    for label, seconds in medians.items():
        print(f"  {label:40} {seconds:7.3f} s   {seconds / reference:5.2f}x go version -m DIR")
    ratio = medians["envbuilder inspect --json DIR"] / reference
    print(f"goal: inspect within 1.5x of go version -m: {'met' if ratio <= 1.5 else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
