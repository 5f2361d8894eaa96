"""Go version strings compared the way the go command compares them (cmd/go/internal/gover).

"1.21" is a language version and sorts before its release candidates, which sort before "1.21.0";
before Go 1.21, "1.20" means "1.20.0".
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"(\d+)(?:\.(\d+)(?:\.(\d+)|([a-z]+)(\d*))?)?")


def key(v: str) -> tuple[int, int, int, str, int]:
    """Sort key; an invalid version sorts before every valid one (Go's zero version)."""
    m = _VERSION.fullmatch(v)
    if m is None:
        return (-1, -1, -1, "", -1)
    major, minor, patch, kind, pre = m.groups()
    if minor is None:
        return (int(major), 0, 0, "", -1)
    if patch is None and kind is None and int(major) == 1 and int(minor) < 21:
        patch = "0"
    return (int(major), int(minor), -1 if patch is None else int(patch), kind or "", int(pre) if pre else -1)


def is_valid(v: str) -> bool:
    return _VERSION.fullmatch(v) is not None


def compare(a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    return (ka > kb) - (ka < kb)


def is_lang(v: str) -> bool:
    """A language version such as "1.22" (no patch, no prerelease)."""
    return re.fullmatch(r"\d+\.\d+", v) is not None


def from_toolchain(name: str) -> str:
    """"go1.22.10" -> "1.22.10"; a suffix such as "-custom" is dropped; "" when NAME is no Go toolchain."""
    if "/" in name or "\\" in name or not name.startswith("go"):
        return ""
    v = re.split(r"[ \t-]", name[2:], maxsplit=1)[0]
    return v if is_valid(v) else ""
