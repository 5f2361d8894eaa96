"""`envbuilder inspect`: facts about release binaries checked against the release matrix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from envbuilder.errors import EXIT_OK, InputError

if TYPE_CHECKING:
    from rich.console import Console

    from envbuilder.inspect.goreleaser import Claim
    from envbuilder.inspect.run import InspectReport


def main(paths: list[Path] | None, *, expect: list[str] | None, expect_go: str | None, expect_static: bool,
         expect_glibc: str | None, expect_trimpath: bool, expect_names: bool, goreleaser: Path | None,
         json_output: bool, junit: Path | None, jobs: int | None, json_schema: bool, compare: bool) -> int:
    """The inspect command's options as parsed (by Typer or envbuilder.inspect.fastpath) -> its exit code."""
    if json_schema:
        return print_schema()
    if compare:
        others = [name for name, given in (("--expect", expect), ("--expect-go", expect_go),
                                           ("--expect-static", expect_static), ("--expect-trimpath", expect_trimpath),
                                           ("--expect-names", expect_names), ("--goreleaser", goreleaser),
                                           ("--junit", junit)) if given]
        return compare_pair(list(paths or []), as_json=json_output, others=others)
    return run(list(paths or []), expect=expect or [], expect_go=expect_go, expect_static=expect_static,
               expect_glibc=expect_glibc, expect_trimpath=expect_trimpath, expect_names=expect_names,
               goreleaser=goreleaser, as_json=json_output, junit=junit, jobs=jobs)


def print_schema() -> int:
    from envbuilder.inspect.run import InspectReport
    from envbuilder.report import json_schema

    print(json.dumps(json_schema(InspectReport), indent=2))
    return EXIT_OK


def run(paths: list[Path], *, expect: list[str], expect_go: str | None, expect_static: bool,
        expect_glibc: str | None, expect_trimpath: bool, expect_names: bool, goreleaser: Path | None, as_json: bool, junit: Path | None,
        jobs: int | None) -> int:
    """Inspect PATHS (and goreleaser's artifacts); exit 0 when every check passes, 1 when any fails."""
    from envbuilder.fsutil import check_destinations
    from envbuilder.inspect.expect import Expectations, parse_platforms
    from envbuilder.inspect.run import inspect_paths
    from envbuilder.report import emit

    if not paths and goreleaser is None:
        raise InputError("inspect: give at least one PATH or --goreleaser dist/artifacts.json")
    try:
        platforms = parse_platforms(expect)
    except ValueError as e:
        raise InputError(f"--expect: {e}") from None
    if expect_go is not None and not _is_go_version(expect_go):
        raise InputError(f"--expect-go: {expect_go!r} is not a Go version like 1.22.10 or 1.22")
    if expect_glibc is not None and not re.fullmatch(r"[0-9]+\.[0-9]+", expect_glibc):
        raise InputError(f"--expect-glibc: {expect_glibc!r} is not a glibc version like 2.28")
    if junit is not None:
        check_destinations([junit])  # before any binary is read
    exp = Expectations(platforms=platforms, go_version=expect_go, static=expect_static, glibc=expect_glibc,
                       trimpath=expect_trimpath, names=expect_names)
    claims: list[Claim] = []
    if goreleaser is not None:
        from envbuilder.inspect.goreleaser import read_artifacts  # pydantic: only for goreleaser's list

        claims = read_artifacts(goreleaser)
    report = inspect_paths(paths, exp, claims, jobs)
    return emit(report, as_json=as_json, junit=junit, table=_render_table)


def compare_pair(paths: list[Path], *, as_json: bool, others: list[str]) -> int:
    """`inspect --compare A B`: exit 0 when the files are identical, 1 when they differ."""
    from envbuilder.errors import EXIT_CHECK_FAILED
    from envbuilder.inspect.compare import NotComparable, compare_files, render
    from envbuilder.report import make_console

    if others:
        raise InputError(f"inspect --compare: {', '.join(others)} cannot be combined with --compare")
    if len(paths) != 2:
        raise InputError(f"inspect --compare: give exactly two files A B (got {len(paths)})")
    try:
        result = compare_files(paths[0], paths[1])
    except NotComparable as e:
        raise InputError(str(e)) from None
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        render(result, make_console())
    return EXIT_OK if result.identical else EXIT_CHECK_FAILED


def _render_table(report: InspectReport, console: Console) -> None:
    from envbuilder.inspect.table import render  # rich's tables: --json does without them

    render(report, console)


def _is_go_version(text: str) -> bool:
    parts = text.removeprefix("go").split(".")
    return 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)
