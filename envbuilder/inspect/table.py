"""The people-facing output of inspect: one row of facts per file, then the problems (the report emitter adds
the summary line)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from envbuilder.inspect.expect import actual_platforms
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.run import InspectReport
from envbuilder.report import cell, make_console, render_table, status_cell


def render(report: InspectReport, console: Console | None = None) -> None:
    console = console or make_console()
    worst = _worst_status(report)
    table = Table(title="envbuilder inspect", expand=False)
    for col in ("file", "format", "platform", "type", "linkage", "Go", "notes", "status"):
        table.add_column(col, overflow="fold")
    for f in report.binaries:
        status = worst.get(f.path, "pass")
        if status == "skip":
            continue  # a non-binary met while walking a directory (its only check is a skipped read)
        table.add_row(cell(f.path), *_cells(f), status_cell(status))
    if table.row_count:
        console.print(table)
    render_table(report, console, only_problems=True)


def _cells(f: BinaryFacts) -> list[str]:
    if f.error and f.format == "unknown":
        return ["", "", "", "", "", cell(f.error)]
    fmt = "fat Mach-O" if f.slices else f"{f.format} {f.bits or '?'}-bit {'BE' if f.endian == 'big' else 'LE'}"
    platforms = ", ".join(map(str, actual_platforms(f))) or (f.machine or "?")
    go = f.go or next((s.go for s in f.slices if s.go), None)
    notes = [n for n, on in (("stripped", f.stripped), ("pie", f.pie), ("trimpath", go and go.trimpath),
                             ("cgo", go and go.cgo)) if on]
    if f.subsystem:
        notes.append(f.subsystem)
    if f.min_os:
        notes.append(f"min {f.os_abi} {f.min_os}")
    if f.error:
        notes.append(f.error)
    return [cell(v) for v in (fmt, platforms, f.kind or "", f.linkage or "", go.go_version if go else "not Go",
                              ", ".join(notes))]


def _worst_status(report: InspectReport) -> dict[str, str]:
    rank = {"skip": 0, "pass": 1, "warn": 2, "fail": 3, "error": 4}  # a skipped check does not hide a pass
    worst: dict[str, str] = {}
    for r in report.results:
        if r.target not in worst or rank[r.status] > rank[worst[r.target]]:
            worst[r.target] = r.status
    return worst
