"""`envbuilder render`: Dockerfile, devcontainer.json, docker-bake.hcl and CI configs from spec + lock."""

from __future__ import annotations

import sys
from pathlib import Path

from envbuilder.errors import EXIT_OK


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run(spec_path: Path, *, check: bool, force: bool, ci: list[str]) -> int:
    from envbuilder.ciconfig import render_ci
    from envbuilder.errors import CheckFailed
    from envbuilder.project import load_locked
    from envbuilder.render import drift, render_all, write_files

    spec, lock = load_locked(spec_path)
    files = render_all(spec, lock) + render_ci(spec, lock, spec_path, ci)
    if check:
        diffs = drift(files, spec_path.parent)
        if diffs:
            sys.stdout.write("".join(diffs))
            raise CheckFailed(f"{len(diffs)} rendered file(s) differ from {spec_path}: run `envbuilder render`")
        _say("rendered files are up to date")
        return EXIT_OK
    changed = write_files(files, spec_path.parent, force=force)
    for path in changed:
        _say(f"wrote {spec_path.parent / path}")
    if not changed:
        _say("rendered files are up to date")
    return EXIT_OK
