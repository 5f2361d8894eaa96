"""Collect an environment's facts with ONE shell script run through a verify executor.

The script prints sections (`@@envbuilder-section NAME@@` lines) that `parse_sections` splits; every
probe tolerates a missing program (an empty section), so one script works on a laptop without Go, a
slim image and a full cross-compiling one. Credentials are never collected: go env values whose names or
values look like secrets are dropped, GOAUTH is never read, URLs lose their user:password part.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from envbuilder.errors import EnvironmentProblem
from envbuilder.inspect.buildinfo import parse_modinfo
from envbuilder.inspect.source import Malformed
from envbuilder.snapshot.model import Compiler, Facts, GoTool
from envbuilder.verify.environment import SECRET_NAME, SECRET_VALUE
from envbuilder.verify.executors import Executor

MARK = "@@envbuilder-section"
SECTION = re.compile(rf"^{MARK} ([a-z0-9_]+)@@$", re.M)
TOOL_MARK = "@@envbuilder-tool "
# go env keys never kept: GOAUTH says how to fetch credentials (a command, a netrc), which is not a build fact.
DROPPED_GO_ENV = frozenset({"GOAUTH"})
_GO_BUILD_DIR = re.compile(r"go-build[0-9]+")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
# The compilers asked for even without a spec: whatever `go env CC CXX` names (gcc, g++ by default).
SCRIPT_HEAD = """\
S() { printf '\\n%s %s@@\\n' '@@envbuilder-section' "$1"; }
S go_version; go version 2>/dev/null
S go_binary; p=$(command -v go) && readlink -f "$p"
S go_binary_sha256; p=$(command -v go) && sha256sum "$(readlink -f "$p")" | cut -d' ' -f1
S go_env; go env -json 2>/dev/null
S goroot_sha256; r=$(go env GOROOT 2>/dev/null) && [ -d "$r" ] && (cd "$r" && find . -type f -print0 \\
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
S compilers
for c in @COMPILERS@ $(go env CC CXX 2>/dev/null); do
  p=$(command -v "$c") || { printf '%s\\t\\t\\n' "$c"; continue; }
  printf '%s\\t%s\\t%s\\n' "$c" "$(readlink -f "$p")" "$("$c" --version </dev/null 2>&1 | head -n1)"
done
S cross_tools
command -v zig >/dev/null && printf 'zig\\t%s\\n' "$(zig version 2>&1 | head -n1)"
for f in /usr/bin/*-w64-mingw32-gcc-posix /usr/bin/*-w64-mingw32-gcc; do
  [ -x "$f" ] && printf '%s\\t%s\\n' "${f##*/}" "$("$f" --version </dev/null 2>&1 | head -n1)"
done
for f in /usr/bin/qemu-*-static; do
  [ -x "$f" ] && printf 'qemu\\t%s\\n' "$("$f" --version 2>&1 | head -n1)" && break
done
for w in wine64 wine; do
  command -v "$w" >/dev/null && printf 'wine\\t%s\\n' "$("$w" --version 2>&1 | head -n1)" && break
done
S os_release; cat /etc/os-release 2>/dev/null
S packages; dpkg-query -W -f '${binary:Package}\\t${Version}\\n' 2>/dev/null
S tools
"""
ALL_GOPATH_TOOLS = """\
g=$(go env GOPATH 2>/dev/null | cut -d: -f1) && [ -n "$g" ] && for p in "$g"/bin/*; do
  [ -f "$p" ] && printf '@@envbuilder-tool %s\\n' "$p" && go version -m "$p" 2>/dev/null
done
S end
"""
NAMED_TOOLS = """\
for n in @NAMES@; do
  p=$(command -v "$n") && printf '@@envbuilder-tool %s\\n' "$p" && go version -m "$p" 2>/dev/null
done
S end
"""


def script(compilers: list[str], tools: list[str] | None) -> str:
    """The collection script: COMPILERS by command name; TOOLS by binary name, None for all of GOPATH/bin."""
    head = SCRIPT_HEAD.replace("@COMPILERS@", " ".join(shlex.quote(c) for c in compilers))
    if tools is None:
        return head + ALL_GOPATH_TOOLS
    return head + NAMED_TOOLS.replace("@NAMES@", " ".join(shlex.quote(t) for t in tools) or "''")


def collect(ex: Executor, *, compilers: list[str], tools: list[str] | None) -> Facts:
    res = ex.run(script(compilers, tools))
    sections = parse_sections(res.stdout)
    if "end" not in sections:
        raise EnvironmentProblem(f"{ex.name}: the snapshot script did not finish (exit {res.rc}): "
                                 f"{res.first_line() or 'no output'}")
    labels = ((ex.image_attrs or {}).get("Config") or {}).get("Labels") or {}
    return facts_from_sections(sections, kind=ex.kind, labels=labels)


def parse_sections(output: str) -> dict[str, str]:
    parts = SECTION.split(output)
    return {parts[i]: parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}


def facts_from_sections(sections: dict[str, str], *, kind: str, labels: dict[str, str]) -> Facts:
    words = sections.get("go_version", "").split()
    return Facts(
        kind=kind,  # type: ignore[arg-type]
        go_version=words[2] if len(words) > 2 and words[:2] == ["go", "version"] else None,
        go_binary=sections.get("go_binary") or None,
        go_binary_sha256=sections.get("go_binary_sha256") or None,
        goroot_sha256=sections.get("goroot_sha256") or None,
        go_env=_go_env(sections.get("go_env", "")),
        compilers=_compilers(sections.get("compilers", "")),
        cross_tools=dict(_columns(sections.get("cross_tools", ""), 2)),
        os_release=_os_release(sections.get("os_release", "")),
        packages=dict(_columns(sections.get("packages", ""), 2)),
        tools=_tools(sections.get("tools", "")),
        labels=without_secrets({k: str(v) for k, v in labels.items()}),
    )


def without_secrets(values: dict[str, Any]) -> dict[str, str]:
    """VALUES without credential-like entries (names or values, as verify's hygiene checks judge them),
    and URLs without their user:password part."""
    return {k: _USERINFO.sub("", str(v)) for k, v in values.items()
            if k not in DROPPED_GO_ENV and not SECRET_NAME.search(k) and not SECRET_VALUE.search(str(v))}


def _go_env(text: str) -> dict[str, str]:
    try:
        env = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    if not isinstance(env, dict):
        return {}
    # GOGCCFLAGS names the random work directory of that `go env` run: keep facts the same on every run.
    return {k: _GO_BUILD_DIR.sub("go-build", v) for k, v in without_secrets(env).items()}


def _columns(text: str, n: int) -> list[list[str]]:
    rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    return [row[:n] for row in rows if len(row) >= n]


def _compilers(text: str) -> dict[str, Compiler]:
    out: dict[str, Compiler] = {}
    for name, path, version in _columns(text, 3):
        out[name] = Compiler(path=path or None, version=version.strip() or None)
    return out


def _os_release(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, eq, value = line.partition("=")
        if eq and key.strip() and not key.startswith("#"):
            out[key.strip()] = shlex.split(value)[0] if value.strip() else ""
    return out


def _tools(text: str) -> dict[str, GoTool]:
    out: dict[str, GoTool] = {}
    for chunk in text.split(TOOL_MARK)[1:]:
        path, _, rest = chunk.partition("\n")
        first, _, body = rest.partition("\n")
        go_version = first.split(": ", 1)[1].strip() if ": " in first else ""
        modinfo = "".join(line[1:] + "\n" for line in body.splitlines() if line.startswith("\t"))
        tool = GoTool(path=path, go_version=go_version)
        try:
            info = parse_modinfo(modinfo)
        except Malformed:
            info = None
        if info is not None:
            tool.package = info.path
            if info.main is not None:
                tool.module, tool.version, tool.sum = info.main.path, info.main.version, info.main.sum
        out[path.rsplit("/", 1)[-1]] = tool
    return out
