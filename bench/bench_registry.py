"""Many runners: a registry, a build cache shared through it, and arm64 under emulation, on the local fixtures.

- push: `envbuilder build --target ci --push` of an image already built (the push alone) to a local registry
- pull: `docker pull REF@sha256:...` on a fresh second engine
- cold build: the ci target on a fresh second engine (empty image store and build cache, like a new CI runner)
- second-runner build: the same lock on another fresh engine with `--cache-from` the pushed image
  (goal: at most 25% of cold)
- arm64 vs amd64: the same tiny build (one static C program FROM scratch whose RUN step spins a fixed loop),
  arm64 under qemu-user emulation
- arm64 vs amd64 envbuilder image: the dev image of one small spec built without cache for linux/amd64 and
  for linux/arm64 (FROM the arm64 fixture base image, under qemu-user emulation)

Run: python bench/bench_registry.py   (as root: it starts a registry, two second engines one after the other,
and registers qemu-aarch64 in binfmt_misc; all are stopped or removed at the end)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import SPEC_HEAD  # noqa: E402
from fixtures import binfmt, fileserver, registry, runner  # noqa: E402
from fixtures.baseimage import BASE_IMAGES, ensure_base_image  # noqa: E402
from fixtures.engine import docker_cli  # noqa: E402

SPEC = SPEC_HEAD.replace("{name}", "benchregistry") + """\
targets: [linux/amd64]
ci: {{image: {REGISTRY}/bench/benchregistry}}
"""
PLATFORM_SPEC = SPEC_HEAD.replace("{name}", "benchplatform") + "platforms: [linux/{ARCH}]\ntargets: [linux/{ARCH}]\n"
SPIN_C = """\
#include <stdio.h>
int main(void) { unsigned long x = 1; for (unsigned long i = 0; i < 300000000UL; i++) x = x * 6364136223846793005UL + i;
  printf("%lu\\n", x); return 0; }
"""
SPIN_DOCKERFILE = "FROM scratch\nARG TARGETARCH\nCOPY spin-${TARGETARCH} /spin\nRUN [\"/spin\"]\n"


def timed(argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
          ) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "CI": "1", "DOCKER_BUILDKIT": "1", **(env or {})})
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed, proc


def envbuilder(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    return timed([sys.executable, "-m", "envbuilder", *args], cwd=root, env=env)


def fresh_runner(base_image: str) -> runner.Runner:
    """A new second engine holding only the base image (as a CI runner whose base comes from a registry)."""
    engine = runner.start()
    save = subprocess.Popen([docker_cli(), "save", base_image], stdout=subprocess.PIPE)
    subprocess.run([docker_cli(), "load"], stdin=save.stdout, env=engine.env, capture_output=True, check=True)
    save.wait()
    return engine


def main() -> None:
    with fileserver.serving() as s:
        reg = registry.start()
        try:
            many_runners(s, reg)
        finally:
            reg.stop()
        emulated = arm64_vs_amd64(reg) + envbuilder_image_arm64_vs_amd64(s)
    print(f"{'measure':58} {'value':>9}  goal")
    for name, value, goal in RESULTS + emulated:
        print(f"{name:58} {value:8.1f}s  {goal}")


RESULTS: list[tuple[str, float, str]] = []


def many_runners(s: dict[str, str], reg: registry.Registry) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "envbuilder.yaml").write_text(SPEC.format(REGISTRY=reg.host, **s))
        envbuilder(root, "lock")
        envbuilder(root, "build", "--network", "host", "--target", "ci", "-q")
        push_s, proc = envbuilder(root, "build", "--network", "host", "--target", "ci", "--push", "-q")
        pinned = proc.stdout.strip()
        local = ["benchregistry:ci-go1.22.10", pinned.split("@")[0]]
        try:
            first = fresh_runner(s["BASE_IMAGE"])
            try:
                pull_s, _ = timed([docker_cli(), "pull", pinned], env={"DOCKER_HOST": first.host})
                timed([docker_cli(), "rmi", pinned], env={"DOCKER_HOST": first.host})
                cold_s, _ = envbuilder(root, "build", "--network", "host", "--target", "ci", "-q",
                                       env={"DOCKER_HOST": first.host})
            finally:
                first.stop()
            second = fresh_runner(s["BASE_IMAGE"])
            try:
                cached_s, _ = envbuilder(root, "build", "--network", "host", "--target", "ci", "-q",
                                         "--cache-from", pinned, env={"DOCKER_HOST": second.host})
            finally:
                second.stop()
        finally:
            subprocess.run([docker_cli(), "rmi", *local], capture_output=True)
    RESULTS.extend([
        ("push of the ci image (build --push, layers already built)", push_s, ""),
        ("pull of the ci image by digest on a fresh engine", pull_s, ""),
        ("cold build of the ci target on a fresh engine", cold_s, ""),
        ("second-runner build with --cache-from the pushed image", cached_s,
         f"<= {0.25 * cold_s:.1f} s (25% of cold): {100 * cached_s / cold_s:.0f}%"),
    ])


def arm64_vs_amd64(reg: registry.Registry) -> list[tuple[str, float, str]]:
    emulation = binfmt.enable(("qemu-aarch64",))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            context = Path(tmp)
            (context / "spin.c").write_text(SPIN_C)
            (context / "Dockerfile").write_text(SPIN_DOCKERFILE)
            times = {}
            for arch, cc in (("amd64", "gcc"), ("arm64", "aarch64-linux-gnu-gcc")):
                subprocess.run([cc, "-static", "-O1", "-o", str(context / f"spin-{arch}"), str(context / "spin.c")],
                               check=True)
                tag = f"envbuilder-bench-spin:{arch}"
                times[arch], _ = timed([docker_cli(), "build", "--no-cache", "--platform", f"linux/{arch}", "-t", tag,
                                        str(context)])
                subprocess.run([docker_cli(), "rmi", tag], capture_output=True)
    finally:
        emulation.undo()
    return [("tiny build with a CPU-bound RUN, linux/amd64 (native)", times["amd64"], ""),
            ("the same build, linux/arm64 (qemu-user emulation)", times["arm64"],
             f"{times['arm64'] / times['amd64']:.1f}x amd64")]



def envbuilder_image_arm64_vs_amd64(s: dict[str, str]) -> list[tuple[str, float, str]]:
    times = {}
    emulation = binfmt.enable(("qemu-aarch64",))
    try:
        for arch in ("amd64", "arm64"):
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp)
                (root / "envbuilder.yaml").write_text(PLATFORM_SPEC.format(
                    ARCH=arch, **{**s, "BASE_IMAGE": ensure_base_image(BASE_IMAGES[arch], arch)}))
                envbuilder(root, "lock")
                times[arch], _ = envbuilder(root, "build", "--network", "host", "--target", "dev", "--no-cache",
                                            "--platform", f"linux/{arch}", "-q")
                subprocess.run([docker_cli(), "rmi", "benchplatform:dev-go1.22.10"], capture_output=True)
    finally:
        emulation.undo()
    return [("envbuilder dev image, no cache, linux/amd64 (native)", times["amd64"], ""),
            ("the same dev image, linux/arm64 (qemu-user emulation)", times["arm64"],
             f"{times['arm64'] / times['amd64']:.1f}x amd64")]


if __name__ == "__main__":
    main()
