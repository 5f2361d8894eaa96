"""Compare two snapshots: every differing fact, ranked (output, then module resolution, then cosmetic).

Two environments (or two binaries) are compared over every fact either has; a release binary and an
environment only over the facts both have (Go version, GOOS/GOARCH, CGO_ENABLED, GOAMD64, ...), since an
environment has no -ldflags and a binary no Debian packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from envbuilder.snapshot.flatten import flatten
from envbuilder.snapshot.model import SCHEMA_VERSION, Snapshot
from envbuilder.snapshot.ranking import CLASS_ORDER, CLASS_TITLES, ChangeClass, classify, rank

if TYPE_CHECKING:
    from rich.console import Console

ABSENT = "none"


class Difference(BaseModel):
    key: str = Field(description="The flat fact key, e.g. env.GOPROXY.")
    fact: str = Field(description="What it is, for people: `Go version`, `GOPROXY`.")
    change: ChangeClass
    a: str | None
    b: str | None

    def headline(self) -> str:
        return f"{self.fact} differs: {self.a if self.a is not None else ABSENT} vs " \
               f"{self.b if self.b is not None else ABSENT}"


class DiffReport(BaseModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    a: str = Field(description="Source of the first operand.")
    b: str = Field(description="Source of the second operand.")
    headline: str = Field(description="The most important difference, in one line.")
    counts: dict[ChangeClass, int]
    differences: list[Difference] = Field(description="Most important first.")

    @property
    def exit_code(self) -> int:
        """1 when the build's output or its module resolution may differ, else 0."""
        return 1 if self.counts["output"] or self.counts["module"] else 0


def compare(a: Snapshot, b: Snapshot) -> DiffReport:
    flat_a, flat_b = flatten(a.facts), flatten(b.facts)
    if (a.facts.kind == "binary") != (b.facts.kind == "binary"):
        keys = flat_a.keys() & flat_b.keys()
    else:
        keys = flat_a.keys() | flat_b.keys()
    differences = []
    for key in sorted((k for k in keys if flat_a.get(k) != flat_b.get(k)), key=rank):
        _, row = classify(key)
        differences.append(Difference(key=key, fact=row.describe(key), change=row.change,
                                      a=flat_a.get(key), b=flat_b.get(key)))
    counts = {c: sum(d.change == c for d in differences) for c in CLASS_ORDER}
    return DiffReport(a=a.source, b=b.source, headline=differences[0].headline() if differences else "no differences",
                      counts=counts, differences=differences)


def summary_line(report: DiffReport) -> str:
    parts = ", ".join(f"{report.counts[c]} {CLASS_TITLES[c]}" for c in CLASS_ORDER)
    verdict = "the build may differ" if report.exit_code else "no difference changes the build"
    return f"diff: {verdict}: {parts} difference(s)"


def render_table(report: DiffReport, console: Console) -> None:
    """The headline first, then one row per difference, grouped by class."""
    from rich.table import Table

    from envbuilder.report import cell

    console.print(report.headline, markup=False, style="bold" if report.exit_code else None)
    if not report.differences:
        return
    table = Table(show_lines=False, expand=False)
    for title in ("class", "fact", cell(report.a), cell(report.b)):
        table.add_column(title, overflow="fold")
    for i, d in enumerate(report.differences):
        last_of_class = i + 1 == len(report.differences) or report.differences[i + 1].change != d.change
        table.add_row(CLASS_TITLES[d.change], cell(d.fact), cell(d.a if d.a is not None else ABSENT),
                      cell(d.b if d.b is not None else ABSENT), end_section=last_of_class)
    console.print(table)


def json_schema() -> dict[str, Any]:
    return DiffReport.model_json_schema()
