"""repro.probe: the probe built twice per target, each build in another directory with another TMPDIR, the
first with the environment's GOCACHE (which verify's probe builds have just filled) and the second with an empty
one, must come out bit-identical. When the two differ, both binaries are copied out and compared with the code
of `envbuilder inspect --compare`, which names where they differ and the known cause.

The empty cache makes the second build compile the standard library again, so the repro probe's main needs only
the runtime (templates/probe/repro.go.txt, beside the probe's own cgo and non-cgo files), and all builds of all
targets run in one pool of JOBS, as the probe builds do. The first build is nearly free (its packages are in the
cache) and proves more than a second cold build would: the output does not depend on what the cache holds.
"""

from __future__ import annotations

import shlex
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Iterator

from envbuilder import checks
from envbuilder.report import CheckResult
from envbuilder.verify.executors import ExecResult, Executor
from envbuilder.verify.expected import TargetExpectation

REPRO_FILES = {"go.mod.txt": "repro/go.mod", "repro.go.txt": "repro/main.go", "cgo.go.txt": "repro/cgo.go",
               "nocgo.go.txt": "repro/nocgo.go"}
RUNS = ("a", "b")
OUT = "repro-out"  # beside out/, which the binary checks copy out whole
EXPECTED = "two builds bit-identical"


def repro_files() -> dict[str, bytes]:
    root = resources.files("envbuilder.templates").joinpath("probe")
    return {dest: root.joinpath(src).read_bytes() for src, dest in REPRO_FILES.items()}


def _binary(t: TargetExpectation, run: str) -> str:
    return f"{t.key}-{run}" + (".exe" if t.target.goos == "windows" else "")


def build_command(workdir: str, t: TargetExpectation, run: str) -> str:
    """Copy the repro probe to a directory of its own, build it there with its own TMPDIR (run a: with the
    environment's GOCACHE; run b: with an empty one), remove that scratch, and print the binary's sha256."""
    scratch = f"{workdir}/repro-{t.key}-{run}"
    src, out = f"{scratch}/src-{run}", f"{workdir}/{OUT}/{_binary(t, run)}"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(t.build_env().items()))
    cache = "" if run == RUNS[0] else f" GOCACHE={scratch}/cache"
    return (f"rm -rf {scratch} && mkdir -p {scratch}/tmp {scratch}/cache {workdir}/{OUT} && "
            f"cp -R {workdir}/repro {src} && cd {src} && "
            f"env {env} TMPDIR={scratch}/tmp{cache} go build -trimpath -o {out} .; rc=$?; "
            f"cd / && chmod -R u+w {scratch} && rm -rf {scratch}; [ $rc -eq 0 ] || exit $rc; "
            f"(sha256sum {out} 2>/dev/null || shasum -a 256 {out}) | cut -d' ' -f1")


@checks.implements(checks.REPRO_PROBE)
def repro_checks(ex: Executor, targets: list[TargetExpectation], jobs: int) -> Iterator[CheckResult]:
    check = checks.REPRO_PROBE
    ex.put_files(repro_files())
    builds = [(t, run) for t in targets for run in RUNS]

    def one(build: tuple[TargetExpectation, str]) -> tuple[ExecResult, float]:
        start = time.monotonic()
        res = ex.run(build_command(ex.workdir, *build))
        return res, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        done = dict(zip(builds, pool.map(one, builds)))
    differing: list[tuple[TargetExpectation, list[str], float]] = []
    for t in targets:
        results = [done[(t, run)] for run in RUNS]
        seconds = sum(s for _, s in results)
        failed = next((res for res, _ in results if not res.ok), None)
        if failed is not None:
            yield check.error(f"a repro build failed: {_tail(failed)}", target=t.key, duration=seconds)
            continue
        digests = [res.stdout.strip() for res, _ in results]
        if digests[0] == digests[1]:
            yield check.passed(EXPECTED, f"sha256 {digests[0]}", target=t.key, duration=seconds)
        else:
            differing.append((t, digests, seconds))
    if differing:
        yield from _located(ex, differing)


def _located(ex: Executor, differing: list[tuple[TargetExpectation, list[str], float]]) -> Iterator[CheckResult]:
    """Each differing pair, copied out and compared: the result says where and why (a pure-Go pair fails; a cgo
    pair warns, since the difference comes from the C toolchain)."""
    from envbuilder.inspect.compare import NotComparable, compare_files

    check = checks.REPRO_PROBE
    with tempfile.TemporaryDirectory(prefix="envbuilder-repro-") as tmp:
        ex.get_dir(OUT, Path(tmp))
        for t, digests, seconds in differing:
            actual = f"sha256 {digests[0]} vs {digests[1]}"
            try:
                comparison = compare_files(*(Path(tmp) / OUT / _binary(t, run) for run in RUNS))
            except NotComparable as e:
                yield check.error(f"the two builds differ and cannot be compared: {e}", target=t.key, duration=seconds)
                continue
            if t.target.cgo:  # the C toolchain's own output (e.g. zig's PE timestamp): located, not hidden
                yield check.warn(f"the two cgo builds differ: {comparison.summary()}", EXPECTED, actual, target=t.key)
            else:
                yield check.failed(f"the two builds differ: {comparison.summary()}", EXPECTED, actual, target=t.key,
                                   duration=seconds)


def _tail(res: ExecResult) -> str:
    lines = (res.stderr.strip() or res.stdout.strip()).splitlines()
    return " | ".join(lines[-3:])[:400]
