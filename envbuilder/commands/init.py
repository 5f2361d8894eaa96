"""`envbuilder init`: write a starter spec beside the project's go.mod."""

from __future__ import annotations

import sys
from pathlib import Path

from envbuilder.errors import EXIT_OK


def run(directory: Path, *, name: str | None, force: bool) -> int:
    from envbuilder.starter import write_starter

    path = write_starter(directory, name=name, force=force)
    print(f"wrote {path}: review it, then run `envbuilder lock`", file=sys.stderr)
    return EXIT_OK
