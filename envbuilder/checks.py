"""The catalogue of every check envbuilder runs: one registered entry per check id.

An entry is a stable dotted id, the scope it runs in (the environment, a build target, one binary, the host),
the one line it proves, which commands run it, and the function that produces its results (bound by
`@implements` where that function lives). Results are made through the entry (`check.outcome(...)`,
`check.error(...)`), so ids are written once, here. `--only`/`--skip`, their help, the report ids and the
README's catalogue table all come from this registry.

Adding a check (a future `doctor` command's host checks included) is one `register(...)` line here plus
`@implements(...)` on the function. Only the standard library is imported at module level: the CLI reads
this registry to build its help, and `envbuilder --help` must start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Literal, TypeVar

if TYPE_CHECKING:
    from envbuilder.report import CheckResult

Scope = Literal["environment", "target", "binary", "host"]
SCOPES: tuple[Scope, ...] = ("environment", "target", "binary", "host")
ENVIRONMENT = "environment"  # the report target of environment-wide checks
_ID = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+")
F = TypeVar("F", bound=Callable)


@dataclass(eq=False)
class Check:
    """One check of the catalogue, and the only way to make its results."""

    id: str
    scope: Scope
    proves: str
    tools: tuple[str, ...]  # the commands that run it: verify, inspect, doctor
    function: Callable | None = None  # what produces its results (set by @implements)

    @property
    def group(self) -> str:
        """The first id segment (`binary` for binary.read): what `--only binary` selects."""
        return self.id.split(".")[0]

    def outcome(self, ok: bool, expected: object = None, actual: object = None, message: str = "", *,
                target: str = ENVIRONMENT, duration: float = 0.0) -> CheckResult:
        """pass or fail: a fail carries MESSAGE; both carry expected vs actual."""
        return self._make("pass" if ok else "fail", target, expected, actual, "" if ok else message, duration)

    def passed(self, expected: object = None, actual: object = None, *, target: str = ENVIRONMENT,
               duration: float = 0.0) -> CheckResult:
        return self._make("pass", target, expected, actual, "", duration)

    def failed(self, message: str, expected: object = None, actual: object = None, *, target: str = ENVIRONMENT,
               duration: float = 0.0) -> CheckResult:
        return self._make("fail", target, expected, actual, message, duration)

    def warn(self, message: str, expected: object = None, actual: object = None, *,
             target: str = ENVIRONMENT) -> CheckResult:
        """Holds, but worth a look (exit 0): e.g. a setting the spec asked for that weakens a guarantee."""
        return self._make("warn", target, expected, actual, message, 0.0)

    def error(self, message: str, *, target: str = ENVIRONMENT, duration: float = 0.0) -> CheckResult:
        """The check could not be evaluated (exit 1): never a pass."""
        return self._make("error", target, None, None, message[:500], duration)

    def skip(self, message: str, *, target: str = ENVIRONMENT, expected: object = None,
             actual: object = None, duration: float = 0.0) -> CheckResult:
        """Not applicable here, with the reason."""
        return self._make("skip", target, expected, actual, message, duration)

    def _make(self, status: str, target: str, expected: object, actual: object, message: str,
              duration: float) -> CheckResult:
        from envbuilder.report import CheckResult

        return CheckResult(id=self.id, target=target, status=status,  # type: ignore[arg-type]
                           expected=None if expected is None else str(expected),
                           actual=None if actual is None else str(actual), message=message, duration=duration)


class Catalogue:
    """Every check by id, in registration order (the order of the README table and the reports)."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, check_id: str, scope: Scope, proves: str, tools: Iterable[str] = ("verify",)) -> Check:
        if not _ID.fullmatch(check_id):
            raise ValueError(f"check id {check_id!r}: not a dotted lower-case id like group.name")
        if check_id in self._checks:
            raise ValueError(f"check id {check_id!r}: registered twice")
        if scope not in SCOPES:
            raise ValueError(f"check id {check_id!r}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        check = Check(check_id, scope, proves, tuple(tools))
        self._checks[check_id] = check
        return check

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __getitem__(self, check_id: str) -> Check:
        return self._checks[check_id]

    def of(self, tool: str) -> list[Check]:
        return [c for c in self if tool in c.tools]

    def matching(self, pattern: str, tool: str | None = None) -> list[Check]:
        """Checks whose id is PATTERN or starts with PATTERN's whole segments (`binary` = binary.*)."""
        return [c for c in (self.of(tool) if tool else self) if id_matches(c.id, pattern)]

    def groups(self, tool: str, scopes: Iterable[Scope] = SCOPES) -> list[str]:
        """First id segments of TOOL's checks in SCOPES, in catalogue order."""
        wanted = set(scopes)
        return list(dict.fromkeys(c.group for c in self.of(tool) if c.scope in wanted))


def id_matches(check_id: str, pattern: str) -> bool:
    return check_id == pattern or check_id.startswith(pattern + ".")


CATALOGUE = Catalogue()
register = CATALOGUE.register


def implements(*checks: Check) -> Callable[[F], F]:
    """Bind CHECKS to the decorated function: the one that produces their results."""

    def bind(function: F) -> F:
        for check in checks:
            if check.function is not None and check.function is not function:
                raise ValueError(f"check {check.id}: already implemented by {check.function.__qualname__}")
            check.function = function
        return function

    return bind


def load_implementations() -> None:
    """Import every module that implements checks, so each entry's `function` is bound."""
    import envbuilder.doctor.checks  # noqa: F401
    import envbuilder.inspect.expect  # noqa: F401
    import envbuilder.verify.environment  # noqa: F401
    import envbuilder.verify.repro  # noqa: F401
    import envbuilder.verify.suite  # noqa: F401
    import envbuilder.verify.targets  # noqa: F401


def markdown_table(tool: str = "verify") -> str:
    """The README's catalogue table: one row per check TOOL runs (verify's also lists the binary checks it
    shares with inspect)."""
    rows = ["| id | scope | run by | proves |", "|---|---|---|---|"]
    for c in CATALOGUE:
        if tool in c.tools or (tool == "verify" and c.scope == "binary"):
            rows.append(f"| `{c.id}` | {c.scope} | {', '.join(c.tools)} | {c.proves} |")
    return "\n".join(rows)


# ---- the image ----------------------------------------------------------------------------------------------

IMAGE_LOCK = register("image.lock", "environment",
                      "the image's `dev.envbuilder.lock-hash` label is the current lock's hash (skipped off images)")

# ---- toolchain ----------------------------------------------------------------------------------------------

TOOLCHAIN_VERSION = register("toolchain.version", "environment", "`go version` is the locked Go")
TOOLCHAIN_GOVERSION = register("toolchain.goversion", "environment", "`go env GOVERSION` is the locked Go")
TOOLCHAIN_GOROOT = register("toolchain.goroot", "environment", "GOROOT is the installation of the `go` on PATH")
TOOLCHAIN_SINGLE_GO = register("toolchain.single-go", "environment", "exactly one `go` on PATH (by real path)")
TOOLCHAIN_GOTOOLCHAIN = register("toolchain.gotoolchain", "environment", "GOTOOLCHAIN is the spec's policy")

# ---- modules: the effective value of each setting, by its Go environment variable ---------------------------

MODULES = {
    "GOPROXY": register("modules.goproxy", "environment", "effective GOPROXY equals the spec"),
    "GOSUMDB": register("modules.gosumdb", "environment",
                        "effective GOSUMDB equals the spec (warn when the spec turns the checksum database off)"),
    "GOPRIVATE": register("modules.goprivate", "environment", "effective GOPRIVATE equals the spec"),
    "GONOPROXY": register("modules.gonoproxy", "environment", "effective GONOPROXY equals the spec"),
    "GONOSUMDB": register("modules.gonosumdb", "environment", "effective GONOSUMDB equals the spec"),
    "GOFLAGS": register("modules.goflags", "environment", "effective GOFLAGS equals the spec"),
}

# ---- workspace ----------------------------------------------------------------------------------------------

WORKSPACE_GOPATH_BIN = register("workspace.gopath-bin", "environment", "GOPATH/bin is on PATH")
WORKSPACE_WRITABLE = {
    key: register(f"workspace.writable.{key.lower()}", "environment",
                  f"a file really can be created in {key}, as the environment's user")
    for key in ("GOPATH", "GOCACHE", "GOMODCACHE")
}
WORKSPACE_TOOL = register("workspace.tool", "environment",
                          "each tool of the stage is on PATH at its pinned version (`go version -m`)")
WORKSPACE_ENVBUILDER = register("workspace.envbuilder", "environment",
                                "ci stage with `ci.envbuilder`: `envbuilder --version` is the pinned release")

# ---- hygiene ------------------------------------------------------------------------------------------------

HYGIENE_NETRC = register("hygiene.netrc", "environment", "no `.netrc` baked into the image (skipped on the host)")
HYGIENE_GIT_CREDENTIALS = register("hygiene.git-credentials", "environment",
                                   "no `.git-credentials` baked into the image (skipped on the host)")
HYGIENE_ENV_TOKENS = register("hygiene.env-tokens", "environment",
                              "no credential-like variables in the image's ENV (skipped on the host)")

# ---- per build target ---------------------------------------------------------------------------------------

CGO_CC = register("cgo.cc", "target", "a cgo target's C compiler is on PATH")
CGO_CXX = register("cgo.cxx", "target", "a cgo target's C++ compiler is on PATH")
CGO_LINK = register("cgo.link", "target", "a cgo target's C compiler compiles and links a C probe")
BUILD_PROBE = register("build.probe", "target",
                       "the probe program (with a cgo file behind a build tag) builds for the target; builds run "
                       "in parallel, one per CPU, sharing GOCACHE")
EXEC_RUN = register("exec.run", "target",
                    "the native probe runs (and linux/386 on x86-64, a cgo one through the i386 cross sysroot's "
                    "loader); with `verify.emulate`, foreign Linux probes run under qemu-user and Windows ones "
                    "under wine, in the verify-runner image (in the image itself with `verify.in_image`); "
                    "Mach-O is header-only")
REPRO_PROBE = register("repro.probe", "target",
                       "two builds of the probe (a runtime-only main beside its cgo file), each in another directory "
                       "with another TMPDIR, one with the environment's GOCACHE and one with an empty one, are "
                       "bit-identical; a difference names the ELF "
                       "section, PE header field or Mach-O load command and its known cause (`inspect --compare`): "
                       "a fail for a pure-Go target, a warning for a cgo one (its C toolchain's output)")

# ---- one binary: verify's probes and inspect's release artifacts, evaluated by inspect.expect -------------

BOTH = ("verify", "inspect")
BINARY_READ = register("binary.read", "binary", "the file parses as ELF, PE or Mach-O (an unreadable file is an "
                       "error; a non-binary met while walking a directory is skipped)", BOTH)
BINARY_FORMAT = register("binary.format", "binary", "the executable format is the target's (ELF, PE, Mach-O)")
BINARY_CLASS = register("binary.class", "binary", "the word size is the target's")
BINARY_ENDIAN = register("binary.endian", "binary", "the byte order is the target's")
BINARY_MACHINE = register("binary.machine", "binary", "the header's machine is the target's GOARCH")
BINARY_OS = register("binary.os", "binary", "the header's OS is the target's GOOS")
BINARY_SUBSYSTEM = register("binary.subsystem", "binary", "a Windows probe has the console subsystem")
BINARY_LINKAGE = register("binary.linkage", "binary", "ELF linkage as expected: verify wants dynamic for glibc cgo "
                          "and static otherwise (musl cgo included), `inspect --expect-static` wants static", BOTH)
BINARY_GLIBC = register("binary.glibc", "binary", "`inspect --expect-glibc`, and verify of zig targets with a glibc "
                        "floor: the newest GLIBC_x.y the ELF program requires (.gnu.version_r) is at most the floor",
                        BOTH)
BINARY_INTERPRETER = register("binary.interpreter", "binary", "a dynamic ELF's loader is the target's glibc loader")
BINARY_BUILDINFO = register("binary.buildinfo", "binary", "Go build info (go version, GOOS, GOARCH, GOARM/GOAMD64, "
                            "CGO_ENABLED, -trimpath) is what the build asked for")
BINARY_GO_VERSION_M = register("binary.go-version-m", "binary",
                               "envbuilder's build-info parser agrees with `go version -m` in the environment")
BINARY_HEADERS_VS_BUILDINFO = register("binary.headers-vs-buildinfo", "binary",
                                       "a Go binary's headers agree with the GOOS/GOARCH its build info records",
                                       ("inspect",))
BINARY_PLATFORM = register("binary.platform", "binary", "`inspect --expect`: the binary is one of the expected "
                           "platforms", ("inspect",))
BINARY_GO_VERSION = register("binary.go-version", "binary", "`inspect --expect-go`: built with that Go",
                             ("inspect",))
BINARY_TRIMPATH = register("binary.trimpath", "binary", "`inspect --expect-trimpath`: a Go build with -trimpath",
                           ("inspect",))
BINARY_NAME = register("binary.name", "binary", "`inspect --expect-names`: the file or directory name names its "
                       "platform (and .exe only on Windows)", ("inspect",))
BINARY_GORELEASER = register("binary.goreleaser", "binary", "`inspect --goreleaser`: each artifact exists and is "
                             "the platform artifacts.json claims", ("inspect",))
BINARY_PRESENT = register("binary.present", "binary", "`inspect --expect`: some binary is built for each expected "
                          "platform (target: release matrix)", ("inspect",))

# ---- this machine (doctor), in report order: a failure's cause comes before its consequences ---------------

DOCTOR = ("doctor",)
DOCTOR_PATH_GO = register("doctor.path.go", "host", "the go first on PATH is the locked Go version (every go on "
                          "PATH listed, with where it came from)", DOCTOR)
DOCTOR_GOROOT_ENV = register("doctor.goroot.env", "host", "GOROOT, when set, is the tree of the go that runs and "
                             "its bin is on PATH", DOCTOR)
DOCTOR_TOOLCHAIN_SELECT = register("doctor.toolchain.select", "host", "the project directory runs the locked Go: no "
                                   "GOTOOLCHAIN switch or download from go.mod's go/toolchain lines", DOCTOR)
DOCTOR_MODULES_PRIVATE = register("doctor.modules.private", "host", "every required module goes to the proxy and "
                                  "checksum database the lock intends; private ones reach neither", DOCTOR)
DOCTOR_MODULES_NETRC = register("doctor.modules.netrc", "host", "every private host fetched directly has "
                                "credentials (.netrc, NETRC, GOAUTH or a git insteadOf rule)", DOCTOR)
DOCTOR_ENV = {
    name: register(f"doctor.env.{name.lower()}", "host", f"{name} has the locked value, and the layer it comes "
                   "from (environment, `go env -w` file, `$GOROOT/go.env`, default) is named", DOCTOR)
    for name in ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOFLAGS", "GOINSECURE", "GOTOOLCHAIN")
}
DOCTOR_PATH_GOBIN = register("doctor.path.gobin", "host", "GOBIN (or GOPATH/bin) is on PATH", DOCTOR)
DOCTOR_TOOLS_PINNED = register("doctor.tools.pinned", "host", "the lock's dev tools are installed at their pinned "
                               "versions and found first", DOCTOR)
DOCTOR_NET_PROXY = register("doctor.net.proxy", "host", "the effective module proxy answers (skipped with "
                            "`--offline`)", DOCTOR)
DOCTOR_NET_SUMDB = register("doctor.net.sumdb", "host", "the effective checksum database answers (skipped with "
                            "`--offline`)", DOCTOR)
DOCTOR_SHELL = {
    shell: register(f"doctor.shell.{shell}", "host", f"a new {shell} login shell runs the same go with the same Go "
                    "variables", DOCTOR)
    for shell in ("bash", "zsh")
}
DOCTOR_CGO_HOST = register("doctor.cgo.host", "host", "cgo has its C compiler when it is on or the spec needs it",
                           DOCTOR)
DOCTOR_CGO_TARGETS = register("doctor.cgo.targets", "host", "the C cross compilers of the spec's cgo targets are on "
                              "PATH", DOCTOR)
DOCTOR_PLATFORM_WSL = register("doctor.platform.wsl", "host", "under WSL, the Linux go runs and the project is on "
                               "the Linux file system", DOCTOR)
DOCTOR_PLATFORM_MACOS = register("doctor.platform.macos", "host", "on macOS, Command Line Tools and SDK are present "
                                 "and Go matches the CPU", DOCTOR)
