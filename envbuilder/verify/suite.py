"""The verification suite: every verify check of the catalogue (envbuilder.checks), run through one executor,
into one Report.

`only`/`skip` select by id or id prefix (`binary` = binary.*); a pattern that names no verify check is bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from envbuilder import checks
from envbuilder.checks import CATALOGUE, id_matches
from envbuilder.errors import InputError
from envbuilder.identity import RUNNER_STAGE, image_tag
from envbuilder.report import CheckResult, Report
from envbuilder.verify import environment, repro, targets
from envbuilder.verify.executors import Executor
from envbuilder.verify.expected import Expectations, TargetExpectation
from envbuilder.verify.runner import VerifyRunner

TARGET_CHECK_PREFIXES = tuple(CATALOGUE.groups("verify", ("target", "binary")))
BUILD, BINARY, EXEC = checks.BUILD_PROBE.group, checks.BINARY_READ.group, checks.EXEC_RUN.group
REPRO = checks.REPRO_PROBE.group


def _matches(check_id: str, prefixes: Iterable[str]) -> bool:
    return any(id_matches(check_id, p) for p in prefixes)


class Selection:
    def __init__(self, only: list[str], skip: list[str]) -> None:
        self.only, self.skip = only, skip

    @classmethod
    def parse(cls, only: list[str], skip: list[str], tool: str = "verify") -> "Selection":
        """A selection whose every pattern names at least one of TOOL's checks, else InputError naming it."""
        for option, patterns in (("--only", only), ("--skip", skip)):
            for pattern in patterns:
                if not CATALOGUE.matching(pattern, tool):
                    raise InputError(f"{option}: {pattern!r} is not a {tool} check id or id prefix (groups: "
                                     f"{', '.join(CATALOGUE.groups(tool))})")
        return cls(only, skip)

    def __call__(self, check_id: str) -> bool:
        if self.only and not _matches(check_id, self.only):
            return False
        return not _matches(check_id, self.skip)

    def any_of(self, prefixes: Iterable[str]) -> bool:
        """Could any check under these prefixes be selected? (cheap test before expensive work)"""
        prefixes = list(prefixes)
        if self.only and not any(_matches(p, self.only) or any(o.startswith(p + ".") or o == p for o in self.only)
                                 for p in prefixes):
            return False
        return not all(_matches(p, self.skip) for p in prefixes)


@checks.implements(checks.IMAGE_LOCK)
def image_checks(ex: Executor, exp: Expectations) -> Iterable[CheckResult]:
    if not ex.image_attrs:
        return [checks.IMAGE_LOCK.skip(f"{ex.name} is not an image: no lock label to compare")]
    labels = ex.image_attrs.get("Config", {}).get("Labels") or {}
    got = labels.get("dev.envbuilder.lock-hash")
    return [checks.IMAGE_LOCK.outcome(got == exp.lock.hash, exp.lock.hash, got or "no envbuilder label",
                                      "the image was not built from the current lock: rebuild it")]


@dataclass
class VerifyReport(Report):
    """`envbuilder verify --json` output: the check results plus where each probe binary was executed."""

    tool: str = "verify"
    executions: list[targets.BinaryRun] = field(default_factory=list)


def run_suite(ex: Executor, exp: Expectations, *, stage: str, selection: Selection, jobs: int | None = None
              ) -> VerifyReport:
    report = VerifyReport()

    def add(results: Iterable[CheckResult]) -> None:
        report.results.extend(r for r in results if selection(r.id))

    add(image_checks(ex, exp))
    add(environment.toolchain_checks(ex, exp))
    add(environment.module_checks(ex, exp))
    add(environment.workspace_checks(ex, exp, stage))
    add(environment.hygiene_checks(ex))
    if selection.any_of(TARGET_CHECK_PREFIXES):
        add(_target_checks(ex, exp, selection, jobs, report.executions))
    report.finished = datetime.now(timezone.utc)
    return report


def _target_checks(ex: Executor, exp: Expectations, selection: Selection, jobs: int | None,
                   executions: list[targets.BinaryRun]) -> Iterable[CheckResult]:
    expectations = exp.targets()
    ex.put_files(targets.probe_files())
    ex.run(f"mkdir -p {ex.workdir}/out")
    for t in expectations:
        yield from targets.cgo_checks(ex, t)
    if not selection.any_of((BUILD, BINARY, EXEC, REPRO)):
        return
    if jobs is None:
        nproc = ex.run("nproc")
        words = nproc.stdout.split()
        jobs = int(words[0]) if nproc.ok and words and words[0].isdigit() else 1
    if selection.any_of((BUILD, BINARY, EXEC)):
        yield from _probe_checks(ex, exp, expectations, selection, jobs, executions)
    if selection.any_of((REPRO,)):
        yield from repro.repro_checks(ex, expectations, jobs)


def _probe_checks(ex: Executor, exp: Expectations, expectations: list[TargetExpectation], selection: Selection,
                  jobs: int, executions: list[targets.BinaryRun]) -> Iterable[CheckResult]:
    built = targets.build_all(ex, expectations, jobs)
    host = ex.run("go env GOHOSTOS GOHOSTARCH").stdout.split()
    native = "/".join(host[:2]) if len(host) >= 2 else "linux/amd64"
    ok_targets = []
    for t in expectations:
        check = targets.build_check(t, built[t.key])
        yield check
        if check.status == "pass":
            ok_targets.append(t)
    if not ok_targets:
        return
    run_exec = selection.any_of((EXEC,))
    runner = (VerifyRunner(image_tag(exp.spec, exp.lock, RUNNER_STAGE), targets.probe_files())
              if run_exec and exp.spec.verify.uses_runner else None)
    out = targets.copy_out(ex) if selection.any_of((BINARY,)) or runner else None
    try:
        if selection.any_of((BINARY,)):
            for t in ok_targets:
                oracle = ex.run(f"go version -m {ex.workdir}/{t.output}")
                yield from targets.binary_checks(t, Path(out.name) / t.output, exp.go_version, oracle)
        if run_exec:
            if runner is not None:
                runner.binaries_from(Path(out.name))
            for t in ok_targets:
                result, ran = targets.run_binary(ex, t, native, exp.spec.verify.emulate, runner)
                executions.extend([ran] if ran else [])
                yield result
    finally:
        if runner is not None:
            runner.close()
        if out is not None:
            out.cleanup()
