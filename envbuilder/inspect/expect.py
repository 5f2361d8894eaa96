"""Expectations -> check results, per binary and for the whole matrix.

Always: `read` (the file parsed) and, for Go binaries, `headers-vs-buildinfo` (the headers' os/arch agree
with the GOOS/GOARCH Go recorded). When asked: `platform` (--expect), `go-version` (--expect-go), `static`
(--expect-static), `trimpath` (--expect-trimpath), `name` (--expect-names), `goreleaser` (artifacts.json).
Matrix-level: every expected platform and every goreleaser artifact must be present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from envbuilder.inspect.analyze import NOT_A_BINARY
from envbuilder.inspect.arch import SYSV_OSES
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.goreleaser import Claim
from envbuilder.inspect.platform import Platform, normalize_variant, platform_from_name
from envbuilder.report import CheckResult

MATRIX = "release matrix"
# The variant a Go binary was built for when its build info predates recording it (GOARM64: Go 1.23).
DEFAULT_VARIANT = {"arm64": "v8.0"}


@dataclass
class Expectations:
    platforms: list[Platform] = field(default_factory=list)
    go_version: str | None = None  # "1.22.10" exact, "1.22" any patch
    static: bool = False
    trimpath: bool = False
    names: bool = False


def parse_platforms(values: list[str]) -> list[Platform]:
    """--expect values (each may be a comma list); ValueError names the bad entry."""
    return [Platform.parse(v) for value in values for v in value.split(",") if v.strip()]


def actual_platforms(facts: BinaryFacts) -> list[Platform]:
    """What the file is: Go's GOOS/GOARCH/variant when recorded, else the headers' (one per fat slice)."""
    if facts.slices:
        return [p for s in facts.slices for p in actual_platforms(s)]
    go = facts.go
    if go and go.goos and go.goarch:
        variant = go.arch_level or DEFAULT_VARIANT.get(go.goarch)
        return [Platform(go.goos, go.goarch, normalize_variant(go.goarch, variant))]
    if facts.os and facts.arch:
        return [Platform(facts.os, facts.arch)]
    return []


def check_binary(facts: BinaryFacts, exp: Expectations, claim: Claim | None = None,
                 walked: bool = False, duration: float = 0.0) -> list[CheckResult]:
    target = facts.path

    def result(id: str, ok: bool, expected: str | None, actual: str | None, message: str = "") -> CheckResult:
        return CheckResult(id=id, target=target, status="pass" if ok else "fail", expected=expected,
                           actual=actual, message=message)

    if facts.error:
        if walked and facts.error in (NOT_A_BINARY, "empty file"):  # README, checksums.txt in a dist/ dir
            return [CheckResult(id="read", target=target, status="skip", message=facts.error, duration=duration)]
        return [CheckResult(id="read", target=target, status="error", message=facts.error, duration=duration)]
    results = [CheckResult(id="read", target=target, status="pass", actual=describe(facts), duration=duration)]
    for piece in facts.slices or [facts]:
        if piece.go and piece.go.goos and piece.go.goarch and piece.arch:
            claimed = f"{piece.go.goos}/{piece.go.goarch}"
            header = f"{piece.os}/{piece.arch}"
            ok = piece.arch == piece.go.goarch and os_compatible(piece.os, piece.go.goos)
            results.append(result("headers-vs-buildinfo", ok, claimed, header,
                                  "" if ok else "the headers contradict the Go build info"))
    actual = actual_platforms(facts)
    shown = ", ".join(map(str, actual)) or "unknown"
    if exp.platforms:
        ok = bool(actual) and all(any(e.matches(a) for e in exp.platforms) for a in actual)
        results.append(result("platform", ok, ", ".join(map(str, exp.platforms)), shown))
    if exp.go_version:
        version = facts.go.go_version if facts.go else (facts.slices[0].go.go_version if facts.slices and facts.slices[0].go else None)
        results.append(result("go-version", go_version_matches(exp.go_version, version), f"go{exp.go_version}",
                              version or "not a Go binary"))
    if exp.static:
        results.append(_static(facts, target))
    if exp.trimpath:
        gos = [p.go for p in facts.slices or [facts]]
        ok = all(g is not None and g.trimpath for g in gos)
        actual_tp = "not a Go binary" if any(g is None for g in gos) else ("-trimpath" if ok else "no -trimpath")
        results.append(result("trimpath", ok, "-trimpath", actual_tp))
    if exp.names:
        results.append(_name(facts, actual, target))
    if claim is not None:
        results.append(result("goreleaser", _claim_holds(claim.platform, actual), str(claim.platform), shown,
                              f"artifacts.json: {claim.name}"))
    return results


def matrix_results(exp: Expectations, all_facts: list[BinaryFacts], claims: list[Claim]) -> list[CheckResult]:
    """Each expected platform is built by some binary; each goreleaser artifact exists."""
    found = [p for f in all_facts if not f.error for p in actual_platforms(f)]
    results = []
    for e in exp.platforms:
        ok = any(e.matches(a) for a in found)
        results.append(CheckResult(id=f"present {e}", target=MATRIX, status="pass" if ok else "fail",
                                   expected=str(e), actual=str(e) if ok else "no binary for it"))
    for c in claims:
        if not c.path.exists() and not c.path.is_symlink():
            results.append(CheckResult(id="goreleaser", target=str(c.path), status="fail", expected="the file",
                                       actual="missing", message=f"artifacts.json lists {c.name}"))
    return results


def os_compatible(header_os: str | None, goos: str) -> bool:
    """ELF System V is what Go writes for linux, android, illumos...: not proof of one OS."""
    if header_os == goos:
        return True
    return header_os == "linux" and goos in SYSV_OSES or header_os == "darwin" and goos == "ios"


def go_version_matches(expected: str, actual: str | None) -> bool:
    if actual is None:
        return False
    want = "go" + expected.removeprefix("go")
    base = actual.split(" ")[0].split("-")[0]  # "go1.22.10 X:boringcrypto", "go1.24.0-devel"
    return base == want or (want.count(".") == 1 and base.startswith(want + "."))


def describe(facts: BinaryFacts) -> str:
    """One line: 'ELF 64-bit LSB exe amd64, static, Go go1.22.10'."""
    if facts.slices:
        return "fat Mach-O: " + "; ".join(describe(s) for s in facts.slices)
    parts = [f"{facts.format} {facts.bits}-bit {facts.endian}-endian {facts.kind} {facts.arch or facts.machine}"]
    if facts.linkage:
        parts.append(facts.linkage)
    parts.append(f"Go {facts.go.go_version}" if facts.go else "not Go")
    return ", ".join(parts)


def _static(facts: BinaryFacts, target: str) -> CheckResult:
    if facts.format != "elf":
        return CheckResult(id="static", target=target, status="skip", expected="static",
                           actual=facts.linkage, message=f"not applicable to {facts.format}: "
                           "Windows and macOS programs always link system libraries")
    ok = facts.linkage == "static"
    detail = "" if ok else f"interpreter {facts.interpreter or '-'}; needs {', '.join(facts.needed) or '-'}"
    return CheckResult(id="static", target=target, status="pass" if ok else "fail", expected="static",
                       actual=facts.linkage, message=detail)


def _name(facts: BinaryFacts, actual: list[Platform], target: str) -> CheckResult:
    path = Path(facts.path)
    named = platform_from_name(path.name) or platform_from_name(path.parent.name)
    shown = ", ".join(map(str, actual)) or "unknown"
    if named is None:
        return CheckResult(id="name", target=target, status="fail", expected="a platform in the file name",
                           actual=path.name, message="neither the file nor its directory names a platform")
    problems = [] if _claim_holds(named, actual) else [f"named {named}"]
    is_windows_exe = any(a.os == "windows" for a in actual) and facts.kind == "exe"
    if is_windows_exe != path.name.lower().endswith(".exe"):
        problems.append(".exe suffix " + ("missing" if is_windows_exe else "on a non-Windows binary"))
    return CheckResult(id="name", target=target, status="fail" if problems else "pass", expected=str(named),
                       actual=shown, message="; ".join(problems))


def _claim_holds(claimed: Platform, actual: list[Platform]) -> bool:
    if claimed.arch == "all":  # universal darwin binary: a fat file with amd64 and arm64 slices
        return claimed.os == "darwin" and {a.arch for a in actual} >= {"amd64", "arm64"}
    return len(actual) == 1 and claimed.matches(actual[0])
