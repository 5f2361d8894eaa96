"""Paths to files, and files to facts, in parallel where that helps.

Named paths must exist (else bad input, exit 2); a named broken symlink or FIFO is that file's error.
Directories are walked without following symlinked directories (no cycles); every entry found, special
files included, is analyzed, and `walked` marks them so non-binaries (README, checksums) are skipped. A
directory that cannot be listed (permission denied) is an entry with that error, never silently left out.
Parsing is CPU-bound Python, so parallelism means processes; forked after the parsers are imported.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from envbuilder.errors import InputError
from envbuilder.inspect.analyze import analyze
from envbuilder.inspect.facts import BinaryFacts

# Below this many files a process pool costs more than it saves. A file costs ~1 ms of parsing whatever its
# size (every read is bounded), while starting the workers and sending every file's facts back costs more than
# that per file until several hundred files (measured on 2 CPUs: 300 files 0.21 s serial, 0.32 s with
# 2 workers; bench/bench_inspect.py), so the file count alone decides.
PARALLEL_THRESHOLD = 500


@dataclass(frozen=True)
class Entry:
    path: str
    walked: bool  # found inside a directory rather than named on the command line
    error: str | None = None  # could not be listed or opened: reported as this entry's read error


@dataclass
class Analyzed:
    facts: BinaryFacts
    walked: bool
    duration: float


def expand(paths: list[Path]) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[str] = set()
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise InputError(f"{p}: no such file or directory")
        if p.is_dir():
            unreadable: list[OSError] = []
            for root, dirs, files in os.walk(p, onerror=unreadable.append):
                dirs.sort()
                # os.walk lists symlinks to directories under dirs; as files they would be skipped silently
                for name in sorted(files) + sorted(d for d in dirs if os.path.islink(os.path.join(root, d))):
                    _add(entries, seen, Entry(os.path.join(root, name), walked=True))
            for err in unreadable:
                _add(entries, seen, Entry(str(err.filename or p), walked=False,
                                          error=f"cannot list directory: {err.strerror or err}"))
        else:
            _add(entries, seen, Entry(str(p), walked=False))
    return entries


def _add(entries: list[Entry], seen: set[str], entry: Entry) -> None:
    key = os.path.abspath(entry.path)
    if key not in seen:
        seen.add(key)
        entries.append(entry)


def _timed(path: str) -> tuple[BinaryFacts, float]:
    t = time.perf_counter()
    facts = analyze(path)
    return facts, time.perf_counter() - t


def analyze_all(entries: list[Entry], jobs: int | None = None) -> list[Analyzed]:
    jobs = jobs or os.cpu_count() or 1
    failed = [e for e in entries if e.error]
    entries = [e for e in entries if not e.error]
    paths = [e.path for e in entries]
    if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
        outcomes = [_timed(p) for p in paths]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import elftools.elf.elffile  # noqa: F401  (import once here, not in every forked worker)
        import macholib.mach_o  # noqa: F401
        import pefile  # noqa: F401

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            outcomes = list(pool.map(_timed, paths, chunksize=max(1, len(paths) // (jobs * 4))))
    return ([Analyzed(facts, e.walked, d) for e, (facts, d) in zip(entries, outcomes)]
            + [Analyzed(BinaryFacts(path=e.path, error=e.error), e.walked, 0.0) for e in failed])
