"""Where a Go setting's value comes from. The go command reads, first match wins: the process environment
(a non-empty value), the `go env -w` file ($GOENV, e.g. ~/.config/go/env), then $GOROOT/go.env, then its
built-in default. A value in a higher layer silently hides the ones below it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from envbuilder.doctor.machine import Machine, home

# The module settings a lock pins; GONOPROXY and GONOSUMDB default to GOPRIVATE.
MODULE_SETTINGS = ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOFLAGS", "GOTOOLCHAIN",
                   "GOINSECURE")
DEFAULTS = {"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org", "GOTOOLCHAIN": "local"}
ENVIRONMENT = "environment"
GOROOT_ENV = "$GOROOT/go.env"
DEFAULT = "Go's default"


@dataclass(frozen=True)
class Layer:
    where: str  # ENVIRONMENT, "go env -w file <path>", GOROOT_ENV or DEFAULT
    value: str


@dataclass(frozen=True)
class Setting:
    name: str
    value: str
    where: str
    hidden: tuple[Layer, ...] = field(default_factory=tuple)  # lower layers that also set it

    @property
    def from_environment(self) -> bool:
        return self.where == ENVIRONMENT


def parse_env_file(text: str | None) -> dict[str, str]:
    """KEY=VALUE lines of a go env file; lines not starting with an upper-case letter are comments."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line or not ("A" <= line[0] <= "Z") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        out[key] = value
    return out


@dataclass(frozen=True)
class SettingLayers:
    env: dict[str, str]
    goenv_path: str  # "" or "off": no go env -w file
    goenv: dict[str, str]
    goroot_env: dict[str, str]
    home: str = ""

    @property
    def goenv_label(self) -> str:
        h = self.home.rstrip("/")
        shown = "~" + self.goenv_path[len(h):] if h and self.goenv_path.startswith(h + "/") else self.goenv_path
        return f"go env -w file {shown}"

    def layers(self, name: str) -> list[Layer]:
        found = []
        if self.env.get(name):
            found.append(Layer(ENVIRONMENT, self.env[name]))
        if self.goenv.get(name):
            found.append(Layer(self.goenv_label, self.goenv[name]))
        if self.goroot_env.get(name):
            found.append(Layer(GOROOT_ENV, self.goroot_env[name]))
        return found

    def below_environment(self, name: str) -> str:
        """The value NAME would have without the environment's."""
        rest = [layer for layer in self.layers(name) if layer.where != ENVIRONMENT]
        return rest[0].value if rest else self.default(name, skip_env=True)

    def below_goenv(self, name: str) -> str:
        """The value NAME would have with neither the environment's nor the go env -w file's."""
        if self.goroot_env.get(name):
            return self.goroot_env[name]
        return self.default(name, skip_env=True, skip_goenv=True)

    def default(self, name: str, skip_env: bool = False, skip_goenv: bool = False) -> str:
        if name in ("GONOPROXY", "GONOSUMDB"):
            if skip_goenv:
                return self.below_goenv("GOPRIVATE")
            return self.below_environment("GOPRIVATE") if skip_env else self.get("GOPRIVATE").value
        return DEFAULTS.get(name, "")

    def get(self, name: str) -> Setting:
        found = self.layers(name)
        if not found:
            return Setting(name, self.default(name), DEFAULT if name not in ("GONOPROXY", "GONOSUMDB")
                           else f"{DEFAULT} (GOPRIVATE)")
        return Setting(name, found[0].value, found[0].where, tuple(found[1:]))


def read_layers(machine: Machine, go_env: dict[str, str]) -> SettingLayers:
    """The layers as the running go sees them: its GOENV file and its GOROOT's go.env."""
    goenv_path = go_env.get("GOENV", "")
    goenv = parse_env_file(machine.read_text(goenv_path)) if goenv_path and goenv_path != "off" else {}
    goroot = go_env.get("GOROOT", "")
    goroot_env = parse_env_file(machine.read_text(str(PurePosixPath(goroot) / "go.env"))) if goroot else {}
    return SettingLayers(dict(machine.env), goenv_path, goenv, goroot_env, home(machine))


def fix_command(layers: SettingLayers, name: str, want: str) -> str:
    """The one command that makes NAME's effective value WANT, acting on the layer that decides it."""
    q = shlex.quote(want)
    if not want:
        steps = [f"unset {name}"] if layers.env.get(name) else []
        steps += [f"go env -u {name}"] if layers.goenv.get(name) else []
        return " && ".join(steps) or f"go env -w {name}="
    if layers.env.get(name):
        if layers.below_environment(name) == want:
            return f"unset {name}"
        return f"export {name}={q}"
    if layers.below_goenv(name) == want:
        return f"go env -u {name}"
    return f"go env -w {name}={q}"
