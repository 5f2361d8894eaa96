"""File writes that never leave a half-written output behind (a command writes all its files or none), and
input reads that never read without bound."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

# Test hook: seconds to sleep after each temp file is written, so a test can interrupt a write in the middle.
TEST_PAUSE_ENV = "ENVBUILDER_TEST_PAUSE_BETWEEN_WRITES"
TEMP_SUFFIX = ".envbuilder-tmp"
BACKUP_SUFFIX = ".envbuilder-old"
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NOT_PERMITTED = {errno.EACCES, errno.EPERM, errno.EROFS}


def write_all(root: Path, files: Mapping[str, bytes], mode: int = 0o644) -> None:
    """Write every FILES[relative path] under ROOT, or none of them.

    1. Check every destination before touching anything (`check_destinations`).
    2. Write each file to a temp file beside its destination (fsync'd), creating missing directories.
    3. Commit with SIGINT/SIGTERM held: hard-link each existing destination to a backup, rename every
       temp file into place, drop the backups. Should a rename fail, the backups are renamed back, so the
       old set returns. A signal that arrives meanwhile is delivered after the commit: the new set stands.
    Until the commit, any exception (KeyboardInterrupt and SIGTERM included) removes every temp file and
    directory made here, leaving the old set. Errors become one line naming the path: InputError (exit 2)
    for a path that cannot be written, EnvironmentProblem (exit 3) for a full disk.
    """
    destinations = {root / relative: data for relative, data in files.items()}
    check_destinations(list(destinations))
    temps: dict[Path, str] = {}
    created: list[Path] = []
    committed = False
    current = root
    pause = float(os.environ.get(TEST_PAUSE_ENV) or 0)
    with _sigterm_raises():
        try:
            for current, data in destinations.items():
                _make_directories(current.parent, created)
                _write_temp(current, data, mode, temps)
                if pause:
                    time.sleep(pause)
            with _signals_deferred():
                current = root
                _commit(temps)
                committed = True
        except BaseException as exc:
            if not committed:
                for tmp in temps.values():
                    _remove(tmp)
                for directory in reversed(created):
                    with contextlib.suppress(OSError):
                        directory.rmdir()
            if isinstance(exc, OSError):
                raise _write_error(exc, Path(exc.filename2) if exc.filename2 else current) from None
            raise


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write DATA to PATH via a temp file in the same directory and an atomic rename (`write_all` of one)."""
    write_all(path.parent, {path.name: data}, mode)


def check_destinations(paths: list[Path]) -> None:
    """InputError naming the first of PATHS that cannot become a file: too long, a directory, under a
    non-directory, or in a directory this process may not write."""
    from envbuilder.errors import InputError

    for path in paths:
        absolute = os.path.abspath(path)
        ancestor = Path(path).parent
        while not os.path.lexists(ancestor):
            ancestor = ancestor.parent
        name_max = _name_max(ancestor)
        too_long = [part for part in Path(absolute).parts if len(os.fsencode(part)) > name_max]
        if too_long or len(os.fsencode(absolute)) >= _path_max(ancestor):
            what = f"a name is longer than {name_max} bytes" if too_long else "the path is too long"
            raise InputError(f"{_shown(path)}: cannot write: {what}")
        if os.path.isdir(absolute):
            raise InputError(f"{_shown(path)}: is a directory, not a file")
        if not os.path.isdir(ancestor):
            raise InputError(f"{_shown(path)}: cannot write: {_shown(ancestor)} is not a directory")
        if not os.access(ancestor, os.W_OK | os.X_OK):
            raise InputError(f"{_shown(path)}: cannot write: {_shown(ancestor)} is not writable")


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _path_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 4096


def _shown(path: Path | str) -> str:
    """PATH for a one-line message: control characters and undecodable bytes escaped."""
    text = str(path)
    return text if text.isprintable() else ascii(text)[1:-1]


def _make_directories(directory: Path, created: list[Path]) -> None:
    """Create DIRECTORY and its missing parents, outermost first, appending each one made to CREATED."""
    missing = []
    while not os.path.lexists(directory):
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        created.append(d)  # before it exists: an interrupt right after mkdir must still find it
        d.mkdir()


def _short_name(path: Path) -> str:
    """PATH's name cut to leave room for a hidden temp or backup name around it within NAME_MAX."""
    return os.fsdecode(os.fsencode(path.name)[:_name_max(path.parent) - 40])


def _write_temp(path: Path, data: bytes, mode: int, temps: dict[Path, str]) -> None:
    """Write DATA to a new temp file beside PATH, recorded in TEMPS before it exists (not mkstemp's way,
    which returns the name only once the file exists: an interrupt in between would leave it behind)."""
    import secrets  # here: its import (random, hashlib) costs more than a small command's work

    while True:
        tmp = str(path.with_name(f".{_short_name(path)}.{secrets.token_hex(8)}{TEMP_SUFFIX}"))
        temps[path] = tmp
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            break
        except FileExistsError:  # another file of that name, not ours: never remove it
            del temps[path]
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, mode)


def _commit(temps: dict[Path, str]) -> None:
    backups: dict[Path, str] = {}
    replaced: list[Path] = []
    try:
        for path in temps:
            if os.path.lexists(path):
                backups[path] = _backup(path)
        for path, tmp in temps.items():
            os.replace(tmp, path)
            replaced.append(path)
    except BaseException:
        for path in reversed(replaced):
            if path in backups:
                os.replace(backups.pop(path), path)
            else:
                _remove(path)
        for tmp in temps.values():
            _remove(tmp)
        raise
    finally:
        for backup in backups.values():
            _remove(backup)
    for directory in {path.parent for path in temps}:
        _fsync_directory(directory)


def _backup(path: Path) -> str:
    """A second name for PATH's current file (a hard link: PATH itself stays in place)."""
    backup = str(path.with_name(f".{_short_name(path)}.{os.getpid()}{BACKUP_SUFFIX}"))
    _remove(backup)
    try:
        os.link(path, backup, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        import shutil

        shutil.copy2(path, backup, follow_symlinks=False)  # a file system without hard links
    return backup


def _remove(path: Path | str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_directory(directory: Path) -> None:
    """Make the renames durable; file systems that cannot fsync a directory are left as they are."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_error(exc: OSError, path: Path) -> Exception:
    from envbuilder.errors import EnvironmentProblem, InputError

    where = _shown(path)
    if exc.errno in _NO_SPACE:
        return EnvironmentProblem(f"{where}: cannot write: no space left on the device (nothing was written)")
    if exc.errno in _NOT_PERMITTED:
        return InputError(f"{where}: cannot write: {exc.strerror}")
    if exc.errno in (errno.ENAMETOOLONG, errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        return InputError(f"{where}: cannot write: {exc.strerror}")
    return EnvironmentProblem(f"{where}: cannot write: {exc.strerror or exc}")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (the commit's renames then run as one step): their
    Python handlers, which always run in the main thread whichever thread the kernel picked, only take
    note; the held signals go to the previous handlers afterwards."""
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in signals}
    if threading.current_thread() is not threading.main_thread() or None in previous.values():
        yield  # handlers run in the main thread only, so this thread is never interrupted by one
        return
    held: list[int] = []
    for s in signals:
        signal.signal(s, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in held:
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While files are written, SIGTERM raises SystemExit(143) (the exit status of a SIGTERM death), so the
    temp files are removed; by default it would kill the process on the spot."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


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
