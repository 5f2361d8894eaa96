"""Whole-process time of `envbuilder snapshot IMAGE`, `envbuilder snapshot --host` and `envbuilder diff` of
the two snapshot files. Prints medians; asserts nothing (performance is measured here, not in tests).

The image is any local one (default: the first envbuilder-built image the engine has, by its
dev.envbuilder.stage label). An image snapshot's cost is mostly the GOROOT digest (every file of the Go
installation hashed inside the container) and container start/stop.

Run: python bench/bench_snapshot.py [--image REF] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import envbuilder  # noqa: E402


def envbuilder_image() -> str:
    import docker

    for image in docker.from_env().images.list(filters={"label": "dev.envbuilder.stage"}):
        if image.tags:
            return image.tags[0]
    sys.exit("no envbuilder-built image in the engine: build one (`envbuilder build`) or pass --image")


def median_seconds(cwd: Path, runs: int, *args: str) -> float:
    times = []
    for _ in range(runs):
        seconds, proc = envbuilder(cwd, *args, check=False)
        if proc.returncode not in (0, 1):  # diff exits 1 when the build may differ: still a full run
            sys.exit(f"envbuilder {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        times.append(seconds)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", help="image to snapshot (default: an envbuilder-built one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    image = args.image or envbuilder_image()
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        work = Path(tmp)
        image_s = median_seconds(work, args.runs, "snapshot", image, "-o", "image.json")
        host_s = median_seconds(work, args.runs, "snapshot", "--host", "-o", "host.json")
        diff_s = median_seconds(work, args.runs, "diff", "host.json", "image.json", "--json")
    print(f"snapshot image {image}: {image_s:.2f} s (median of {args.runs})")
    print(f"snapshot --host:        {host_s:.2f} s")
    print(f"diff of two snapshots:  {diff_s:.2f} s")


if __name__ == "__main__":
    main()
