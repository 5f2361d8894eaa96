"""One finding: a verdict, what was seen, and the one-line fix; turned into a report CheckResult."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from envbuilder.report import CheckResult

Verdict = Literal["pass", "warn", "fail", "skip"]
_USERINFO = re.compile(r"(://)[^/@\s]+@")


def redact(text: str) -> str:
    """Credentials inside URLs (https://user:token@host) never reach the output."""
    return _USERINFO.sub(r"\1***@", text)


@dataclass(frozen=True)
class Finding:
    status: Verdict
    summary: str
    fix: str = ""
    evidence: tuple[str, ...] = field(default_factory=tuple)
    expected: str | None = None
    actual: str | None = None

    def message(self) -> str:
        """Summary, then the evidence, then the fix last (so tools can take everything after "fix: ")."""
        parts = [self.summary.rstrip(".")]
        if self.evidence:
            parts.append("evidence: " + "; ".join(self.evidence))
        if self.fix:
            parts.append("fix: " + self.fix)
        return redact(". ".join(parts))

    def result(self, check_id: str, duration: float = 0.0) -> CheckResult:
        area = check_id.split(".")[1]
        return CheckResult(id=check_id, target=area, status=self.status,
                           expected=None if self.expected is None else redact(self.expected),
                           actual=None if self.actual is None else redact(self.actual),
                           message=self.message(), duration=duration)


def passed(summary: str, *evidence: str) -> Finding:
    return Finding("pass", summary, evidence=tuple(evidence))


def skipped(reason: str) -> Finding:
    return Finding("skip", reason)
