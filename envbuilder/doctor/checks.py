"""The doctor checks, in the order they are reported (a failure's cause comes before its consequences): each
a catalogue entry (`doctor.<area>.<what>` in envbuilder/checks.py) bound to the function that finds it.
A function returns one Finding, or None when the check does not apply to this machine (WSL, macOS)."""

from __future__ import annotations

import time
from typing import Callable

from envbuilder import checks as catalogue
from envbuilder.checks import Check, implements
from envbuilder.doctor import env_checks, go_checks, module_checks, platform_checks, shells
from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding
from envbuilder.report import CheckResult


def _bound(check: Check, function: Callable[[Context], Finding | None]) -> Check:
    implements(check)(function)
    return check


# Each catalogue entry (envbuilder/checks.py: id, scope, what it proves) and the function that finds it.
CHECKS: tuple[Check, ...] = tuple(_bound(check, function) for check, function in (
    (catalogue.DOCTOR_PATH_GO, go_checks.check_path_go),
    (catalogue.DOCTOR_GOROOT_ENV, go_checks.check_goroot),
    (catalogue.DOCTOR_TOOLCHAIN_SELECT, go_checks.check_toolchain),
    (catalogue.DOCTOR_MODULES_PRIVATE, module_checks.check_private),
    (catalogue.DOCTOR_MODULES_NETRC, module_checks.check_netrc),
    *((check, env_checks.setting_check(name)) for name, check in catalogue.DOCTOR_ENV.items()),
    (catalogue.DOCTOR_PATH_GOBIN, go_checks.check_gobin),
    (catalogue.DOCTOR_TOOLS_PINNED, go_checks.check_tools),
    (catalogue.DOCTOR_NET_PROXY, module_checks.check_proxy),
    (catalogue.DOCTOR_NET_SUMDB, module_checks.check_sumdb),
    *((check, shells.login_shell_check(shell)) for shell, check in catalogue.DOCTOR_SHELL.items()),
    (catalogue.DOCTOR_CGO_HOST, platform_checks.check_cgo_host),
    (catalogue.DOCTOR_CGO_TARGETS, platform_checks.check_cgo_targets),
    (catalogue.DOCTOR_PLATFORM_WSL, platform_checks.check_wsl),
    (catalogue.DOCTOR_PLATFORM_MACOS, platform_checks.check_macos),
))


def run_checks(ctx: Context, checks: tuple[Check, ...] = CHECKS) -> list[CheckResult]:
    results = []
    for check in checks:
        started = time.monotonic()
        finding = check.function(ctx)
        if finding is not None:
            results.append(finding.result(check.id, time.monotonic() - started))
    return results
