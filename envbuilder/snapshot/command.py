"""`envbuilder snapshot` and `envbuilder diff`: the cli declarations call `run_snapshot` / `run_diff`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from envbuilder.errors import InputError

DEFAULT_SPEC = Path("envbuilder.yaml")


def run_snapshot(*, image: str | None, host: bool, container: str | None, devcontainer: Path | None,
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
    spec_path = spec if spec is not None else (DEFAULT_SPEC if not chosen and DEFAULT_SPEC.exists() else None)
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


def run_diff(operands: list[str], *, host: bool, spec: Path | None, as_json: bool, json_schema: bool = False) -> int:
    """Compare two operands (`--host` stands for a first operand `host`); exit 1 when output or module
    resolution differs."""
    if json_schema:
        from envbuilder.snapshot.diff import json_schema as schema_of

        sys.stdout.write(json.dumps(schema_of(), indent=2, sort_keys=True) + "\n")
        return 0
    from envbuilder.report import make_console
    from envbuilder.snapshot.diff import compare, render_table, summary_line
    from envbuilder.snapshot.sources import Wanted, resolve_operand, wanted_from_spec

    operands = (["host"] if host else []) + list(operands)
    if len(operands) != 2:
        raise InputError(f"diff: give two operands (A B, or --host B); got {len(operands)}")
    wanted = wanted_from_spec(spec) if spec is not None else Wanted()
    report = compare(resolve_operand(operands[0], wanted), resolve_operand(operands[1], wanted))
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True) + "\n")
        sys.stdout.flush()
    else:
        render_table(report, make_console())
    make_console(stderr=True).print(summary_line(report), style="bold red" if report.exit_code else "green",
                                    markup=False)
    return report.exit_code
