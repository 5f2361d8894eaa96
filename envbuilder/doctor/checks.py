"""The doctor checks, in the order they are reported (a failure's cause comes before its consequences):
one entry per check with its stable id (`doctor.<area>.<what>`), what a pass proves, and its function.
A function returns one Finding, or None when the check does not apply to this machine (WSL, macOS)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from envbuilder.doctor import env_checks, go_checks, module_checks, platform_checks, shells
from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding
from envbuilder.report import CheckResult


@dataclass(frozen=True)
class DoctorCheck:
    id: str
    proves: str
    function: Callable[[Context], Finding | None]


CHECKS: tuple[DoctorCheck, ...] = (
    DoctorCheck("doctor.path.go", "the go first on PATH is the locked Go version (every go on PATH listed)",
                go_checks.check_path_go),
    DoctorCheck("doctor.goroot.env", "GOROOT, when set, is the tree of the go that runs and its bin is on PATH",
                go_checks.check_goroot),
    DoctorCheck("doctor.toolchain.select", "the project directory runs the locked Go: no GOTOOLCHAIN switch or "
                "download from go.mod's go/toolchain lines", go_checks.check_toolchain),
    DoctorCheck("doctor.modules.private", "every required module goes to the proxy and checksum database the lock "
                "intends; private ones reach neither", module_checks.check_private),
    DoctorCheck("doctor.modules.netrc", "every private host fetched directly has credentials (.netrc or GOAUTH)",
                module_checks.check_netrc),
    *(DoctorCheck(f"doctor.env.{name.lower()}", f"{name} has the locked value, and its source is known",
                  env_checks.setting_check(name))
      for name in ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOFLAGS", "GOINSECURE",
                   "GOTOOLCHAIN")),
    DoctorCheck("doctor.path.gobin", "GOBIN (or GOPATH/bin) is on PATH", go_checks.check_gobin),
    DoctorCheck("doctor.tools.pinned", "the lock's dev tools are installed at their pinned versions and found first",
                go_checks.check_tools),
    DoctorCheck("doctor.net.proxy", "the effective module proxy answers", module_checks.check_proxy),
    DoctorCheck("doctor.net.sumdb", "the effective checksum database answers", module_checks.check_sumdb),
    DoctorCheck("doctor.shell.bash", "a new bash login shell runs the same go with the same Go variables",
                shells.login_shell_check("bash")),
    DoctorCheck("doctor.shell.zsh", "a new zsh login shell runs the same go with the same Go variables",
                shells.login_shell_check("zsh")),
    DoctorCheck("doctor.cgo.host", "cgo has its C compiler when it is on or the spec needs it",
                platform_checks.check_cgo_host),
    DoctorCheck("doctor.cgo.targets", "the C cross compilers of the spec's cgo targets are on PATH",
                platform_checks.check_cgo_targets),
    DoctorCheck("doctor.platform.wsl", "under WSL, the Linux go runs and the project is on the Linux file system",
                platform_checks.check_wsl),
    DoctorCheck("doctor.platform.macos", "on macOS, Command Line Tools and SDK are present and Go matches the CPU",
                platform_checks.check_macos),
)


def run_checks(ctx: Context, checks: tuple[DoctorCheck, ...] = CHECKS) -> list[CheckResult]:
    results = []
    for check in checks:
        started = time.monotonic()
        finding = check.function(ctx)
        if finding is not None:
            results.append(finding.result(check.id, time.monotonic() - started))
    return results
