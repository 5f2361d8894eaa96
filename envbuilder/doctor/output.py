"""doctor for people: one verdict line per area (✓ / ! / ✗), each warning and failure with its fix;
`-v` adds every finding with its evidence."""

from __future__ import annotations

import re

from envbuilder.report import CheckResult, Report

MARK = {"pass": "✓", "warn": "!", "fail": "✗", "error": "✗", "skip": "-"}
_RANK = {"skip": 0, "pass": 1, "warn": 2, "fail": 3, "error": 3}


def split_message(message: str) -> tuple[str, str, str]:
    """(summary, evidence, fix) of a doctor message "summary. evidence: ...; .... fix: ..."."""
    fix = ""
    m = re.search(r"\. fix: (.*)$", message)
    if m:
        message, fix = message[: m.start()], m.group(1)
    evidence = ""
    m = re.search(r"\. evidence: (.*)$", message)
    if m:
        message, evidence = message[: m.start()], m.group(1)
    return message, evidence, fix


def render(report: Report, header: str, verbose: bool = False) -> str:
    lines = [header]
    areas: dict[str, list[CheckResult]] = report.by_target()
    width = max((len(a) for a in areas), default=4)
    for area, results in areas.items():
        worst = max(results, key=lambda r: _RANK[r.status])
        shown = [r for r in results if verbose or r.status in ("warn", "fail", "error")]
        if not shown:
            summary, _, _ = split_message(worst.message)
            lines.append(f"{MARK[worst.status]} {area:<{width}}  {summary}")
            continue
        lines.append(f"{MARK[worst.status]} {area}")
        for r in shown:
            summary, evidence, fix = split_message(r.message)
            lines.append(f"    {MARK[r.status]} {summary}")
            if verbose and evidence:
                lines.extend(f"        {e}" for e in evidence.split("; "))
            if fix and r.status != "pass":
                lines.append(f"        fix: {fix}")
    return "\n".join(lines)  # the summary line is the emitter's, on stderr, as for every report
