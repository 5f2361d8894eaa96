"""The inspect pipeline without the CLI: paths + expectations -> InspectReport (facts and check results)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from envbuilder.inspect.expect import Expectations, check_binary, matrix_results
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.walk import Entry, analyze_all, expand
from envbuilder.report import Report

if TYPE_CHECKING:  # goreleaser's module imports pydantic, which a run without --goreleaser never needs
    from envbuilder.inspect.goreleaser import Claim


@dataclass
class InspectReport(Report):
    """`envbuilder inspect --json` output: the check results plus every file's facts."""

    tool: str = "inspect"
    binaries: list[BinaryFacts] = field(default_factory=list)


def inspect_paths(paths: list[Path], exp: Expectations, claims: list[Claim] | None = None,
                  jobs: int | None = None) -> InspectReport:
    report = InspectReport()
    claims = claims or []
    entries = expand(paths)
    named = {os.path.abspath(e.path) for e in entries}
    # Every artifact goreleaser declares is checked, whether or not a PATH covered it.
    entries += [Entry(str(c.path), walked=False) for c in claims
                if (c.path.exists() or c.path.is_symlink()) and os.path.abspath(c.path) not in named]
    by_path = {os.path.abspath(c.path): c for c in claims}
    for item in analyze_all(entries, jobs):
        facts = item.facts
        report.binaries.append(facts)
        report.results += check_binary(facts, exp, by_path.get(os.path.abspath(facts.path)),
                                       walked=item.walked, duration=item.duration)
    report.results += matrix_results(exp, report.binaries, claims)
    report.finished = datetime.now(timezone.utc)
    return report
