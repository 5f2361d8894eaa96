"""Diagnose this machine against the project's lock: the doctor checks, with the slow probes started first."""

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
from envbuilder.report import Report


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


def header(ctx: Context) -> str:
    """The first line people read: which project, and which Go its lock pins."""
    locked = ctx.project.locked_version
    return (f"envbuilder doctor {ctx.short(str(ctx.project.directory))}"
            + (f" (locked: go{locked})" if locked else " (no envbuilder.lock: Go setup only)"))
