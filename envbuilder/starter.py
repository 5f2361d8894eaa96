"""`envbuilder init`: a starter spec whose Go version follows the project's go.mod."""

from __future__ import annotations

import re
from pathlib import Path

from envbuilder.errors import InputError
from envbuilder.fsutil import read_input, write_all
from envbuilder.identity import SPEC_NAME
from envbuilder.spec.models import GO_VERSION
FALLBACK_GO = "1.22"
MAX_GOMOD_BYTES = 16 << 20  # the go command's own limit for a go.mod


def go_version_from_gomod(text: str) -> str | None:
    """go.mod's `toolchain goX.Y.Z` wins over its `go X.Y[.Z]` line (the toolchain is what builds it)."""
    # [0-9] and [ \t], not \d and \s: those match any Unicode digit and line-breaking spaces.
    toolchain = re.search(r"^toolchain[ \t]+go(1\.[0-9]+(?:\.[0-9]+)?)[ \t\r]*$", text, re.M)
    if toolchain:
        return toolchain.group(1)
    go = re.search(r"^go[ \t]+(1\.[0-9]+(?:\.[0-9]+)?)[ \t\r]*$", text, re.M)
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


def checked_name(name: str, source: str) -> str:
    """NAME if the spec accepts it as `name` (the same pattern), else InputError naming SOURCE."""
    from pydantic import TypeAdapter, ValidationError

    from envbuilder.spec.models import NAME, PATTERN_NAMES, Name

    try:
        return TypeAdapter(Name).validate_python(name)
    except ValidationError:
        raise InputError(f"{source}: {name!r} is not a valid project name: use {PATTERN_NAMES[NAME]}, "
                         "at most 63 characters, starting with a letter or digit") from None


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
    gomod = ""
    if gomod_path.is_file():
        gomod = read_input(gomod_path, "no such file", limit=MAX_GOMOD_BYTES, what="go.mod").decode(errors="replace")
    version = go_version_from_gomod(gomod) or FALLBACK_GO
    if tuple(int(x) for x in version.split(".")[:2]) < (1, 21):
        raise InputError(f"{gomod_path}: go {version} is older than envbuilder supports (1.21+)")
    if not re.fullmatch(GO_VERSION, version):  # go.mod's problem, not the starter spec's: blame go.mod
        raise InputError(f"{gomod_path}: go {version} is not a Go release envbuilder can pin (e.g. 1.22 or 1.22.10)")
    if name is not None:
        name = checked_name(name, "--name")
    else:
        name = checked_name(_name_from_module(gomod, directory), str(gomod_path if gomod else directory))
    text = starter_text(name, version)
    from envbuilder.spec.load import validate
    from ruamel.yaml import YAML

    validate(YAML(typ="rt", pure=True).load(text), target)  # a starter that does not validate is a bug here
    write_all(directory, {SPEC_NAME: text.encode()})
    return target
