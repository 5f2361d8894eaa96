"""`envbuilder diff A B`: what differs between two environments, snapshots or release binaries, ranked."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from envbuilder.errors import InputError


def run(operands: list[str], *, host: bool, spec: Path | None, as_json: bool, json_schema: bool = False) -> int:
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
