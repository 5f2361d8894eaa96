"""The one way doctor reads the machine: environment, files, commands (with a timeout) and platform facts.

`LocalMachine` is this machine. `FixedMachine` answers from fixed inputs, so findings that need WSL or
macOS are tested on any host.
"""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping, Protocol


@dataclass(frozen=True)
class Ran:
    """A finished command; `rc` None when it could not start or did not finish in time (see `error`)."""

    rc: int | None
    out: str = ""
    err: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


@dataclass(frozen=True)
class PlatformFacts:
    system: str  # "linux", "darwin", "windows"
    machine: str  # uname -m of this process: "x86_64", "arm64", "aarch64"
    wsl: bool = False  # Linux under Windows Subsystem for Linux


class Machine(Protocol):
    env: Mapping[str, str]
    facts: PlatformFacts

    def read_text(self, path: str) -> str | None: ...
    def is_file(self, path: str) -> bool: ...
    def is_dir(self, path: str) -> bool: ...
    def is_executable(self, path: str) -> bool: ...
    def realpath(self, path: str) -> str: ...
    def run(self, argv: list[str], timeout: float, env: Mapping[str, str] | None = None,
            cwd: str | None = None) -> Ran: ...


def home(machine: Machine) -> str:
    return machine.env.get("HOME", "") or os.path.expanduser("~")


def path_dirs(env: Mapping[str, str]) -> list[str]:
    return [d for d in env.get("PATH", "").split(os.pathsep) if d]


def which_all(machine: Machine, name: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Every NAME on PATH in PATH order (as found, not resolved)."""
    found = []
    for d in path_dirs(env if env is not None else machine.env):
        candidate = str(PurePosixPath(d) / name)
        if machine.is_executable(candidate):
            found.append(candidate)
    return found


def which(machine: Machine, name: str, env: Mapping[str, str] | None = None) -> str | None:
    if "/" in name:
        return name if machine.is_executable(name) else None
    hits = which_all(machine, name, env)
    return hits[0] if hits else None


def _detect_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        with open("/proc/sys/kernel/osrelease", encoding="utf-8") as f:
            return "microsoft" in f.read().lower()
    except OSError:
        return False


class LocalMachine:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env: Mapping[str, str] = dict(os.environ if env is None else env)
        system = platform.system().lower()
        self.facts = PlatformFacts(system=system, machine=platform.machine(),
                                   wsl=system == "linux" and _detect_wsl(self.env))

    def read_text(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def is_file(self, path: str) -> bool:
        return os.path.isfile(path)

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(path)

    def is_executable(self, path: str) -> bool:
        return os.path.isfile(path) and os.access(path, os.X_OK)

    def realpath(self, path: str) -> str:
        return os.path.realpath(path)

    def run(self, argv: list[str], timeout: float, env: Mapping[str, str] | None = None,
            cwd: str | None = None) -> Ran:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=timeout,
                                  env=dict(self.env if env is None else env), cwd=cwd, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return Ran(None, error=f"no answer within {timeout:g}s")
        except OSError as e:
            return Ran(None, error=e.strerror or str(e))
        return Ran(done.returncode, done.stdout, done.stderr)


@dataclass
class FixedMachine:
    """A machine made of fixed answers: files by path, executables, and command outputs by argv."""

    env: dict[str, str]
    facts: PlatformFacts
    files: dict[str, str] = field(default_factory=dict)
    executables: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)  # path -> real path
    commands: dict[tuple[str, ...], Ran] = field(default_factory=dict)

    def read_text(self, path: str) -> str | None:
        return self.files.get(path)

    def is_file(self, path: str) -> bool:
        return path in self.files or path in self.executables

    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return any(p.startswith(prefix) for p in [*self.files, *self.executables])

    def is_executable(self, path: str) -> bool:
        return path in self.executables

    def realpath(self, path: str) -> str:
        return self.links.get(path, path)

    def run(self, argv: list[str], timeout: float, env: Mapping[str, str] | None = None,
            cwd: str | None = None) -> Ran:
        return self.commands.get(tuple(argv), Ran(None, error=f"{argv[0]}: not found"))
