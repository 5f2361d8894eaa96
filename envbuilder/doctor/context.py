"""Everything the checks look at, read once: the project (go.mod, spec, lock), every go on PATH, the
settings' layers, the toolchain selection, and - on first use - network answers and login shells."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from envbuilder.doctor import modmatch
from envbuilder.doctor.gomod import GoModFile, Requirement, find_workspace, parse_gomod
from envbuilder.doctor.installs import GoInstall, inspect_installs
from envbuilder.doctor.machine import Machine, home
from envbuilder.doctor.probes import Answer, probe_all
from envbuilder.doctor.selection import Selection, select
from envbuilder.doctor.settings import Setting, SettingLayers, read_layers


@dataclass
class Project:
    directory: Path
    gomod: GoModFile | None = None
    gowork: GoModFile | None = None
    spec: Any = None  # envbuilder.spec.models.Spec
    lock: Any = None  # envbuilder.lock.Lock

    @property
    def locked_version(self) -> str | None:
        return self.lock.go.version if self.lock is not None else None

    def expected_settings(self) -> dict[str, str] | None:
        """The module settings of the locked environment, as `go env` reports them in its image."""
        if self.spec is None:
            return None
        return {**self.spec.modules.env(), "GOTOOLCHAIN": self.spec.go.toolchain, "GOINSECURE": ""}

    @property
    def requires(self) -> tuple[Requirement, ...]:
        return self.gomod.requires if self.gomod else ()


def load_project(directory: Path) -> Project:
    """DIR's go.mod and, when there, its envbuilder.yaml with a fresh envbuilder.lock."""
    from envbuilder.errors import InputError

    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory")
    project = Project(directory.resolve())
    if (directory / "go.mod").is_file():
        project.gomod = parse_gomod(directory / "go.mod")
    spec_path = directory / "envbuilder.yaml"
    if spec_path.is_file():
        from envbuilder.project import load_locked

        project.spec, project.lock = load_locked(spec_path)
    return project


@dataclass
class Context:
    machine: Machine
    project: Project
    probe: Callable[[list[str]], dict[str, Answer]] | None = probe_all  # None: --offline
    cache: dict[str, Any] = field(default_factory=dict)  # shared results of area modules (routes, answers)
    pool: Executor | None = None  # runs slow probes (login shells, network) while the checks run

    def start(self, key: str, compute: Callable[[], Any]) -> None:
        """Begin computing KEY in the background (when a pool is given), so a check can use it later."""
        if key not in self.cache and self.pool is not None:
            self.cache[key] = self.pool.submit(compute)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        """KEY's value, computed once: waits for a background start, else computes it now."""
        if key not in self.cache:
            self.cache[key] = compute()
        value = self.cache[key]
        return value.result() if isinstance(value, Future) else value

    @cached_property
    def home(self) -> str:
        return home(self.machine)

    @cached_property
    def installs(self) -> list[GoInstall]:
        return inspect_installs(self.machine)

    @property
    def go(self) -> GoInstall | None:
        """The go that runs: the first on PATH (a Windows go.exe is never run as `go`)."""
        return next((i for i in self.installs if not i.path.endswith(".exe")), None)

    @property
    def go_env(self) -> dict[str, str]:
        return self.go.env if self.go else {}

    @cached_property
    def layers(self) -> SettingLayers:
        return read_layers(self.machine, self.go_env)

    def setting(self, name: str) -> Setting:
        return self.layers.get(name)

    @cached_property
    def modfile(self) -> GoModFile | None:
        """go.work when the go command would use one in DIR, else go.mod: the file that picks the toolchain."""
        if self.go_env:
            work = find_workspace(self.project.directory, self.machine.env.get("GOWORK"))
            if work is not None and work.is_file():
                return parse_gomod(work)
        return self.project.gomod

    @cached_property
    def selection(self) -> Selection | None:
        if self.go is None or not self.go.version:
            return None
        mod = self.modfile
        return select(self.setting("GOTOOLCHAIN").value, self.go.version, mod.go if mod else "",
                      mod.toolchain if mod else "", self.short(str(mod.file)) if mod else "go.mod")

    def matches(self, name: str, module: str) -> str | None:
        return modmatch.matching_glob(self.setting(name).value, module)

    def short(self, path: str) -> str:
        """PATH with the home directory shown as ~."""
        h = self.home.rstrip("/")
        if h and (path == h or path.startswith(h + "/")):
            return "~" + path[len(h):]
        return path

    def shell_path(self, path: str) -> str:
        """PATH written for a shell command: the home directory as $HOME."""
        h = self.home.rstrip("/")
        if h and (path == h or path.startswith(h + "/")):
            return "$HOME" + path[len(h):]
        return path
