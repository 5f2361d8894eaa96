"""The newest glibc an ELF program needs: the highest GLIBC_x.y version in its version-needs table
(.gnu.version_r), which the dynamic loader insists on at start-up. Loaded only when a glibc floor is checked
(`inspect --expect-glibc`, verify of a zig target with `cgo.glibc`), so plain inspection never pays for it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

_GLIBC = re.compile(r"GLIBC_([0-9]+)\.([0-9]+)(?:\.([0-9]+))?")


@dataclass(frozen=True)
class GlibcNeed:
    """The newest GLIBC_ symbol version a program needs, and the library that must provide it."""

    version: tuple[int, ...]  # (2, 34)
    name: str  # "GLIBC_2.34"
    library: str  # "libc.so.6"

    @property
    def shown(self) -> str:
        return ".".join(map(str, self.version))


def newest_glibc_need(path: str) -> GlibcNeed | None:
    """The highest GLIBC_x.y[.z] in PATH's .gnu.version_r, or None when it needs no glibc symbol version
    (a static program, musl, not glibc). ValueError when the file is no readable ELF."""
    newest: GlibcNeed | None = None
    try:
        with open(path, "rb") as f:
            for section in ELFFile(f).iter_sections():
                if not isinstance(section, GNUVerNeedSection):
                    continue
                for verneed, auxiliaries in section.iter_versions():
                    for aux in auxiliaries:
                        m = _GLIBC.fullmatch(aux.name)
                        if m is None:
                            continue
                        version = tuple(int(part) for part in m.groups() if part is not None)
                        if newest is None or version > newest.version:
                            newest = GlibcNeed(version, aux.name, verneed.name)
    except (ELFError, OSError, ValueError, KeyError) as exc:
        raise ValueError(f"cannot read its version needs: {exc}") from None
    return newest
