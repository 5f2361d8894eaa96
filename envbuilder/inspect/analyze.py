"""One path in, its facts out: sniff the magic, hand the file to the right format reader, then read the Go
build info. Every failure is caught here and becomes `facts.error`, so one bad file never stops a run."""

from __future__ import annotations

import os
import stat

from envbuilder.inspect.buildinfo import read_build_info
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.source import Malformed, Source

NOT_A_BINARY = "not an executable or library (unrecognized format)"
_MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_FORMAT_NAMES = {"elf": "ELF", "pe": "PE", "macho": "Mach-O", "macho-fat": "fat Mach-O"}


def analyze(path: str) -> BinaryFacts:
    facts = BinaryFacts(path=path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then rejects it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        facts.error = "broken symbolic link" if os.path.islink(path) else "no such file"
        return facts
    except OSError as e:
        facts.error = f"cannot open: {e.strerror}"
        return facts
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        facts.error = f"not a regular file ({_file_type(st.st_mode)})"
        return facts
    with os.fdopen(fd, "rb") as f:
        facts.size = st.st_size
        _read(Source(f), facts)
    return facts


def _read(src: Source, facts: BinaryFacts) -> None:
    from envbuilder.inspect.macho import is_fat, read_fat, read_macho

    try:
        head = src.read_upto(0, 8, "magic")
        if head.startswith(b"\x7fELF"):
            from envbuilder.inspect.elf import read_elf

            _with_build_info(read_elf, src, facts)
        elif head.startswith(b"MZ"):
            from envbuilder.inspect.pe import read_pe

            _with_build_info(read_pe, src, facts)
        elif head[:4] in _MACHO_MAGICS:
            _with_build_info(read_macho, src, facts)
        elif is_fat(head):
            read_fat(src, facts, lambda piece_src, piece: _read_slice(piece_src, piece))
            facts.error = next((s.error for s in facts.slices if s.error), None)
        else:
            facts.error = "empty file" if src.size == 0 else NOT_A_BINARY
    except Malformed as e:
        facts.error = f"malformed {_FORMAT_NAMES.get(facts.format, 'file')}: {e}"
    # Parsers raise whatever their code hits on hostile input (struct.error, ValueError, IndexError,
    # ELFError, PEFormatError, RecursionError, ...): all of it is this file's problem, not the run's.
    except Exception as e:  # noqa: BLE001
        facts.error = f"malformed {_FORMAT_NAMES.get(facts.format, 'file')}: {type(e).__name__}: {e}"


def _read_slice(src: Source, facts: BinaryFacts) -> None:
    from envbuilder.inspect.macho import read_macho

    try:
        _with_build_info(read_macho, src, facts)
    except Malformed as e:
        facts.error = f"malformed Mach-O slice: {e}"
    except Exception as e:  # noqa: BLE001  (as in _read)
        facts.error = f"malformed Mach-O slice: {type(e).__name__}: {e}"


def _with_build_info(reader, src: Source, facts: BinaryFacts) -> None:
    space, data_start = reader(src, facts)
    facts.go = read_build_info(space, data_start)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISDIR, "directory"), (stat.S_ISSOCK, "socket"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"
