"""Whole-process time of `envbuilder snapshot IMAGE`, `envbuilder snapshot --host` and `envbuilder diff` of
the two snapshot files, in one run and one table, each next to what the least of it costs by hand: a
container of the image running `go version; go env -json`, the same on the host, and `diff` of the two files.
Prints medians and the load average; asserts nothing (performance is measured here, not in tests).

The image is any local one (default: the first envbuilder-built image the engine has, by its
dev.envbuilder.stage label). An image snapshot's cost is mostly the GOROOT digest (every file of the Go
installation hashed inside the container) and container start/stop.

Run: python bench/bench_snapshot.py [--image REF] [--runs N]
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

from bench.benchkit import envbuilder  # noqa: E402

GO_FACTS = "go version; go env -json"


def envbuilder_image() -> str:
    import docker

    for image in docker.from_env().images.list(filters={"label": "dev.envbuilder.stage"}):
        if image.tags:
            return image.tags[0]
    sys.exit("no envbuilder-built image in the engine: build one (`envbuilder build`) or pass --image")


def median_envbuilder(cwd: Path, runs: int, *args: str) -> float:
    times = []
    for _ in range(runs):
        seconds, proc = envbuilder(cwd, *args, check=False)
        if proc.returncode not in (0, 1):  # diff exits 1 when the build may differ: still a full run
            sys.exit(f"envbuilder {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        times.append(seconds)
    return statistics.median(times)


def median_command(cwd: Path, runs: int, argv: list[str]) -> float:
    """Median seconds of ARGV (its exit status ignored: `diff` exits 1 on differences, `go` may be missing)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", help="image to snapshot (default: an envbuilder-built one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    image = args.image or envbuilder_image()
    docker = shutil.which("docker") or "docker"
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        work = Path(tmp)
        rows = [
            ("snapshot IMAGE", median_envbuilder(work, args.runs, "snapshot", image, "-o", "image.json"),
             "docker run IMAGE go version; go env -json",
             median_command(work, args.runs, [docker, "run", "--rm", "--network", "none", "--entrypoint", "sh",
                                              image, "-c", GO_FACTS])),
            ("snapshot --host", median_envbuilder(work, args.runs, "snapshot", "--host", "-o", "host.json"),
             "go version; go env -json", median_command(work, args.runs, ["sh", "-c", GO_FACTS])),
            ("diff host.json image.json", median_envbuilder(work, args.runs, "diff", "host.json", "image.json"),
             "diff host.json image.json", median_command(work, args.runs, ["diff", "host.json", "image.json"])),
        ]
    load_after = os.getloadavg()[0]
    print(f"{'envbuilder':44} {'median':>8}   {'by hand':44} {'median':>8}")
    for label, seconds, by_hand, hand_seconds in rows:
        print(f"{label:44} {seconds:7.2f}s   {by_hand:44} {hand_seconds:7.2f}s")
    print(f"(IMAGE {image}; {args.runs} runs each, whole process, {os.cpu_count()} cores, load average "
          f"{load_before:.2f} -> {load_after:.2f})")


if __name__ == "__main__":
    main()
