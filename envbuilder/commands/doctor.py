"""`envbuilder doctor`: why this machine is not the locked environment, with a one-line fix per finding."""

from __future__ import annotations

from pathlib import Path


def run(directory: Path, *, as_json: bool, junit: Path | None, verbose: bool, offline: bool) -> int:
    from envbuilder.doctor.diagnose import diagnose, header
    from envbuilder.doctor.output import render
    from envbuilder.fsutil import check_destinations
    from envbuilder.report import emit

    if junit is not None:
        check_destinations([junit])  # before the probes, not after
    report, ctx = diagnose(directory, offline=offline)

    def verdicts(report, console) -> None:
        console.print(render(report, header(ctx), verbose), markup=False, highlight=False, soft_wrap=True)

    return emit(report, as_json=as_json, junit=junit, table=verdicts)
