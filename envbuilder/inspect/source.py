"""Bounded reads from one file: every read names an offset and a size and is checked against the file's
size, so a header that points past the end is an error, never a huge allocation or a hang."""

from __future__ import annotations

import os
from typing import BinaryIO

# Upper bound for any single read we make (build-info strings, PT_INTERP, ...). Generous for real
# binaries (a module list of thousands of deps is well under 1 MiB) and small enough to be harmless.
MAX_READ = 16 << 20


class Malformed(Exception):
    """The file breaks its format's rules (or is truncated): reported per file, the run continues."""


class Source:
    """A window [base, base+size) of an open file: the whole file, or one slice of a fat Mach-O."""

    def __init__(self, f: BinaryIO, base: int = 0, size: int | None = None) -> None:
        self.f = f
        self.base = base
        self.size = os.fstat(f.fileno()).st_size - base if size is None else size

    def read(self, offset: int, size: int, what: str = "data") -> bytes:
        """Exactly SIZE bytes at OFFSET, or Malformed naming WHAT."""
        if offset < 0 or size < 0 or size > MAX_READ or offset + size > self.size:
            raise Malformed(f"{what} at offset {offset:#x} (+{size}) is past the end of the file ({self.size})")
        self.f.seek(self.base + offset)
        data = self.f.read(size)
        if len(data) != size:
            raise Malformed(f"{what} at offset {offset:#x}: short read")
        return data

    def read_upto(self, offset: int, size: int, what: str = "data") -> bytes:
        """Up to SIZE bytes at OFFSET (fewer at the end of the file)."""
        return self.read(offset, max(0, min(size, self.size - offset)), what)

    def slice(self, offset: int, size: int) -> Source:
        if offset < 0 or size < 0 or offset + size > self.size:
            raise Malformed(f"slice at {offset:#x} (+{size}) is past the end of the file ({self.size})")
        return Source(self.f, self.base + offset, size)

    def view(self) -> BinaryIO:
        """A file object for parsers that want one (pyelftools, macholib); reads stay within the window."""
        return _Window(self) if self.base or self.size != os.fstat(self.f.fileno()).st_size else self.f


class _Window:
    """Minimal seek/read/tell file object restricted to a Source's window (fat Mach-O slices)."""

    def __init__(self, src: Source) -> None:
        self.src, self.pos = src, 0

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = {0: pos, 1: self.pos + pos, 2: self.src.size + pos}[whence]
        return self.pos

    def tell(self) -> int:
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = self.src.size if n is None or n < 0 else min(self.src.size, self.pos + n)
        if self.pos >= end:
            return b""
        self.src.f.seek(self.src.base + self.pos)
        data = self.src.f.read(end - self.pos)
        self.pos += len(data)
        return data
