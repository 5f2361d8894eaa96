"""The snapshot document: the facts that decide a Go build, as one JSON object. This model is the truth:
its JSON Schema is published (`envbuilder snapshot --json-schema`), keys are written sorted, and nothing
in `facts` depends on when it was taken (`taken` sits outside), so two snapshots of one environment are
byte-identical facts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Kind = Literal["image", "container", "host", "binary"]


def _strict() -> ConfigDict:
    return ConfigDict(extra="forbid")


class Compiler(BaseModel):
    """A C/C++ compiler (or linker) the build may call through cgo."""

    model_config = _strict()
    path: str | None = Field(None, description="Real path (symbolic links resolved); null when not found.")
    version: str | None = Field(None, description="First line of `--version`.")


class GoTool(BaseModel):
    """A Go binary installed in the environment, as `go version -m` describes it."""

    model_config = _strict()
    path: str
    go_version: str = ""
    package: str = ""
    module: str = ""
    version: str = ""
    sum: str = ""


class Dependency(BaseModel):
    model_config = _strict()
    path: str
    version: str = ""
    sum: str = ""
    replace: str = Field("", description="The replacement as `path version`, when replaced.")


class BinaryBuild(BaseModel):
    """A release binary's Go build info (the facts of the environment that built it)."""

    model_config = _strict()
    path: str = Field("", description="Main package path.")
    main: str = Field("", description="Main module as `path version`.")
    settings: dict[str, str] = Field(default_factory=dict, description="Build settings: -trimpath, -ldflags, "
                                     "CGO_ENABLED, GOOS, vcs.revision, ...")
    deps: list[Dependency] = Field(default_factory=list)


class Facts(BaseModel):
    model_config = _strict()
    kind: Kind
    go_version: str | None = Field(None, description="`go version`'s version: go1.22.10.")
    go_binary: str | None = Field(None, description="Real path of the `go` on PATH.")
    go_binary_sha256: str | None = None
    goroot_sha256: str | None = Field(None, description="sha256 over `sha256sum` lines of every file in GOROOT "
                                      "(relative paths, sorted).")
    go_env: dict[str, str] = Field(default_factory=dict, description="`go env -json`, credentials dropped.")
    compilers: dict[str, Compiler] = Field(default_factory=dict, description="By command name.")
    cross_tools: dict[str, str] = Field(default_factory=dict, description="zig, mingw, qemu, wine: version line.")
    os_release: dict[str, str] = Field(default_factory=dict, description="/etc/os-release.")
    packages: dict[str, str] = Field(default_factory=dict, description="Debian packages: name -> version.")
    tools: dict[str, GoTool] = Field(default_factory=dict, description="Go binaries by file name.")
    labels: dict[str, str] = Field(default_factory=dict, description="Image labels (lock hash, spec hash, ...).")
    binary: BinaryBuild | None = Field(None, description="Build info, for a release binary.")


class Snapshot(BaseModel):
    model_config = _strict()
    schema_version: Literal[1] = SCHEMA_VERSION
    source: str = Field(description="What was snapshotted: `image demo:dev-go1.22.10`, `host`, a file.")
    taken: datetime | None = Field(None, description="When; outside `facts` so facts compare byte for byte.")
    facts: Facts

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def json_schema() -> dict[str, Any]:
    return Snapshot.model_json_schema()
