"""What doctor needs from go.mod (or go.work): the go and toolchain lines and the required modules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from envbuilder.errors import InputError


@dataclass(frozen=True)
class Requirement:
    path: str
    version: str
    indirect: bool = False


@dataclass(frozen=True)
class GoModFile:
    file: Path
    module: str = ""
    go: str = ""  # "1.22" or "1.22.10"; "" when absent
    toolchain: str = ""  # "go1.24.11", "default" or ""
    requires: tuple[Requirement, ...] = field(default_factory=tuple)


_COMMENT = re.compile(r"//.*$")


def _unquote(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"`" else word


def parse_gomod(path: Path) -> GoModFile:
    """Parse go.mod or go.work; a line doctor cannot read is bad input naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    module = go = toolchain = ""
    requires: list[Requirement] = []
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        indirect = bool(re.search(r"//\s*indirect\b", raw))
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if block is not None:
            if line == ")":
                block = None
                continue
            words = line.split()
        else:
            words = line.split()
            if len(words) >= 2 and words[1] == "(":
                block = words[0]
                continue
            verb, words = words[0], words[1:]
            if verb == "module" and words:
                module = _unquote(words[0])
                continue
            if verb == "go":
                if len(words) != 1 or not re.fullmatch(r"1(\.\d+){0,2}((rc|beta|alpha)\d+)?", words[0]):
                    raise InputError(f"{path}:{number}: go: invalid go version {' '.join(words)!r}")
                go = words[0]
                continue
            if verb == "toolchain":
                if len(words) != 1:
                    raise InputError(f"{path}:{number}: toolchain: expected one toolchain name")
                toolchain = words[0]
                continue
            if verb != "require":
                continue
        if (block or "require") == "require":
            if len(words) != 2:
                raise InputError(f"{path}:{number}: require: expected a module path and a version")
            requires.append(Requirement(_unquote(words[0]), _unquote(words[1]), indirect))
    if block is not None:
        raise InputError(f"{path}: unterminated {block} ( block")
    return GoModFile(path, module, go, toolchain, tuple(requires))


def find_workspace(directory: Path, gowork: str | None) -> Path | None:
    """The go.work the go command uses in DIRECTORY: $GOWORK, else the nearest go.work above; None if off."""
    if gowork == "off":
        return None
    if gowork:
        return Path(gowork)
    for d in (directory, *directory.parents):
        if (d / "go.work").is_file():
            return d / "go.work"
    return None
