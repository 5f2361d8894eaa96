"""Platforms as release matrices spell them: `--expect` values, goreleaser fields and file names.

A Platform is GOOS/GOARCH plus an optional variant (GOARM "7", GOAMD64 "v3", GOARM64 "v8.0", ...), written
`linux/arm/v7`, `linux/amd64/v3` or `linux/arm/7` (OCI and Go spellings both work).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache


@cache
def known_ports() -> tuple[frozenset[str], frozenset[str], frozenset[tuple[str, str]]]:
    """(GOOS names, GOARCH names, valid pairs) over every Go version in `go tool dist list` (shared data)."""
    from importlib import resources  # only here: inspect without --expect never needs it

    raw = json.loads(resources.files("envbuilder").joinpath("data/dist_list.json").read_text())
    pairs = frozenset((p["GOOS"], p["GOARCH"]) for rows in raw.values() for p in rows)
    return frozenset(o for o, _ in pairs), frozenset(a for _, a in pairs), pairs


# The variants Go knows per GOARCH (GOARM, GOAMD64, GOARM64, GO386, GOMIPS, GOPPC64, GORISCV64, GOWASM), as
# normalize_variant spells them; an arch missing here has none.
VARIANTS: dict[str, re.Pattern[str]] = {
    "arm": re.compile(r"[5-7]"),
    "amd64": re.compile(r"v[1-4]"),
    "arm64": re.compile(r"v8\.[0-9]|v9\.[0-5]|v8|v9"),
    "386": re.compile(r"sse2|softfloat"),
    **dict.fromkeys(("mips", "mipsle", "mips64", "mips64le"), re.compile(r"hardfloat|softfloat")),
    **dict.fromkeys(("ppc64", "ppc64le"), re.compile(r"power(8|9|10)")),
    "riscv64": re.compile(r"rva2[023]u64"),
    "wasm": re.compile(r"satconv|signext"),
}


def is_variant(arch: str, variant: str) -> bool:
    """Whether VARIANT (normalized) exists for ARCH: linux/arm/v9 and linux/amd64/v7 do not."""
    pattern = VARIANTS.get(arch)
    return pattern is not None and pattern.fullmatch(variant) is not None


def normalize_variant(arch: str, variant: str | None) -> str | None:
    """One spelling per variant: arm "v7"/"7"/"7,hardfloat" -> "7"; others as given ("v3", "v8.0")."""
    if not variant:
        return None
    variant = variant.split(",")[0]
    return variant.removeprefix("v") if arch == "arm" else variant


@dataclass(frozen=True)
class Platform:
    os: str
    arch: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """`os/arch[/variant]`; ValueError naming what is wrong."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"{text!r} is not os/arch or os/arch/variant")
        goos, goarch = parts[0], parts[1]
        if (goos, goarch) not in known_ports()[2]:
            raise ValueError(f"{text!r}: {goos}/{goarch} is not a Go platform (go tool dist list)")
        variant = normalize_variant(goarch, parts[2] if len(parts) == 3 else None)
        if variant is not None and not is_variant(goarch, variant):
            raise ValueError(f"{text!r}: {goarch} has no variant {parts[2]!r}")
        return cls(goos, goarch, variant)

    def __str__(self) -> str:
        if self.variant is None:
            return f"{self.os}/{self.arch}"
        return f"{self.os}/{self.arch}/{'v' if self.arch == 'arm' else ''}{self.variant}"

    def matches(self, actual: Platform) -> bool:
        """Same os/arch; the variant too when this (expected) platform names one."""
        return (self.os, self.arch) == (actual.os, actual.arch) and (
            self.variant is None or self.variant == actual.variant)


# --- file names ------------------------------------------------------------------------------------------------

_OS_ALIASES = {"macos": "darwin", "osx": "darwin", "mac": "darwin"}
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "x64": "amd64", "aarch64": "arm64", "i386": "386",
                 "i686": "386", "x86": "386", "armhf": "arm", "universal": "all"}
_ARM_GLUED = re.compile(r"^armv?([5-7])$")  # goreleaser archive names: linux_armv7
_VARIANT = re.compile(r"^(v[1-4]|v?[5-7]|v8\.\d+|v9\.\d+|sse2|softfloat|hardfloat|power[89]|rva2[02]u64)$")
_EXTENSIONS = (".exe", ".dll", ".so", ".dylib")


def platform_from_name(name: str) -> Platform | None:
    """The platform a file name claims (`app_linux_amd64`, `app-windows-arm64.exe`, `app_Linux_x86_64`,
    goreleaser's `app_linux_arm_7` directories), or None when it names none. Arch "all" = universal."""
    goos_names, goarch_names, _ = known_ports()
    stem = name.lower()
    for ext in _EXTENSIONS:
        stem = stem.removesuffix(ext)
    for alias, arch in _ARCH_ALIASES.items():
        stem = re.sub(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", arch, stem)
    tokens = re.split(r"[_\-]", stem)
    for i, token in enumerate(tokens[:-1]):
        goos = _OS_ALIASES.get(token, token)
        if goos not in goos_names:
            continue
        arch, variant = tokens[i + 1].split(".")[0], None  # "amd64.tar.gz": the arch ends at a dot
        glued = _ARM_GLUED.match(arch)
        if glued:
            arch, variant = "arm", glued.group(1)
        if arch not in goarch_names and arch != "all":
            continue
        if variant is None and i + 2 < len(tokens) and _VARIANT.match(tokens[i + 2]):
            variant = tokens[i + 2]
        return Platform(goos, arch, normalize_variant(arch, variant))
    return None
