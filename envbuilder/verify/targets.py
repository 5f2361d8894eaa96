"""Per-target checks: cgo toolchains, cross builds of the probe, binary facts, execution.

The probe (templates/probe) is built for every target in the environment, in parallel (as many builds at
once as the environment has CPUs, sharing its GOCACHE). The binaries are copied out and read with the
same parsers as `envbuilder inspect`, and cross-checked with `go version -m` inside the environment.
"""

from __future__ import annotations

import re
import shlex
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Literal

from pydantic import BaseModel

from envbuilder import checks
from envbuilder.checks import Check
from envbuilder.report import CheckResult
from envbuilder.identity import RUNNER_WINE_SHIM
from envbuilder.verify.executors import ExecResult, Executor
from envbuilder.profiles import GO_BUILD, Wine, c_probe_link
from envbuilder.verify.runner import RunnerMissing, VerifyRunner
from envbuilder.verify.expected import TargetExpectation

if TYPE_CHECKING:
    from envbuilder.inspect.expect import Expectations as BinaryExpectations

PROBE_FILES = {"go.mod.txt": "probe/go.mod", "main.go.txt": "probe/main.go", "cgo.go.txt": "probe/cgo.go",
               "nocgo.go.txt": "probe/nocgo.go", "probe.c": "cprobe/probe.c",
               "wine-processprng.c": "wine/processprng.c", "wine-processprng.def": "wine/processprng.def"}  # not in probe/: cgo would compile it in


def probe_files() -> dict[str, bytes]:
    root = resources.files("envbuilder.templates").joinpath("probe")
    return {dest: root.joinpath(src).read_bytes() for src, dest in PROBE_FILES.items()}


def _res(check: Check, t: TargetExpectation, ok: bool, expected, actual, message: str = "",
         duration: float = 0.0) -> CheckResult:
    return check.outcome(ok, expected, actual, message, target=t.key, duration=duration)


def _skip(check: Check, t: TargetExpectation, message: str) -> CheckResult:
    return check.skip(message, target=t.key)


# ---- cgo ----------------------------------------------------------------------------------------------------


@checks.implements(checks.CGO_CC, checks.CGO_CXX, checks.CGO_LINK)
def cgo_checks(ex: Executor, t: TargetExpectation) -> Iterator[CheckResult]:
    if not t.target.cgo:
        return
    tc = t.toolchain
    if tc is None:  # darwin with an SDK: the SDK's clang is the user's business
        yield _skip(checks.CGO_CC, t, "no envbuilder-managed C toolchain for this target")
        return
    for check, compiler in ((checks.CGO_CC, tc.cc), (checks.CGO_CXX, tc.cxx)):
        where = ex.run(f"command -v {shlex.quote(compiler)}")
        yield _res(check, t, where.ok, f"{compiler} on PATH", where.stdout.strip() or "not found",
                   f"{compiler} is missing: the {t.target.platform} cgo toolchain is not installed")
    if not ex.run(f"command -v {shlex.quote(tc.cc)}").ok:
        return
    link = ex.run(c_probe_link(tc.cc, f"{ex.workdir}/out/c-probe-{t.key}", f"{ex.workdir}/cprobe/probe.c"))
    yield _res(checks.CGO_LINK, t, link.ok, "C probe compiles and links", "ok" if link.ok else _tail(link),
               f"{tc.cc} cannot compile and link a C program")


# ---- cross builds -------------------------------------------------------------------------------------------


def build_all(ex: Executor, targets: list[TargetExpectation], jobs: int) -> dict[str, tuple[ExecResult, float]]:
    """Build the probe for every target; returns key -> (result, seconds)."""

    def one(t: TargetExpectation) -> tuple[str, tuple[ExecResult, float]]:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(t.build_env().items()))
        # GO_BUILD: the flags of the ci image's warm cache, so a warm image compiles no std package here.
        cmd = f"cd {ex.workdir}/probe && env {env} {shlex.join(GO_BUILD)} -o {ex.workdir}/{t.output} ."
        start = time.monotonic()
        res = ex.run(cmd)
        return t.key, (res, time.monotonic() - start)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(pool.map(one, targets))


@checks.implements(checks.BUILD_PROBE)
def build_check(t: TargetExpectation, built: tuple[ExecResult, float]) -> CheckResult:
    res, seconds = built
    return _res(checks.BUILD_PROBE, t, res.ok, f"probe builds for {t.target.platform}", "ok" if res.ok else _tail(res),
                "the probe does not build for this target", duration=seconds)


# ---- binary facts -------------------------------------------------------------------------------------------


@checks.implements(checks.BINARY_GO_VERSION_M)
def binary_checks(t: TargetExpectation, binary: Path, go_version: str, go_version_m: ExecResult
                  ) -> Iterator[CheckResult]:
    """The probe built for T, through inspect's evaluator, then cross-checked with `go version -m`."""
    from envbuilder.inspect.analyze import analyze
    from envbuilder.inspect.expect import check_binary, format_settings

    facts = analyze(str(binary))
    results = check_binary(facts, binary_expectations(t, go_version), target=t.key)
    yield from results
    if facts.error or facts.go is None:
        return
    check = checks.BINARY_GO_VERSION_M
    if not go_version_m.ok:
        yield check.error(f"`go version -m` failed: {go_version_m.first_line()}", target=t.key)
        return
    # The environment's own `go version -m` must agree with our parser.
    oracle = _go_version_m(go_version_m)
    ours = {"go": facts.go.go_version, **{k: v for k, v in facts.go.settings}}
    mismatched = {k: (oracle.get(k), ours.get(k)) for k in set(oracle) | set(ours) if oracle.get(k) != ours.get(k)}
    yield _res(check, t, not mismatched, "parser agrees with `go version -m`",
               "agrees" if not mismatched else format_settings({k: f"{a} vs {b}" for k, (a, b) in mismatched.items()}),
               "envbuilder's build-info parser and `go version -m` disagree")


def binary_expectations(t: TargetExpectation, go_version: str) -> BinaryExpectations:
    """What the probe built for T must be, in the terms of inspect's evaluator."""
    from envbuilder.inspect.expect import Expectations as BinaryExpectations

    settings = {"go": f"go{go_version}", "GOOS": t.target.goos, "GOARCH": t.target.goarch,
                "CGO_ENABLED": "1" if t.target.cgo else "0", "-trimpath": "true"}
    if t.target.goarm:
        settings["GOARM"] = t.target.goarm
    if t.target.goamd64:
        settings["GOAMD64"] = t.target.goamd64
    libc = t.target.zig_libc
    dynamic = t.target.cgo and not (libc and libc.musl)  # zig's musl builds are static
    return BinaryExpectations(
        cross_check=False, format=t.format, bits=t.bits, endian=t.endian, goos=t.target.goos, goarch=t.target.goarch,
        subsystem="windows-console" if t.format == "pe" else None,
        linkage=("dynamic" if dynamic else "static") if t.format == "elf" else None,
        glibc=libc.glibc if libc else None,
        interpreter=t.interpreter if t.format == "elf" else None, buildinfo=settings)


def _go_version_m(res: ExecResult) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = res.stdout.splitlines()
    if lines:
        m = re.search(r":\s*(go\S+)$", lines[0])
        if m:
            out["go"] = m.group(1)
    for line in lines[1:]:
        parts = line.strip().split("\t")
        if len(parts) == 2 and parts[0] == "build":
            key, _, value = parts[1].partition("=")
            out[key] = value
    return out


# ---- execution ----------------------------------------------------------------------------------------------


class BinaryRun(BaseModel):
    """Where verify executed one probe binary, and how (verify's --json `executions`)."""

    target: str
    binary: str  # relative to verify's scratch directory
    environment: Literal["under test", "verify runner"]
    executor: str  # the environment's name: "image demo:ci-go1.22.10", "verify-runner demo:verify-runner"
    how: str  # "natively", "through the cross sysroot's loader", "under qemu-aarch64-static", "under wine64"


@checks.implements(checks.EXEC_RUN)
def exec_check(ex: Executor, t: TargetExpectation, native: str, emulate: bool,
               runner: VerifyRunner | None = None) -> CheckResult:
    return run_binary(ex, t, native, emulate, runner)[0]


def run_binary(ex: Executor, t: TargetExpectation, native: str, emulate: bool, runner: VerifyRunner | None = None
               ) -> tuple[CheckResult, BinaryRun | None]:
    """Run the probe built for T: natively or through its loader in EX, under an emulator in RUNNER when the
    spec has one (else in EX, whose image carries the emulators). The result says where it ran."""
    goos, goarch = t.target.goos, t.target.goarch
    run, sysroot = t.execution, t.profile.sysroot if t.profile else None
    if run.headers_only:
        return _skip(checks.EXEC_RUN, t, run.headers_only), None
    # How the probe runs, decided once: the words for the result, and the command line for a binary path in
    # the environment that runs it.
    launch: Callable[[Executor, str], str]
    in_runner = False  # in the verify runner, when the spec has one
    if f"{goos}/{goarch}" == native or run.ia32_on == native:
        how, launch = "natively", lambda _, binary: binary
        if run.ia32_on == native and t.target.cgo and t.interpreter and sysroot:
            # the target's loader lives only in the cross sysroot
            how = "through the cross sysroot's loader"
            launch = lambda _, binary: f"{sysroot}{t.interpreter} --library-path {sysroot}/lib {binary}"
            # a zig image has no cross sysroot: the verify runner carries it (render.runner_packages)
            in_runner = t.toolchain is not None and t.toolchain.strategy == "zig"
    elif not emulate:
        return _skip(checks.EXEC_RUN, t, "foreign binary: set verify.emulate to run it under qemu-user/wine"), None
    elif run.qemu and sysroot:
        how, launch, in_runner = f"under {run.qemu}", lambda _, binary: f"{run.qemu} -L {sysroot} {binary}", True
    elif run.wine:
        wine = run.wine
        how, launch, in_runner = (f"under {wine.packages[0]}",
                                  lambda where, binary: _wine_command(where, binary, wine), True)
    else:
        return _skip(checks.EXEC_RUN, t, f"no emulator for {goos}/{goarch}"), None
    where, binary = ex, f"{ex.workdir}/{t.output}"
    if in_runner and runner is not None:
        opened = runner.open()
        if isinstance(opened, RunnerMissing):
            check = checks.EXEC_RUN
            return (check.skip if opened.status == "skip" else check.error)(opened.reason, target=t.key), None
        where = opened
        binary = runner.stage(where, t.output)
    command = launch(where, binary)
    start = time.monotonic()
    res = where.run(command, timeout=300)
    if "bcryptprimitives.dll not found" in res.stdout + res.stderr:
        return _skip(checks.EXEC_RUN, t, "this wine has no bcryptprimitives.dll (wine < 9) and no mingw to build a "
                                         "ProcessPrng shim: checked by headers and build info only"), None
    ran = BinaryRun(target=t.key, binary=t.output, environment="verify runner" if where is not ex else "under test",
                    executor=where.name, how=how)
    want = f"envbuilder-probe {goos}/{goarch} cgo={'on' if t.target.cgo else 'off'}"
    got = next((line.strip() for line in res.stdout.splitlines() if line.startswith("envbuilder-probe")),
               _tail(res) or f"exit {res.rc}")
    seconds = time.monotonic() - start
    place = f"ran {how} in {where.name}"
    if got == want:
        return checks.EXEC_RUN.passed(want, got, target=t.key, duration=seconds).model_copy(
            update={"message": place}), ran
    return _res(checks.EXEC_RUN, t, False, want, got, f"the probe did not run as expected ({place})",
                duration=seconds), ran


def _wine_command(ex: Executor, binary: str, wine: Wine) -> str:
    """Run BINARY under wine64 in a throwaway prefix owned by the user. Go's Windows runtime needs
    ProcessPrng from bcryptprimitives.dll, which wine < 9 (Debian bookworm has 8.0) lacks: when the prefix
    has no such DLL, copy the verify runner's prebuilt one, or else build templates/probe/wine-processprng.c
    into it with the first of the recipe's mingw compilers the environment has."""
    # The prefix lives beside, not inside, the scratch workdir: creating one costs seconds, and a second
    # verify of the same container (warm) reuses it. It is scratch in /tmp, per user (wine insists on owning it).
    prefix = "/tmp/envbuilder-wineprefix-$(id -u)"
    sys32 = f"{prefix}/drive_c/windows/system32"
    return (
        f"export HOME={ex.workdir} WINEPREFIX={prefix} WINEDEBUG=-all; mkdir -p \"$WINEPREFIX\"; "
        "wine=$(command -v wine64 || echo /usr/lib/wine/wine64); "  # Debian keeps wine64 in /usr/lib/wine
        '"$wine" cmd /c exit >/dev/null 2>&1; '
        f"if [ -e {RUNNER_WINE_SHIM} ] && [ ! -e {sys32}/bcryptprimitives.dll ]; then "
        f"cp {RUNNER_WINE_SHIM} {sys32}/; fi; "
        f"if [ ! -e {sys32}/bcryptprimitives.dll ]; then "
        f"cc=$({' || '.join(f'command -v {shlex.quote(cc)}' for cc in wine.shim_cc)}) && "
        f'"$cc" -shared -O2 -o {sys32}/bcryptprimitives.dll {ex.workdir}/wine/processprng.c '
        f"{ex.workdir}/wine/processprng.def -ladvapi32 >/dev/null 2>&1; fi; "
        f'"$wine" {binary}'
    )


def _tail(res: ExecResult) -> str:
    lines = (res.stderr.strip() or res.stdout.strip()).splitlines()
    return " | ".join(lines[-3:])[:400]


def copy_out(ex: Executor) -> tempfile.TemporaryDirectory:
    tmp = tempfile.TemporaryDirectory(prefix="envbuilder-probes-")
    ex.get_dir("out", Path(tmp.name))
    return tmp
