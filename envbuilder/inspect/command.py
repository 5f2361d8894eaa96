"""`envbuilder inspect`: the Typer command. Register with `app.command("inspect")(inspect_command)`.

Only typer and the standard library are imported at module level: `envbuilder --help` must start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from envbuilder.cli_options import JsonOption, JunitOption


def inspect_command(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Binaries and directories (walked recursively) to inspect.", show_default=False)] = None,
    expect: Annotated[Optional[list[str]], typer.Option(
        "--expect", metavar="OS/ARCH[/VARIANT],...",
        help="Platforms the release builds, e.g. linux/amd64,linux/arm/v7,windows/arm64: each binary must be "
             "one of them and each must be present.")] = None,
    expect_go: Annotated[Optional[str], typer.Option(
        "--expect-go", metavar="VERSION", help="Go version every binary was built with: 1.22.10, or 1.22 for any patch.")] = None,
    expect_static: Annotated[bool, typer.Option("--expect-static", help="ELF binaries must be statically linked.")] = False,
    expect_trimpath: Annotated[bool, typer.Option("--expect-trimpath", help="Binaries must be Go builds with -trimpath.")] = False,
    expect_names: Annotated[bool, typer.Option(
        "--expect-names", help="File (or directory) names must name the platform: app_linux_amd64, app-windows-arm64.exe.")] = False,
    goreleaser: Annotated[Optional[Path], typer.Option(
        "--goreleaser", metavar="ARTIFACTS_JSON", help="goreleaser's dist/artifacts.json: check every binary it lists.")] = None,
    json_output: JsonOption = False,
    junit: JunitOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallel workers (default: CPU count).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
) -> None:
    """Facts about release binaries (ELF, PE, Mach-O, Go build info) checked against the release matrix.

    Exit 0 when every check passes, 1 when any fails or a file cannot be read, 2 on bad input.
    """
    from envbuilder.errors import InputError
    from envbuilder.fsutil import check_destinations
    from envbuilder.inspect.expect import Expectations, parse_platforms
    from envbuilder.inspect.goreleaser import read_artifacts
    from envbuilder.inspect.run import InspectReport, inspect_paths
    from envbuilder.report import emit, json_schema as schema_of

    if json_schema:
        import json

        typer.echo(json.dumps(schema_of(InspectReport), indent=2))
        return
    if not paths and goreleaser is None:
        raise InputError("inspect: give at least one PATH or --goreleaser dist/artifacts.json")
    try:
        platforms = parse_platforms(expect or [])
    except ValueError as e:
        raise InputError(f"--expect: {e}") from None
    if expect_go is not None and not _is_go_version(expect_go):
        raise InputError(f"--expect-go: {expect_go!r} is not a Go version like 1.22.10 or 1.22")
    if junit is not None:
        check_destinations([junit])  # before any binary is read
    exp = Expectations(platforms=platforms, go_version=expect_go, static=expect_static,
                       trimpath=expect_trimpath, names=expect_names)
    claims = read_artifacts(goreleaser) if goreleaser is not None else []
    report = inspect_paths(list(paths or []), exp, claims, jobs)
    from envbuilder.inspect.table import render

    raise typer.Exit(emit(report, as_json=json_output, junit=junit, table=render))


def _is_go_version(text: str) -> bool:
    parts = text.removeprefix("go").split(".")
    return 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)
