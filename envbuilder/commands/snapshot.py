"""`envbuilder snapshot`: the facts that decide a Go build in one environment, as one JSON document."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from envbuilder.errors import InputError
from envbuilder.identity import SPEC_NAME

SPEC_PATH = Path(SPEC_NAME)


def run(*, image: str | None, host: bool, container: str | None, devcontainer: Path | None,
                 spec: Path | None, output: Path | None, json_schema: bool) -> int:
    """Write one environment's snapshot to OUTPUT (default stdout). Without an environment: the spec's dev
    image."""
    from envbuilder.snapshot.model import json_schema as schema_of

    if json_schema:
        sys.stdout.write(json.dumps(schema_of(), indent=2, sort_keys=True) + "\n")
        return 0
    from envbuilder.fsutil import atomic_write
    from envbuilder.snapshot.sources import Environment, Wanted, snapshot_environment, wanted_from_spec
    from envbuilder.verify.executors import chosen_environment

    chosen = chosen_environment("snapshot", image=image, host=host, container=container, devcontainer=devcontainer)
    spec_path = spec if spec is not None else (SPEC_PATH if not chosen and SPEC_PATH.exists() else None)
    wanted = wanted_from_spec(spec_path) if spec_path is not None else Wanted()
    if not chosen:
        if spec_path is None:
            raise InputError("snapshot: give IMAGE, --host, --container or --devcontainer (or -f SPEC for its "
                             "dev image)")
        from envbuilder.identity import image_tag
        from envbuilder.project import load_locked

        image = image_tag(*load_locked(spec_path), "dev")
    snap = snapshot_environment(Environment(image=image, host=host, container=container,
                                            devcontainer=devcontainer), wanted)
    text = snap.to_json()
    if output is None:
        sys.stdout.write(text)
    else:
        atomic_write(output, text.encode())
        sys.stderr.write(f"wrote {output}: {snap.source}\n")
    return 0
