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

import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from rich.console import Console

_SURROGATE = re.compile("[\ud800-\udfff]")
# What XML 1.0 cannot carry, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Status = Literal["pass", "fail", "error", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "error", "skip")


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
    from pydantic_core import PydanticSerializationError

    try:
        return report.model_dump_json(indent=indent)
    except PydanticSerializationError:
        # A file name that is not UTF-8 arrives as a str holding lone surrogates (Python's surrogateescape),
        # which UTF-8 cannot encode: those become JSON \u escapes, and json.loads + os.fsencode give the
        # original bytes back. Every other character is written as pydantic writes it.
        text = json.dumps(report.model_dump(mode="json"), indent=indent, ensure_ascii=False)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_schema(model: type[Report] = Report) -> dict[str, Any]:
    """The JSON Schema of `to_json`'s output. Tools add their payload by subclassing Report (inspect's
    InspectReport adds `binaries`), and pass their subclass here."""
    return model.model_json_schema()


# --- table ---------------------------------------------------------------------------------------------------

_STYLE = {"pass": "green", "fail": "bold red", "error": "bold magenta", "skip": "yellow"}


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
            suite.add_testcase(case)
        suite.update_statistics()  # tests, failures, errors, skipped, time
        xml.add_testsuite(suite)
    xml.update_statistics()
    out = io.BytesIO()
    xml.write(out, pretty=True)
    write_all(path.parent, {path.name: out.getvalue()})  # a CI reader never sees half a file


def xml_text(text: str) -> str:
    """TEXT with what XML cannot carry written as Python-style escapes: a file name's undecodable byte
    (a surrogateescape'd U+DC80..U+DCFF) as \\xNN, a control character as \\x01, others as \\uNNNN."""
    return _NOT_XML.sub(_escape_for_xml, text)


def _escape_for_xml(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
