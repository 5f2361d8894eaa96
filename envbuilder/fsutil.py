"""File writes that never leave a half-written output behind, and input reads that never read without bound."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write DATA to PATH via a temp file in the same directory and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def check_input_file(path: Path, missing_hint: str, *, limit: int, what: str = "file") -> None:
    """InputError naming PATH unless it is a regular file of at most LIMIT bytes (by stat: nothing is opened)."""
    from envbuilder.errors import InputError

    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: {missing_hint}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        raise InputError(f"{path}: is {kind}, not a file" if kind.startswith("a ") else f"{path}: {kind}")
    if st.st_size > limit:
        raise InputError(f"{path}: {st.st_size} bytes is too large for a {what} (limit {limit})")


def open_input(path: Path, missing_hint: str, *, limit: int, what: str = "file") -> BinaryIO:
    """PATH opened for reading once it is known to be a regular file of at most LIMIT bytes; InputError naming
    the file otherwise. A FIFO, device or socket is refused by stat before opening (opening a FIFO waits for
    a writer; /dev/zero never ends), and O_NONBLOCK plus fstat guard against a swap in between."""
    from envbuilder.errors import InputError

    check_input_file(path, missing_hint, limit=limit, what=what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"{path}: is {_file_kind(mode)}, not a file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_input(path: Path, missing_hint: str, *, limit: int = 4 << 20, what: str = "file") -> bytes:
    """Bytes of an input file of at most LIMIT bytes, or InputError naming the file (MISSING_HINT says what to
    do if absent). Never reads more than LIMIT + 1 bytes, so a file that grows while read is refused too."""
    from envbuilder.errors import InputError

    with open_input(path, missing_hint, limit=limit, what=what) as f:
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError(f"{path}: more than {limit} bytes is too large for a {what} (limit {limit})")
    return data


def read_bounded(path: Path, limit: int) -> bytes | None:
    """Bytes of PATH if it is a regular file of at most LIMIT bytes, else None (missing, unreadable, too big,
    a FIFO or device): for files envbuilder only compares against, where "not ours" is the answer."""
    from envbuilder.errors import InputError

    try:
        return read_input(path, "no such file", limit=limit)
    except InputError:
        return None
