"""Where snapshots come from: an environment (through a verify executor), a snapshot file, a release binary.

A diff operand says which it is:
- `host` → this machine; `container:ID` → a running container; `devcontainer:DIR` → the running
  devcontainer of a workspace; `image:REF` → a fresh container of an image;
- an existing file (or a name ending in .json) → a snapshot when it is JSON, a release binary when it is
  ELF, PE or Mach-O;
- anything else → an image reference (`demo:dev-go1.22.10`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pydantic import ValidationError

from envbuilder.errors import InputError
from envbuilder.snapshot.model import SCHEMA_VERSION, BinaryBuild, Dependency, Facts, Snapshot

_BINARY_MAGICS = (b"\x7fELF", b"MZ", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                  b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


@dataclass(frozen=True)
class Environment:
    """One environment to snapshot, as verify's options name it."""

    image: str | None = None
    host: bool = False
    container: str | None = None
    devcontainer: Path | None = None
    user: str | None = None


@dataclass(frozen=True)
class Wanted:
    """What to ask the environment beyond the defaults: the spec's cgo compilers and the lock's tools
    (None: every binary in GOPATH/bin)."""

    compilers: list[str] = field(default_factory=list)
    tools: list[str] | None = None


def wanted_from_spec(spec_path: Path) -> Wanted:
    from envbuilder.profiles import target_toolchain
    from envbuilder.project import load_locked
    from envbuilder.verify.environment import tool_binary_name

    spec, lock = load_locked(spec_path)
    compilers: list[str] = []
    for t in spec.targets:
        toolchain = target_toolchain(t)
        if toolchain is not None:
            compilers += [toolchain.cc, toolchain.cxx]
    return Wanted(list(dict.fromkeys(compilers)), sorted({tool_binary_name(t.module) for t in lock.tools}))


def snapshot_environment(env: Environment, wanted: Wanted) -> Snapshot:
    from envbuilder.snapshot.collect import collect
    from envbuilder.verify.executors import open_executor

    executor = open_executor(image=env.image, host=env.host, container=env.container,
                             devcontainer=env.devcontainer, user=env.user)
    try:
        facts = collect(executor, compilers=wanted.compilers, tools=wanted.tools)
        return Snapshot(source=executor.name, taken=datetime.now(timezone.utc), facts=facts)
    finally:
        executor.close()


def parse_snapshot(raw: bytes, source: str) -> Snapshot:
    """A snapshot file's bytes, validated; InputError `SOURCE: problem` (one line) when anything is off."""
    from envbuilder.lockmodel import describe

    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise InputError(f"{source}: not a snapshot: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: not a snapshot: invalid JSON ({exc.msg}; truncated?)") from None
    if not isinstance(data, dict) or "schema_version" not in data or "facts" not in data:
        raise InputError(f"{source}: not an envbuilder snapshot (no schema_version and facts)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{source}: snapshot schema_version {data['schema_version']!r} is not supported "
                         f"(this envbuilder reads {SCHEMA_VERSION}; take the snapshot again)")
    try:
        return Snapshot.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {describe(exc)}") from None


def snapshot_binary(path: Path) -> Snapshot:
    """A release binary's Go build info as a snapshot (kind binary)."""
    from envbuilder.inspect.analyze import analyze

    facts = analyze(str(path))
    if facts.error and facts.go is None:
        raise InputError(f"{path}: {facts.error}")
    info = facts.go
    if info is None:
        raise InputError(f"{path}: no Go build info (not a Go binary)")
    deps = [Dependency(path=d.path, version=d.version, sum=d.sum,
                       replace=f"{d.replace.path} {d.replace.version}".strip() if d.replace else "")
            for d in info.deps]
    main = f"{info.main.path} {info.main.version}".strip() if info.main else ""
    build = BinaryBuild(path=info.path, main=main, settings=dict(info.settings), deps=deps)
    return Snapshot(source=str(path), facts=Facts(kind="binary", go_version=info.go_version or None, binary=build))


def load_file(path: Path) -> Snapshot:
    """A snapshot file or a release binary, told apart by their first bytes."""
    from envbuilder.fsutil import read_input

    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        head = b""  # read_input below names the problem
    if head.startswith(_BINARY_MAGICS):
        return snapshot_binary(path)
    return parse_snapshot(read_input(path, "no such file"), str(path))


def resolve_operand(operand: str, wanted: Wanted) -> Snapshot:
    """The snapshot an operand of `envbuilder diff` names (see the module docstring)."""
    if operand in ("host", "--host"):
        return snapshot_environment(Environment(host=True), wanted)
    kind, sep, rest = operand.partition(":")
    if sep and kind in ("container", "image", "devcontainer"):
        if not rest:
            raise InputError(f"{operand}: give a {kind} after `{kind}:`")
        if kind == "container":
            return snapshot_environment(Environment(container=rest), wanted)
        if kind == "devcontainer":
            return snapshot_environment(Environment(devcontainer=Path(rest)), wanted)
        return snapshot_environment(Environment(image=rest), wanted)
    path = Path(operand)
    if (path.exists() and not path.is_dir()) or operand.endswith(".json"):
        return load_file(path)
    return snapshot_environment(Environment(image=operand), wanted)
