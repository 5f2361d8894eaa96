"""Check results and their reports, shared by `verify` and `inspect`: one model, three renderings.

- people: a rich table grouped by target (`render_table`; a command may pass its own), then a one-line
  summary on stderr;
- programs: JSON (`to_json`); its schema is `json_schema()` (pydantic's export of `Report`, or of a tool's
  subclass that adds its payload). The records are plain dataclasses (envbuilder.record): writing a report
  needs no pydantic;
- CI: JUnit XML (`write_junit`), one <testsuite> per target, every suite fully attributed (name, tests,
  failures, errors, skipped, time, timestamp) because CI parsers reject partial suites; each failure's
  message carries expected vs actual.

Exit codes: 0 when every check passed, warned or was skipped, 1 when any failed or errored. `emit` is the
one way a command prints a report (table, `--json`, `--junit`), under one console policy.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal

from envbuilder.record import NotPlain, Record, dump_json

if TYPE_CHECKING:
    from rich.console import Console

# warn: the check holds but the finding deserves a look; it does not fail the run.
Status = Literal["pass", "warn", "fail", "error", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "error", "skip")
# The one place status colours are defined (tables, summary).
STATUS_STYLE: dict[str, str] = {"pass": "green", "warn": "bold dark_orange", "fail": "bold red",
                                "error": "bold magenta", "skip": "yellow"}
# Off a terminal (CI logs) tables are not wrapped to 80 columns: they get this many, and take only what they need.
OFF_TTY_WIDTH = 1000

# Patterns, compiled on first use (by re's cache): compiling them costs more than a small report.
_SURROGATE = "[\ud800-\udfff]"
# What XML 1.0 cannot carry, not even as a character reference.
_NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


@dataclass
class CheckResult(Record):
    """One check on one target. `target` groups results (an image platform, a binary's path)."""

    id: str
    target: str
    status: Status
    expected: str | None = None
    actual: str | None = None
    message: str = ""
    duration: float = 0.0  # seconds

    def __post_init__(self) -> None:
        self.duration = float(self.duration)  # a whole number of seconds is written 1.0, as pydantic wrote it

    def describe(self) -> str:
        """One line: the message, then expected vs actual when known."""
        parts = [self.message] if self.message else []
        if self.expected is not None or self.actual is not None:
            parts.append(f"expected {self.expected}, actual {self.actual}")
        return "; ".join(parts)


@dataclass
class Report(Record):
    tool: str  # "inspect", "verify"
    results: list[CheckResult] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
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
            f"{c['pass']} passed, {c['warn']} warnings, {c['fail']} failed, {c['error']} errors, {c['skip']} skipped")


# --- JSON ----------------------------------------------------------------------------------------------------


def to_json(report: Report, indent: int | None = 2) -> str:
    try:
        text = dump_json(report, indent)
    except NotPlain:  # a tool's payload holds a pydantic model: pydantic writes it all
        from pydantic_core import PydanticSerializationError

        try:
            return report.model_dump_json(indent=indent)
        except PydanticSerializationError:
            text = json.dumps(report.model_dump(mode="json"), indent=indent, ensure_ascii=False)
    else:
        if text.isascii() or not re.search(_SURROGATE, text):
            return text
        text = dump_json(report, indent, python_floats=True)  # as json.dumps wrote it when pydantic refused
    # A file name that is not UTF-8 arrives as a str holding lone surrogates (Python's surrogateescape),
    # which UTF-8 cannot encode: those become JSON \u escapes, and json.loads + os.fsencode give the
    # original bytes back. Every other character is written as pydantic writes it.
    return re.sub(_SURROGATE, lambda m: f"\\u{ord(m.group()):04x}", text)


def json_schema(model: type[Report] = Report) -> dict[str, Any]:
    """The JSON Schema of `to_json`'s output. Tools add their payload by subclassing Report (inspect's
    InspectReport adds `binaries`), and pass their subclass here."""
    return model.model_json_schema()


# --- table ---------------------------------------------------------------------------------------------------

def render_table(report: Report, console: Console | None = None, only_problems: bool = False) -> None:
    """Print the results grouped by target (a section per target). `emit` prints the summary line."""
    from rich.table import Table

    console = console or make_console()
    table = Table(title=f"envbuilder {report.tool}", show_lines=False, expand=False)
    for col in ("target", "check", "status", "expected", "actual", "message"):
        table.add_column(col, overflow="fold")
    for target, results in report.by_target().items():
        # warnings are findings too: a problems-only table keeps them
        shown = [r for r in results if not only_problems or r.status in ("warn", "fail", "error")]
        for i, r in enumerate(shown):
            table.add_row(cell(target) if i == 0 else "", cell(r.id), status_cell(r.status), cell(r.expected),
                          cell(r.actual), cell(r.message), end_section=i == len(shown) - 1)
    if table.row_count:
        console.print(table)


def status_cell(status: str) -> str:
    return f"[{STATUS_STYLE[status]}]{status}[/]"


def printable(text: str) -> str:
    """TEXT with control and format characters (terminal escapes, bidi overrides, newlines) written as
    Python escapes, so a hostile file name cannot drive the terminal or fake a table row."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
                   else ch for ch in text)


def cell(value: object) -> str:
    """A table cell from any value: printable, and rich markup in it shown as text."""
    from rich.markup import escape

    return "" if value is None else escape(printable(str(value)))


# --- console policy and the one emitter ----------------------------------------------------------------------


def make_console(stderr: bool = False) -> Console:
    """The terminal's width on a TTY; off one, COLUMNS if set, else OFF_TTY_WIDTH. rich honours NO_COLOR."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not stream.isatty():
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else OFF_TTY_WIDTH
    return Console(file=stream, width=width, highlight=False)


def emit(report: Report, *, as_json: bool, junit: Path | None,
         table: Callable[[Any, Console], None] = render_table) -> int:
    """Write REPORT as every command does: JUnit to a file when asked, then JSON or TABLE on stdout, then the
    summary line on stderr. Returns the exit code."""
    if junit is not None:
        write_junit(report, junit)
    if as_json:
        sys.stdout.write(to_json(report) + "\n")
        sys.stdout.flush()
    else:
        table(report, make_console())
    make_console(stderr=True).print(summary_line(report), style="green" if report.ok else "bold red",
                                    markup=False)
    return exit_code(report)


# --- JUnit ---------------------------------------------------------------------------------------------------


def write_junit(report: Report, path: Path) -> None:
    """One testsuite per target; a testcase per check; failure/error messages say expected vs actual.

    JUnit has no warning status: a warn is a passing testcase whose <system-out> starts with
    `envbuilder.status=warn`, and its suite carries the property envbuilder.warnings (the count). Properties
    stay on the testsuite because common schemas (and CI parsers) reject them on a testcase."""
    import io

    from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

    from envbuilder.fsutil import write_all

    xml = JUnitXml(name=f"envbuilder {report.tool}")
    timestamp = report.started.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
    for target, results in report.by_target().items():
        suite = TestSuite(xml_text(target))
        suite.timestamp = timestamp
        suite.hostname = "localhost"
        for r in results:
            case = TestCase(xml_text(r.id), classname=xml_text(f"{report.tool}.{target}"),
                            time=round(r.duration, 6))
            if r.status == "fail":
                case.result = [Failure(xml_text(r.describe()), type_="mismatch")]
            elif r.status == "error":
                case.result = [Error(xml_text(r.describe()), type_="error")]
            elif r.status == "skip":
                case.result = [Skipped(xml_text(r.describe()))]
            elif r.status == "warn":
                case.system_out = xml_text(f"envbuilder.status=warn: {r.describe()}")
            suite.add_testcase(case)
        warnings = sum(r.status == "warn" for r in results)
        if warnings:
            suite.add_property("envbuilder.warnings", str(warnings))
        suite.update_statistics()  # tests, failures, errors, skipped, time
        xml.add_testsuite(suite)
    xml.update_statistics()
    out = io.BytesIO()
    xml.write(out, pretty=True)
    write_all(path.parent, {path.name: out.getvalue()})  # a CI reader never sees half a file


def xml_text(text: str) -> str:
    """TEXT with what XML cannot carry written as Python-style escapes: a file name's undecodable byte
    (a surrogateescape'd U+DC80..U+DCFF) as \\xNN, a control character as \\x01, others as \\uNNNN."""
    return re.sub(_NOT_XML, _escape_for_xml, text)


def _escape_for_xml(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
