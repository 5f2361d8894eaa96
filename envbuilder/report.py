"""Check results and their reports, shared by `verify` and `inspect`: one model, three renderings.

- people: a rich table grouped by target (`render_table`), then a one-line summary;
- programs: JSON (`to_json`); its schema is `json_schema()` (pydantic's export of `Report`, or of a tool's
  subclass that adds its payload);
- CI: JUnit XML (`write_junit`), one <testsuite> per target, every suite fully attributed (name, tests,
  failures, errors, skipped, time, timestamp) because CI parsers reject partial suites; each failure's
  message carries expected vs actual.

Exit codes follow design.md: 0 when every check passed or was skipped, 1 when any failed or errored.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from rich.console import Console

# "warn": a finding that is not a failure (doctor); it counts as passed for exit codes and JUnit.
Status = Literal["pass", "fail", "error", "skip", "warn"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "skip", "warn")


class CheckResult(BaseModel):
    """One check on one target. `target` groups results (an image platform, a binary's path)."""

    id: str
    target: str
    status: Status
    expected: str | None = None
    actual: str | None = None
    message: str = ""
    duration: float = 0.0  # seconds

    def describe(self) -> str:
        """One line: the message, then expected vs actual when known."""
        parts = [self.message] if self.message else []
        if self.expected is not None or self.actual is not None:
            parts.append(f"expected {self.expected}, actual {self.actual}")
        return "; ".join(parts)


class Report(BaseModel):
    tool: str  # "inspect", "verify"
    results: list[CheckResult] = Field(default_factory=list)
    started: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    finished: datetime | None = None

    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.results)
        return {s: c.get(s, 0) for s in STATUSES}

    @property
    def ok(self) -> bool:
        return not any(r.status in ("fail", "error") for r in self.results)

    def by_target(self) -> dict[str, list[CheckResult]]:
        """Results grouped by target, targets in the order they first appear."""
        groups: dict[str, list[CheckResult]] = {}
        for r in self.results:
            groups.setdefault(r.target, []).append(r)
        return groups


def exit_code(report: Report) -> int:
    return 0 if report.ok else 1


def summary_line(report: Report) -> str:
    c = report.counts()
    verdict = "ok" if report.ok else "FAILED"
    return (f"{report.tool}: {verdict}: {len(report.by_target())} targets, {len(report.results)} checks: "
            f"{c['pass']} passed, {c['fail']} failed, {c['error']} errors, {c['skip']} skipped")


# --- JSON ----------------------------------------------------------------------------------------------------


def to_json(report: Report, indent: int | None = 2) -> str:
    return report.model_dump_json(indent=indent)


def json_schema(model: type[Report] = Report) -> dict[str, Any]:
    """The JSON Schema of `to_json`'s output. Tools add their payload by subclassing Report (inspect's
    InspectReport adds `binaries`), and pass their subclass here."""
    return model.model_json_schema()


# --- table ---------------------------------------------------------------------------------------------------

_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "error": "bold magenta", "skip": "yellow"}


def render_table(report: Report, console: Console | None = None, only_problems: bool = False) -> None:
    """Print the results grouped by target (a section per target), then the summary line."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"envbuilder {report.tool}", show_lines=False, expand=False)
    for col in ("target", "check", "status", "expected", "actual", "message"):
        table.add_column(col, overflow="fold")
    for target, results in report.by_target().items():
        shown = [r for r in results if not only_problems or r.status in ("fail", "error")]
        for i, r in enumerate(shown):
            table.add_row(target if i == 0 else "", r.id, f"[{_STYLE[r.status]}]{r.status}[/]",
                          _cell(r.expected), _cell(r.actual), r.message, end_section=i == len(shown) - 1)
    if table.row_count:
        console.print(table)
    console.print(summary_line(report), style="green" if report.ok else "bold red", highlight=False)


def _cell(value: str | None) -> str:
    from rich.markup import escape

    return "" if value is None else escape(value)


# --- JUnit ---------------------------------------------------------------------------------------------------


def write_junit(report: Report, path: Path) -> None:
    """One testsuite per target; a testcase per check; failure/error messages say expected vs actual."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

    xml = JUnitXml(name=f"envbuilder {report.tool}")
    timestamp = report.started.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    for target, results in report.by_target().items():
        suite = TestSuite(target)
        suite.timestamp = timestamp
        suite.hostname = "localhost"
        for r in results:
            case = TestCase(r.id, classname=f"{report.tool}.{target}", time=round(r.duration, 6))
            if r.status == "fail":
                case.result = [Failure(r.describe(), type_="mismatch")]
            elif r.status == "error":
                case.result = [Error(r.describe(), type_="error")]
            elif r.status == "skip":
                case.result = [Skipped(r.describe())]
            suite.add_testcase(case)
        suite.update_statistics()  # tests, failures, errors, skipped, time
        xml.add_testsuite(suite)
    xml.update_statistics()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    xml.write(str(tmp), pretty=True)
    tmp.replace(path)  # atomic: a CI reader never sees half a file
