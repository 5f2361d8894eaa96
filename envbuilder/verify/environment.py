"""Checks of the environment itself: toolchain, module settings, workspace, hygiene (design.md items 1-3, 8)."""

from __future__ import annotations

import json
import re
import shlex
from typing import Iterator

from envbuilder.report import CheckResult
from envbuilder.verify.executors import Executor
from envbuilder.verify.expected import Expectations

ENV_TARGET = "environment"
MODULE_KEYS = ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOFLAGS")
# Names and value shapes that mean a credential was baked into the environment.
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$", re.I)
SECRET_VALUE = re.compile(r"^(ghp_|gho_|ghs_|github_pat_|glpat-|AKIA[0-9A-Z]{16}|xox[baprs]-|npm_[A-Za-z0-9]{20})")


def _result(check_id: str, ok: bool, expected: str | None, actual: str | None, message: str = "",
            target: str = ENV_TARGET) -> CheckResult:
    return CheckResult(id=check_id, target=target, status="pass" if ok else "fail", expected=expected,
                       actual=actual, message="" if ok else message)


def _error(check_id: str, message: str, target: str = ENV_TARGET) -> CheckResult:
    return CheckResult(id=check_id, target=target, status="error", message=message[:500])


def go_env(ex: Executor, keys: list[str]) -> dict[str, str] | None:
    res = ex.run("go env -json " + " ".join(keys))
    if not res.ok:
        return None
    try:
        return json.loads(res.stdout)
    except ValueError:
        return None


def toolchain_checks(ex: Executor, exp: Expectations) -> Iterator[CheckResult]:
    version = ex.run("go version")
    if not version.ok:
        yield _error("toolchain.version", f"`go version` failed: {version.first_line() or 'no go on PATH'}")
        return
    want = f"go{exp.go_version}"
    got = version.stdout.split()[2] if len(version.stdout.split()) > 2 else version.stdout.strip()
    yield _result("toolchain.version", got == want, want, got, "`go version` is not the locked Go")
    env = go_env(ex, ["GOVERSION", "GOROOT", "GOTOOLCHAIN"]) or {}
    yield _result("toolchain.goversion", env.get("GOVERSION") == want, want, env.get("GOVERSION"),
                  "`go env GOVERSION` is not the locked Go")
    where = ex.run('p=$(command -v go) && readlink -f "$p"')
    go_root_of_path = where.stdout.strip().rsplit("/bin/go", 1)[0] if where.ok else None
    goroot = ex.run('readlink -f "$(go env GOROOT)"').stdout.strip()
    yield _result("toolchain.goroot", bool(goroot) and goroot == go_root_of_path, go_root_of_path, goroot,
                  "GOROOT is not the installation of the `go` on PATH")
    # Every `go` on PATH, by real path: a wrapper or a second install earlier on PATH is drift.
    all_go = ex.run('IFS=:; for d in $PATH; do [ -x "$d/go" ] && [ ! -d "$d/go" ] && readlink -f "$d/go"; done; true')
    found = list(dict.fromkeys(line for line in all_go.stdout.split() if line))
    yield _result("toolchain.single-go", len(found) == 1, "exactly one go on PATH",
                  ", ".join(found) or "none", "more than one `go` on PATH")
    policy = exp.lock.go_for(exp.go).toolchain
    yield _result("toolchain.gotoolchain", env.get("GOTOOLCHAIN") == policy, policy,
                  env.get("GOTOOLCHAIN"), "GOTOOLCHAIN differs from the spec's policy")


def module_checks(ex: Executor, exp: Expectations) -> Iterator[CheckResult]:
    env = go_env(ex, list(MODULE_KEYS))
    if env is None:
        yield _error("modules", "`go env -json` failed")
        return
    for key in MODULE_KEYS:
        want = exp.module_env[key]
        yield _result(f"modules.{key.lower()}", env.get(key, "") == want, want, env.get(key, ""),
                      f"effective {key} differs from the spec")


def workspace_checks(ex: Executor, exp: Expectations, stage: str) -> Iterator[CheckResult]:
    env = go_env(ex, ["GOPATH", "GOCACHE", "GOMODCACHE"]) or {}
    path = ex.run('printf %s "$PATH"').stdout
    gopath_bin = (env.get("GOPATH") or "").split(":")[0] + "/bin"
    yield _result("workspace.gopath-bin", gopath_bin in path.split(":"), f"{gopath_bin} on PATH", path,
                  "GOPATH/bin is not on PATH: `go install`ed tools will not be found")
    user = ex.run("id -un").stdout.strip() or "?"
    for key in ("GOPATH", "GOCACHE", "GOMODCACHE"):
        directory = (env.get(key) or "").split(":")[0]
        if not directory:
            yield _error(f"workspace.writable.{key.lower()}", f"{key} is not set")
            continue
        # Really create a file: `test -w` says yes for root on read-only trees and ignores nested ownership.
        probe = ex.run(f"mkdir -p {shlex.quote(directory)} && f=$(mktemp -p {shlex.quote(directory)}) && rm -f \"$f\"")
        actual = "writable" if probe.ok else (probe.stderr.strip().splitlines() or ["not writable"])[-1]
        yield _result(f"workspace.writable.{key.lower()}", probe.ok, f"{directory} writable by {user}", actual,
                      f"{key} is not writable by {user}")
    for module_path, version in exp.tools(stage):
        yield from _tool_check(ex, module_path, version)
    if stage == "ci" and exp.spec.ci.envbuilder:
        got = ex.run("envbuilder --version")
        actual = got.stdout.strip() if got.ok else "not found"
        want = f"envbuilder {exp.spec.ci.envbuilder}"
        yield _result("workspace.envbuilder", actual == want, want, actual,
                      "the ci image's envbuilder is missing or not the pinned release (ci.envbuilder)")


def tool_binary_name(package: str) -> str:
    """`go install` names the binary after the last path element, skipping a major-version suffix (/v2)."""
    parts = package.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v\d+", parts[-1]):
        return parts[-2]
    return parts[-1]


def _tool_check(ex: Executor, package: str, version: str) -> Iterator[CheckResult]:
    name = tool_binary_name(package)
    check_id = "workspace.tool"
    where = ex.run(f"command -v {shlex.quote(name)}")
    if not where.ok:
        yield CheckResult(id=check_id, target=package, status="fail", expected=f"{name} {version} on PATH",
                          actual="not found", message=f"tool {name} is not on PATH")
        return
    info = ex.run(f"go version -m {shlex.quote(where.stdout.strip())}")
    path_line = re.search(r"^\s*path\s+(\S+)", info.stdout, re.M)
    mod_line = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", info.stdout, re.M)
    actual = f"{path_line.group(1) if path_line else '?'} {mod_line.group(2) if mod_line else '?'}"
    ok = bool(path_line and mod_line and path_line.group(1) == package and mod_line.group(2) == version)
    yield CheckResult(id=check_id, target=package, status="pass" if ok else "fail", expected=f"{package} {version}",
                      actual=actual, message="" if ok else "tool is not the pinned version (`go version -m`)")


def hygiene_checks(ex: Executor) -> Iterator[CheckResult]:
    if ex.kind == "host":
        yield CheckResult(id="hygiene", target=ENV_TARGET, status="skip",
                          message="credential hygiene applies to images, not to the host's own files")
        return
    found = ex.run("find / -xdev \\( -name .netrc -o -name _netrc -o -name .git-credentials \\) "
                   "-not -path '/proc/*' 2>/dev/null; true", timeout=300)
    files = sorted(found.stdout.split())
    netrc = [f for f in files if f.endswith("netrc")]
    creds = [f for f in files if f.endswith(".git-credentials")]
    yield _result("hygiene.netrc", not netrc, "no .netrc in the image", ", ".join(netrc) or "none",
                  "a .netrc with credentials is in the image: pass it as a BuildKit secret instead")
    yield _result("hygiene.git-credentials", not creds, "no .git-credentials in the image",
                  ", ".join(creds) or "none", "git credentials are in the image")
    env = ex.run("env").stdout.splitlines()
    leaked = sorted({line.split("=", 1)[0] for line in env if "=" in line and (
        SECRET_NAME.search(line.split("=", 1)[0]) and line.split("=", 1)[1]
        or SECRET_VALUE.search(line.split("=", 1)[1]))})
    yield _result("hygiene.env-tokens", not leaked, "no credentials in ENV", ", ".join(leaked) or "none",
                  "credential-like variables in the image environment")
