"""Progress display: rich on a terminal, plain lines elsewhere (CI), nothing with --quiet or NO_COLOR+pipe."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator

ProgressFn = Callable[[str, int, int | None], None]


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def download_progress() -> Iterator[ProgressFn]:
    """Yields progress(url, done_bytes, total_bytes) for streamed downloads."""
    if not interactive():
        announced: set[str] = set()

        def plain(url: str, done: int, total: int | None) -> None:
            if url not in announced:
                announced.add(url)
                print(f"downloading {url} to hash it ({total or '?'} bytes)", file=sys.stderr)

        yield plain
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as bar:
        tasks: dict[str, int] = {}

        def rich_progress(url: str, done: int, total: int | None) -> None:
            if url not in tasks:
                tasks[url] = bar.add_task(url.rsplit("/", 1)[-1], total=total)
            bar.update(tasks[url], completed=done)

        yield rich_progress
