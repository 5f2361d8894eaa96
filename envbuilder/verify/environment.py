"""Checks of the environment itself: toolchain, module settings, workspace, hygiene.

A check that cannot be evaluated (no `go`, a command that fails) is an error or a skip with the reason,
never a pass.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Iterator

from envbuilder import checks
from envbuilder.report import CheckResult
from envbuilder.verify.executors import Executor
from envbuilder.verify.expected import Expectations

MODULE_KEYS = tuple(checks.MODULES)
# Names and value shapes that mean a credential was baked into the environment.
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$", re.I)
SECRET_VALUE = re.compile(r"^(ghp_|gho_|ghs_|github_pat_|glpat-|AKIA[0-9A-Z]{16}|xox[baprs]-|npm_[A-Za-z0-9]{20})")


def go_env(ex: Executor, keys: list[str]) -> dict[str, str] | None:
    res = ex.run("go env -json " + " ".join(keys))
    if not res.ok:
        return None
    try:
        env = json.loads(res.stdout)
    except ValueError:
        return None
    return env if isinstance(env, dict) else None


@checks.implements(checks.TOOLCHAIN_VERSION, checks.TOOLCHAIN_GOVERSION, checks.TOOLCHAIN_GOROOT,
                   checks.TOOLCHAIN_SINGLE_GO, checks.TOOLCHAIN_GOTOOLCHAIN)
def toolchain_checks(ex: Executor, exp: Expectations) -> Iterator[CheckResult]:
    version = ex.run("go version")
    if not version.ok:
        reason = f"`go version` failed: {version.first_line() or 'no go on PATH'}"
        yield checks.TOOLCHAIN_VERSION.error(reason)
        for check in (checks.TOOLCHAIN_GOVERSION, checks.TOOLCHAIN_GOROOT, checks.TOOLCHAIN_GOTOOLCHAIN):
            yield check.error(reason)
        yield from _single_go(ex)
        return
    want = f"go{exp.go_version}"
    got = version.stdout.split()[2] if len(version.stdout.split()) > 2 else version.stdout.strip()
    yield checks.TOOLCHAIN_VERSION.outcome(got == want, want, got, "`go version` is not the locked Go")
    env = go_env(ex, ["GOVERSION", "GOROOT", "GOTOOLCHAIN"])
    if env is None:
        for check in (checks.TOOLCHAIN_GOVERSION, checks.TOOLCHAIN_GOROOT):
            yield check.error("`go env -json` failed")
    else:
        yield checks.TOOLCHAIN_GOVERSION.outcome(env.get("GOVERSION") == want, want, env.get("GOVERSION"),
                                                 "`go env GOVERSION` is not the locked Go")
        where = ex.run('p=$(command -v go) && readlink -f "$p"')
        go_root_of_path = where.stdout.strip().rsplit("/bin/go", 1)[0] if where.ok else None
        goroot = ex.run('readlink -f "$(go env GOROOT)"').stdout.strip()
        yield checks.TOOLCHAIN_GOROOT.outcome(bool(goroot) and goroot == go_root_of_path, go_root_of_path, goroot,
                                              "GOROOT is not the installation of the `go` on PATH")
    yield from _single_go(ex)
    policy = exp.lock.go_for(exp.go).toolchain
    if env is None:
        yield checks.TOOLCHAIN_GOTOOLCHAIN.error("`go env -json` failed")
    else:
        yield checks.TOOLCHAIN_GOTOOLCHAIN.outcome(env.get("GOTOOLCHAIN") == policy, policy, env.get("GOTOOLCHAIN"),
                                                   "GOTOOLCHAIN differs from the spec's policy")


def _single_go(ex: Executor) -> Iterator[CheckResult]:
    # Every `go` on PATH, by real path: a wrapper or a second install earlier on PATH is drift.
    all_go = ex.run('IFS=:; for d in $PATH; do [ -x "$d/go" ] && [ ! -d "$d/go" ] && readlink -f "$d/go"; done; true')
    if not all_go.ok:
        yield checks.TOOLCHAIN_SINGLE_GO.error(f"cannot list PATH: {all_go.first_line()}")
        return
    found = list(dict.fromkeys(line for line in all_go.stdout.split() if line))
    yield checks.TOOLCHAIN_SINGLE_GO.outcome(len(found) == 1, "exactly one go on PATH", ", ".join(found) or "none",
                                             "more than one `go` on PATH" if found else "no `go` on PATH")


@checks.implements(*checks.MODULES.values())
def module_checks(ex: Executor, exp: Expectations) -> Iterator[CheckResult]:
    env = go_env(ex, list(MODULE_KEYS))
    for key, check in checks.MODULES.items():
        if env is None:
            yield check.error("`go env -json` failed: the effective module settings are unknown")
            continue
        want, got = exp.module_env[key], env.get(key, "")
        if got == want and key == "GOSUMDB" and want == "off":
            # As the spec asks, but downloads are then checked against no checksum database: worth seeing.
            yield check.warn("the checksum database is off (modules.sumdb: off): module downloads are not "
                             "verified", want, got)
        else:
            yield check.outcome(got == want, want, got, f"effective {key} differs from the spec")


@checks.implements(checks.WORKSPACE_GOPATH_BIN, *checks.WORKSPACE_WRITABLE.values(), checks.WORKSPACE_ENVBUILDER)
def workspace_checks(ex: Executor, exp: Expectations, stage: str) -> Iterator[CheckResult]:
    env = go_env(ex, ["GOPATH", "GOCACHE", "GOMODCACHE"])
    unknown = "`go env -json` failed" if env is None else None
    env = env or {}
    gopath = (env.get("GOPATH") or "").split(":")[0]
    path = ex.run('printf %s "$PATH"')
    if not gopath:
        yield checks.WORKSPACE_GOPATH_BIN.error(unknown or "GOPATH is not set")
    elif not path.ok:
        yield checks.WORKSPACE_GOPATH_BIN.error(f"cannot read PATH: {path.first_line()}")
    else:
        gopath_bin = gopath + "/bin"
        yield checks.WORKSPACE_GOPATH_BIN.outcome(gopath_bin in path.stdout.split(":"), f"{gopath_bin} on PATH",
                                                  path.stdout,
                                                  "GOPATH/bin is not on PATH: `go install`ed tools will not be found")
    user = ex.run("id -un").stdout.strip() or "?"
    for key, check in checks.WORKSPACE_WRITABLE.items():
        directory = (env.get(key) or "").split(":")[0]
        if not directory:
            yield check.error(unknown or f"{key} is not set")
            continue
        # Really create a file: `test -w` says yes for root on read-only trees and ignores nested ownership.
        probe = ex.run(f"mkdir -p {shlex.quote(directory)} && f=$(mktemp -p {shlex.quote(directory)}) && rm -f \"$f\"")
        actual = "writable" if probe.ok else (probe.stderr.strip().splitlines() or ["not writable"])[-1]
        yield check.outcome(probe.ok, f"{directory} writable by {user}", actual, f"{key} is not writable by {user}")
    for module_path, version in exp.tools(stage):
        yield from _tool_check(ex, module_path, version)
    if stage == "ci" and exp.spec.ci.envbuilder:
        got = ex.run("envbuilder --version")
        actual = got.stdout.strip() if got.ok else "not found"
        want = f"envbuilder {exp.spec.ci.envbuilder}"
        yield checks.WORKSPACE_ENVBUILDER.outcome(
            actual == want, want, actual, "the ci image's envbuilder is missing or not the pinned release (ci.envbuilder)")


def tool_binary_name(package: str) -> str:
    """`go install` names the binary after the last path element, skipping a major-version suffix (/v2)."""
    parts = package.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        return parts[-2]
    return parts[-1]


@checks.implements(checks.WORKSPACE_TOOL)
def _tool_check(ex: Executor, package: str, version: str) -> Iterator[CheckResult]:
    name = tool_binary_name(package)
    check = checks.WORKSPACE_TOOL
    where = ex.run(f"command -v {shlex.quote(name)}")
    if not where.ok:
        yield check.failed(f"tool {name} is not on PATH", f"{name} {version} on PATH", "not found", target=package)
        return
    info = ex.run(f"go version -m {shlex.quote(where.stdout.strip())}")
    if not info.ok:
        yield check.error(f"`go version -m` cannot read {where.stdout.strip()}: {info.first_line()}", target=package)
        return
    path_line = re.search(r"^\s*path\s+(\S+)", info.stdout, re.M)
    mod_line = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", info.stdout, re.M)
    actual = f"{path_line.group(1) if path_line else '?'} {mod_line.group(2) if mod_line else '?'}"
    ok = bool(path_line and mod_line and path_line.group(1) == package and mod_line.group(2) == version)
    yield check.outcome(ok, f"{package} {version}", actual, "tool is not the pinned version (`go version -m`)",
                        target=package)


HYGIENE = (checks.HYGIENE_NETRC, checks.HYGIENE_GIT_CREDENTIALS, checks.HYGIENE_ENV_TOKENS)


@checks.implements(*HYGIENE)
def hygiene_checks(ex: Executor) -> Iterator[CheckResult]:
    if ex.kind == "host":
        for check in HYGIENE:
            yield check.skip("credential hygiene applies to images, not to the host's own files")
        return
    # find exits 1 when some directory is unreadable (normal); without find at all the search proves nothing.
    found = ex.run("command -v find >/dev/null || exit 127; find / -xdev \\( -name .netrc -o -name _netrc -o "
                   "-name .git-credentials \\) -not -path '/proc/*' 2>/dev/null; true", timeout=300)
    if not found.ok:
        reason = f"cannot search the filesystem: {found.first_line() or 'no find command'} (exit {found.rc})"
        yield checks.HYGIENE_NETRC.error(reason)
        yield checks.HYGIENE_GIT_CREDENTIALS.error(reason)
    else:
        files = sorted(found.stdout.split())
        netrc = [f for f in files if f.endswith("netrc")]
        creds = [f for f in files if f.endswith(".git-credentials")]
        yield checks.HYGIENE_NETRC.outcome(not netrc, "no .netrc in the image", ", ".join(netrc) or "none",
                                           "a .netrc with credentials is in the image: pass it as a BuildKit "
                                           "secret instead")
        yield checks.HYGIENE_GIT_CREDENTIALS.outcome(not creds, "no .git-credentials in the image",
                                                     ", ".join(creds) or "none", "git credentials are in the image")
    env = ex.run("env")
    if not env.ok:
        yield checks.HYGIENE_ENV_TOKENS.error(f"`env` failed: {env.first_line()} (exit {env.rc})")
        return
    leaked = sorted({line.split("=", 1)[0] for line in env.stdout.splitlines() if "=" in line and (
        SECRET_NAME.search(line.split("=", 1)[0]) and line.split("=", 1)[1]
        or SECRET_VALUE.search(line.split("=", 1)[1]))})
    yield checks.HYGIENE_ENV_TOKENS.outcome(not leaked, "no credentials in ENV", ", ".join(leaked) or "none",
                                            "credential-like variables in the image environment")
