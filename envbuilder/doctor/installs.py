"""Every `go` on PATH: where it really lives, what it says about itself (`go env -json`, run once per go),
and where it came from when the path tells (distro package, Homebrew, version managers, WSL's Windows Go).
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from envbuilder.doctor.machine import Machine, home, path_dirs

GO_ENV_TIMEOUT = 10.0


@dataclass(frozen=True)
class GoInstall:
    path: str  # as found on PATH
    real: str  # symlinks resolved
    env: dict[str, str] = field(default_factory=dict)  # `go env -json`; empty when it did not run
    error: str = ""

    @property
    def version(self) -> str:
        """"1.22.10" (GOVERSION without its "go"), "" when unknown."""
        v = self.env.get("GOVERSION", "")
        return v[2:].split(" ")[0] if v.startswith("go") else ""

    @property
    def root(self) -> str:
        """The GOROOT this binary belongs to: the directory above its bin/ (after resolving links)."""
        real = PurePosixPath(self.real)
        return str(real.parent.parent) if real.parent.name == "bin" else str(real.parent)


def _origin_rules(home_dir: str) -> list[tuple[str, str]]:
    h = re.escape(home_dir.rstrip("/")) if home_dir else r"\0"
    return [
        (r"^/mnt/[a-z]/", "Windows Go through WSL interop (/mnt/<drive>)"),
        (r"^/usr/lib/go-(\d+\.\d+)/", r"distro package golang-\1 (/usr/lib/go-\1)"),
        (r"^/usr/lib/golang/", "distro package golang (/usr/lib/golang)"),
        (r"^/usr/lib/go/", "distro package (/usr/lib/go)"),
        (r"^/usr/local/go/", "official tarball in /usr/local/go"),
        (r"^(/opt/homebrew|/usr/local/Cellar|/usr/local/Homebrew|/home/linuxbrew/\.linuxbrew)/", "Homebrew"),
        (r"^/snap/", "snap package"),
        (rf"^{h}/\.gvm/", "GVM (~/.gvm)"),
        (rf"^{h}/\.goenv/", "goenv (~/.goenv)"),
        (rf"^{h}/\.asdf/", "asdf (~/.asdf)"),
        (rf"^{h}/\.local/share/mise/", "mise (~/.local/share/mise)"),
        (rf"^{h}/sdk/go(\d[^/]*)/", r"golang.org/dl download (~/sdk/go\1)"),
        (rf"^{h}/go/bin/", "GOPATH/bin (~/go/bin)"),
        (rf"^{h}/\.cache/", "a cache under ~/.cache"),
        (r"^/usr/bin/go$", "distro package (/usr/bin/go)"),
        (r"^/usr/local/bin/go$", "/usr/local/bin/go"),
    ]


def origin(machine: Machine, install: GoInstall) -> str:
    """Where INSTALL came from, judged by the path found on PATH first, then by its real path."""
    rules = _origin_rules(home(machine))
    for candidate in (install.path, install.real):
        for pattern, name in rules:
            m = re.search(pattern, candidate)
            if m:
                return m.expand(name)
    return "unknown origin"


def find_gos(machine: Machine) -> list[str]:
    """Every go on PATH in PATH order, plus Windows go.exe files reachable through /mnt under WSL."""
    found = []
    for d in path_dirs(machine.env):
        for name in ("go", "go.exe") if d.startswith("/mnt/") else ("go",):
            candidate = str(PurePosixPath(d) / name)
            if machine.is_executable(candidate):
                found.append(candidate)
    return found


def go_env_json(machine: Machine, go: str) -> tuple[dict[str, str], str]:
    """`go env -json` of GO, with GOTOOLCHAIN=local so that asking never switches or downloads a Go."""
    env = {**machine.env, "GOTOOLCHAIN": "local"}
    ran = machine.run([go, "env", "-json"], timeout=GO_ENV_TIMEOUT, env=env, cwd="/")
    if not ran.ok:
        reason = ran.error or (ran.err.strip().splitlines() or [f"exit status {ran.rc}"])[-1]
        return {}, reason
    try:
        data = json.loads(ran.out)
    except json.JSONDecodeError:
        return {}, "`go env -json` printed no JSON"
    return {k: str(v) for k, v in data.items()}, ""


def inspect_installs(machine: Machine) -> list[GoInstall]:
    """Every go on PATH with its `go env -json` (the same real binary is asked once, all in parallel)."""
    paths = find_gos(machine)
    reals = {p: machine.realpath(p) for p in paths}
    distinct = list(dict.fromkeys(r for p, r in reals.items() if not p.endswith(".exe")))
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(distinct)))) as pool:
        answers = dict(zip(distinct, pool.map(lambda r: go_env_json(machine, r), distinct)))
    out = []
    for p in paths:
        env, error = answers.get(reals[p], ({}, "a Windows program: not run from Linux"))
        out.append(GoInstall(p, reals[p], env, error))
    return out


def gopath_bin(env: dict[str, str]) -> str:
    """Where `go install` puts programs: GOBIN, else the first GOPATH entry's bin."""
    if env.get("GOBIN"):
        return env["GOBIN"]
    first = env.get("GOPATH", "").split(os.pathsep)[0]
    return str(PurePosixPath(first) / "bin") if first else ""
