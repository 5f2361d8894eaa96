"""The one evaluator of binary expectations: facts about one file -> `binary.*` check results, for `inspect`
(release artifacts) and `verify` (the probe it built for each target), plus inspect's matrix-level results.

Always: `binary.read` (the file parsed). Each other expectation that is set adds its check: inspect's
`--expect` (binary.platform), `--expect-go` (binary.go-version), `--expect-static` (binary.linkage),
`--expect-glibc` (binary.glibc),
`--expect-trimpath` (binary.trimpath), `--expect-names` (binary.name), artifacts.json (binary.goreleaser), and
for Go binaries binary.headers-vs-buildinfo; verify's per-target format, word size, byte order, machine, OS,
subsystem, linkage, loader and build-info settings. Matrix-level: every expected platform is present
(binary.present) and every goreleaser artifact exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from envbuilder import checks
from envbuilder.inspect.analyze import NOT_A_BINARY
from envbuilder.inspect.arch import SYSV_OSES
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.platform import Platform, normalize_variant, platform_from_name
from envbuilder.report import CheckResult

if TYPE_CHECKING:  # goreleaser's module imports pydantic, which a run without --goreleaser never needs
    from envbuilder.inspect.goreleaser import Claim

MATRIX = "release matrix"
# The variant a Go binary was built for when its build info predates recording it (GOARM64: Go 1.23).
DEFAULT_VARIANT = {"arm64": "v8.0"}


@dataclass
class Expectations:
    """What a binary must be; None/False/empty: not checked."""

    platforms: list[Platform] = field(default_factory=list)
    go_version: str | None = None  # "1.22.10" exact, "1.22" any patch
    static: bool = False  # ELF statically linked (inspect --expect-static)
    glibc: str | None = None  # "2.28": the newest glibc an ELF program may need (inspect --expect-glibc)
    trimpath: bool = False
    names: bool = False
    cross_check: bool = True  # the headers agree with the Go build info's GOOS/GOARCH
    # The build target's header facts (verify's probes).
    format: str | None = None
    bits: int | None = None
    endian: str | None = None
    goos: str | None = None
    goarch: str | None = None
    subsystem: str | None = None
    linkage: str | None = None  # "static" or "dynamic"; `static` means "static"
    interpreter: str | None = None
    buildinfo: dict[str, str] | None = None  # {"go": "go1.22.10", "GOOS": ..., "-trimpath": "true", ...}


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


@checks.implements(checks.BINARY_READ, checks.BINARY_HEADERS_VS_BUILDINFO, checks.BINARY_FORMAT, checks.BINARY_CLASS,
                   checks.BINARY_ENDIAN, checks.BINARY_MACHINE, checks.BINARY_OS, checks.BINARY_SUBSYSTEM,
                   checks.BINARY_LINKAGE, checks.BINARY_GLIBC, checks.BINARY_INTERPRETER, checks.BINARY_PLATFORM,
                   checks.BINARY_GO_VERSION, checks.BINARY_TRIMPATH, checks.BINARY_NAME, checks.BINARY_GORELEASER,
                   checks.BINARY_BUILDINFO)
def check_binary(facts: BinaryFacts, exp: Expectations, claim: Claim | None = None,
                 walked: bool = False, duration: float = 0.0, target: str | None = None) -> list[CheckResult]:
    """Every expectation of EXP that is set, checked against FACTS; results are reported under TARGET
    (default: the file's path)."""
    target = target or facts.path
    read = checks.BINARY_READ
    if facts.error:
        if walked and facts.error in (NOT_A_BINARY, "empty file"):  # README, checksums.txt in a dist/ dir
            return [read.skip(facts.error, target=target, duration=duration)]
        return [read.error(facts.error, target=target, duration=duration)]
    results = [read.passed(actual=describe(facts), target=target, duration=duration)]

    def outcome(check: checks.Check, ok: bool, expected: object, actual: object, message: str = "") -> None:
        results.append(check.outcome(ok, expected, actual, message, target=target))

    if exp.cross_check:
        for piece in facts.slices or [facts]:
            if piece.go and piece.go.goos and piece.go.goarch and piece.arch:
                ok = piece.arch == piece.go.goarch and os_compatible(piece.os, piece.go.goos)
                outcome(checks.BINARY_HEADERS_VS_BUILDINFO, ok, f"{piece.go.goos}/{piece.go.goarch}",
                        f"{piece.os}/{piece.arch}", "the headers contradict the Go build info")
    if exp.format is not None:
        outcome(checks.BINARY_FORMAT, facts.format == exp.format, exp.format, facts.format, "wrong executable format")
    if exp.bits is not None:
        outcome(checks.BINARY_CLASS, facts.bits == exp.bits, f"{exp.bits}-bit", f"{facts.bits}-bit", "wrong word size")
    if exp.endian is not None:
        outcome(checks.BINARY_ENDIAN, facts.endian == exp.endian, exp.endian, facts.endian, "wrong byte order")
    if exp.goarch is not None:
        outcome(checks.BINARY_MACHINE, facts.arch == exp.goarch, exp.goarch, f"{facts.arch} ({facts.machine})",
                "the header's machine is not the target's GOARCH")
    if exp.goos is not None:
        outcome(checks.BINARY_OS, facts.os == exp.goos, exp.goos, f"{facts.os} ({facts.os_abi})",
                "the header's OS differs")
    if exp.subsystem is not None:
        outcome(checks.BINARY_SUBSYSTEM, facts.subsystem == exp.subsystem, exp.subsystem, facts.subsystem,
                "a console program must have the console subsystem")
    linkage = "static" if exp.static else exp.linkage
    if linkage is not None:
        results.append(_linkage(facts, linkage, target))
    if exp.glibc is not None:
        results.append(_glibc(facts, exp.glibc, target))
    if exp.interpreter is not None:
        outcome(checks.BINARY_INTERPRETER, facts.interpreter == exp.interpreter, exp.interpreter, facts.interpreter,
                "wrong dynamic loader for this target")
    actual = actual_platforms(facts)
    shown = ", ".join(map(str, actual)) or "unknown"
    if exp.platforms:
        ok = bool(actual) and all(any(e.matches(a) for e in exp.platforms) for a in actual)
        outcome(checks.BINARY_PLATFORM, ok, ", ".join(map(str, exp.platforms)), shown)
    if exp.go_version:
        version = facts.go.go_version if facts.go else (facts.slices[0].go.go_version if facts.slices and facts.slices[0].go else None)
        outcome(checks.BINARY_GO_VERSION, go_version_matches(exp.go_version, version), f"go{exp.go_version}",
                version or "not a Go binary")
    if exp.trimpath:
        gos = [p.go for p in facts.slices or [facts]]
        ok = all(g is not None and g.trimpath for g in gos)
        actual_tp = "not a Go binary" if any(g is None for g in gos) else ("-trimpath" if ok else "no -trimpath")
        outcome(checks.BINARY_TRIMPATH, ok, "-trimpath", actual_tp)
    if exp.names:
        results.append(_name(facts, actual, target))
    if claim is not None:
        outcome(checks.BINARY_GORELEASER, _claim_holds(claim.platform, actual), str(claim.platform), shown,
                f"artifacts.json: {claim.name}")
    if exp.buildinfo is not None:
        results.append(_buildinfo(facts, exp.buildinfo, target))
    return results


def _linkage(facts: BinaryFacts, want: str, target: str) -> CheckResult:
    check = checks.BINARY_LINKAGE
    if facts.format != "elf":
        return check.skip(f"not applicable to {facts.format}: Windows and macOS programs always link system "
                          "libraries", target=target, expected=want, actual=facts.linkage)
    ok = facts.linkage == want
    if want == "static":
        detail = f"interpreter {facts.interpreter or '-'}; needs {', '.join(facts.needed) or '-'}"
    else:
        detail = "cgo binaries link the C library dynamically"
    return check.outcome(ok, want, facts.linkage, detail, target=target)


def _glibc(facts: BinaryFacts, floor: str, target: str) -> CheckResult:
    check = checks.BINARY_GLIBC
    want = f"glibc <= {floor}"
    if facts.format != "elf":
        return check.skip(f"not applicable to {facts.format}: only ELF programs link glibc", target=target,
                          expected=want)
    from envbuilder.inspect.glibc import newest_glibc_need  # only when a floor is asked for

    try:
        need = newest_glibc_need(facts.path)
    except ValueError as exc:
        return check.error(str(exc), target=target)
    if need is None:
        return check.passed(want, "no GLIBC_ symbol version required", target=target)
    ok = need.version <= tuple(int(part) for part in floor.split("."))
    return check.outcome(ok, want, f"{need.name} ({need.library})",
                         f"requires {need.name} from {need.library}, newer than glibc {floor}", target=target)


def _buildinfo(facts: BinaryFacts, want: dict[str, str], target: str) -> CheckResult:
    info = facts.go
    if info is None:
        return checks.BINARY_BUILDINFO.failed("no Go build info in the binary", "Go build info", "none", target=target)
    got = {"go": info.go_version, **{k: info.setting(k) or "" for k in want if k != "go"}}
    return checks.BINARY_BUILDINFO.outcome(got == want, format_settings(want), format_settings(got),
                                           "Go build info differs from the build", target=target)


def format_settings(settings: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(settings.items()))


@checks.implements(checks.BINARY_PRESENT)
def matrix_results(exp: Expectations, all_facts: list[BinaryFacts], claims: list[Claim]) -> list[CheckResult]:
    """Each expected platform is built by some binary; each goreleaser artifact exists."""
    found = [p for f in all_facts if not f.error for p in actual_platforms(f)]
    results = []
    for e in exp.platforms:
        ok = any(e.matches(a) for a in found)
        results.append(checks.BINARY_PRESENT.outcome(ok, str(e), str(e) if ok else "no binary for it",
                                                     target=MATRIX))
    for c in claims:
        if not c.path.exists() and not c.path.is_symlink():
            results.append(checks.BINARY_GORELEASER.failed(f"artifacts.json lists {c.name}", "the file", "missing",
                                                           target=str(c.path)))
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


def _name(facts: BinaryFacts, actual: list[Platform], target: str) -> CheckResult:
    path = Path(facts.path)
    named = platform_from_name(path.name) or platform_from_name(path.parent.name)
    shown = ", ".join(map(str, actual)) or "unknown"
    if named is None:
        return checks.BINARY_NAME.failed("neither the file nor its directory names a platform",
                                         "a platform in the file name", path.name, target=target)
    problems = [] if _claim_holds(named, actual) else [f"named {named}"]
    is_windows_exe = any(a.os == "windows" for a in actual) and facts.kind == "exe"
    if is_windows_exe != path.name.lower().endswith(".exe"):
        problems.append(".exe suffix " + ("missing" if is_windows_exe else "on a non-Windows binary"))
    return checks.BINARY_NAME.outcome(not problems, str(named), shown, "; ".join(problems), target=target)


def _claim_holds(claimed: Platform, actual: list[Platform]) -> bool:
    if claimed.arch == "all":  # universal darwin binary: a fat file with amd64 and arm64 slices
        return claimed.os == "darwin" and {a.arch for a in actual} >= {"amd64", "arm64"}
    return len(actual) == 1 and claimed.matches(actual[0])
