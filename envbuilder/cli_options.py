"""Options shared by every reporting command (verify, inspect; doctor later), declared once.

Only typer, the standard library and the light check catalogue are imported: `envbuilder --help` must start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from envbuilder.checks import CATALOGUE

JsonOption = Annotated[bool, typer.Option("--json", help="Print the report as JSON (schema: --json-schema); the "
                                                         "summary line goes to stderr.")]
JunitOption = Annotated[Optional[Path], typer.Option(
    "--junit", metavar="FILE", help="Also write a JUnit XML report (one testsuite per target).")]


def only_option(tool: str) -> Any:
    """--only for TOOL's checks; its help lists TOOL's check groups from the catalogue."""
    return Annotated[Optional[list[str]], typer.Option(
        "--only", metavar="ID,...",
        help=f"Run only these check ids or id prefixes (comma list; groups: {', '.join(CATALOGUE.groups(tool))}).")]


def skip_option(tool: str) -> Any:
    """--skip for TOOL's checks, like only_option."""
    return Annotated[Optional[list[str]], typer.Option(
        "--skip", metavar="ID,...",
        help=f"Skip these check ids or id prefixes (comma list; groups: {', '.join(CATALOGUE.groups(tool))}).")]


OnlyOption = only_option("verify")
SkipOption = skip_option("verify")
