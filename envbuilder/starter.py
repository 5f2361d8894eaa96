"""`envbuilder init`: a starter spec whose Go version follows the project's go.mod."""

from __future__ import annotations

import re
from pathlib import Path

from envbuilder.errors import InputError
from envbuilder.fsutil import atomic_write, read_input
from envbuilder.identity import SPEC_NAME
FALLBACK_GO = "1.22"


def go_version_from_gomod(text: str) -> str | None:
    """go.mod's `toolchain goX.Y.Z` wins over its `go X.Y[.Z]` line (the toolchain is what builds it)."""
    toolchain = re.search(r"^toolchain\s+go(1\.\d+(?:\.\d+)?)\s*$", text, re.M)
    if toolchain:
        return toolchain.group(1)
    go = re.search(r"^go\s+(1\.\d+(?:\.\d+)?)\s*$", text, re.M)
    if go:
        version = go.group(1)
        # `go 1.22.0` and `go 1.22` both mean "at least 1.22": pin the minor, take its newest patch at lock.
        parts = version.split(".")
        return ".".join(parts[:2]) if len(parts) == 2 or parts[2] == "0" else version
    return None


def _name_from_module(text: str, directory: Path) -> str:
    m = re.search(r"^module\s+(\S+)", text, re.M)
    raw = m.group(1).rstrip("/").rsplit("/", 1)[-1] if m else directory.resolve().name
    name = re.sub(r"[^a-z0-9._-]+", "-", raw.lower()).strip("-._") or "project"
    return name[:63]


def starter_text(name: str, go_version: str) -> str:
    from envbuilder.render import template_environment

    return template_environment().get_template("envbuilder.yaml.j2").render(name=name, go_version=go_version)


def write_starter(directory: Path, *, name: str | None, force: bool) -> Path:
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    target = directory / SPEC_NAME
    if target.exists() and not force:
        raise InputError(f"{target}: already exists (use --force to overwrite)")
    gomod_path = directory / "go.mod"
    gomod = read_input(gomod_path, "no such file").decode(errors="replace") if gomod_path.is_file() else ""
    version = go_version_from_gomod(gomod) or FALLBACK_GO
    if tuple(int(x) for x in version.split(".")[:2]) < (1, 21):
        raise InputError(f"{gomod_path}: go {version} is older than envbuilder supports (1.21+)")
    from envbuilder.spec.models import GO_VERSION

    if not re.fullmatch(GO_VERSION, version):  # go.mod's problem, not the starter spec's: blame go.mod
        raise InputError(f"{gomod_path}: go {version} is not a Go release envbuilder can pin (e.g. 1.22 or 1.22.10)")
    name = name or _name_from_module(gomod, directory)
    text = starter_text(name, version)
    from envbuilder.spec.load import validate
    from ruamel.yaml import YAML

    validate(YAML(typ="rt", pure=True).load(text), target)  # a starter that does not validate is a bug here
    atomic_write(target, text.encode())
    return target
