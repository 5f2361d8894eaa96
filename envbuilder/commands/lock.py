"""`envbuilder lock`: resolve the spec to exact versions and checksums in envbuilder.lock beside it."""

from __future__ import annotations

import sys
from pathlib import Path

from envbuilder.errors import EXIT_OK, InputError


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def run(spec_path: Path, *, check: bool, index: str | None) -> int:
    from envbuilder.engine.images import local_image_ref
    from envbuilder.lock import LOCK_NAME, check_fresh, create_lock, index_location, read_lock, write_lock
    from envbuilder.progress import download_progress
    from envbuilder.project import load_spec
    from envbuilder.spec.load import blame_field

    spec = load_spec(spec_path)
    lock_path = spec_path.parent / LOCK_NAME
    location = index_location(index) if index else None  # bad input before any download, with --check too
    if check:
        check_fresh(spec, read_lock(lock_path), lock_path)
        _say(f"{lock_path}: up to date")
        return EXIT_OK
    if spec.modules.sumdb == "off":
        _say("warning: modules.sumdb is off: module downloads are not checked against a checksum database")
    try:
        with download_progress() as progress:
            new = create_lock(spec, spec_path.parent, progress=progress, resolve_image=local_image_ref,
                              index=location)
    except InputError as e:
        raise blame_field(e, spec_path) from None
    write_lock(new, lock_path)
    if new.base.digest is None and new.base.image_id is None:
        _say(f"warning: base image {new.base.image} is not pinned (no engine knows it yet); "
             "run `envbuilder lock` again after pulling or building it")
    _say(f"wrote {lock_path}: Go {new.go.version} ({', '.join(sorted(new.go.archives))})")
    return EXIT_OK
