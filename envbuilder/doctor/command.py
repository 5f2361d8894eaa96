"""`envbuilder doctor`: diagnose this machine against the project's lock and print verdicts and fixes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from concurrent.futures import ThreadPoolExecutor

from envbuilder.doctor.checks import run_checks
from envbuilder.doctor.context import Context, load_project
from envbuilder.doctor.machine import LocalMachine, Machine
from envbuilder.doctor.module_checks import start_probes
from envbuilder.doctor.probes import probe_all
from envbuilder.doctor.shells import start_login_shells
from envbuilder.errors import EnvironmentProblem
from envbuilder.report import Report, exit_code, to_json, write_junit


def diagnose(directory: Path, machine: Machine | None = None, offline: bool = False) -> tuple[Report, Context]:
    project = load_project(directory)
    machine = machine or LocalMachine()
    if not machine.env.get("HOME"):
        raise EnvironmentProblem("doctor needs HOME to find the Go settings and startup files: HOME is not set")
    report = Report(tool="doctor")
    with ThreadPoolExecutor(max_workers=3) as pool:
        ctx = Context(machine, project, probe=None if offline else probe_all, pool=pool)
        start_login_shells(ctx)  # slow (startup files): they run while go env and the checks run
        if ctx.installs:
            start_probes(ctx)
        report.results = run_checks(ctx)
    report.finished = datetime.now(timezone.utc)
    return report, ctx


def doctor_command(directory: Path, as_json: bool = False, junit: Path | None = None, verbose: bool = False,
                   offline: bool = False) -> int:
    import typer

    from envbuilder.doctor.output import render

    report, ctx = diagnose(directory, offline=offline)
    if junit is not None:
        write_junit(report, junit)
    if as_json:
        typer.echo(to_json(report))
    else:
        locked = ctx.project.locked_version
        header = (f"envbuilder doctor {ctx.short(str(ctx.project.directory))}"
                  + (f" (locked: go{locked})" if locked else " (no envbuilder.lock: Go setup only)"))
        typer.echo(render(report, header, verbose))
    return exit_code(report)
