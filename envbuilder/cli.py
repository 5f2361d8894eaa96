"""The envbuilder command line: spec -> lock -> render -> build -> verify, inspect and doctor.

This module only declares the commands and their options; each command's body is `run(...)` in
envbuilder/commands/<command>.py, imported inside the command so `envbuilder --help` starts fast (no pydantic,
jinja2, docker, rich or binary parsers). envbuilder/entrypoint.py is the one error handler: every error,
usage errors included, is one line on stderr and its exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from envbuilder import entrypoint
from envbuilder.cli_options import JsonOption, JunitOption, only_option, skip_option
from envbuilder.identity import SPEC_NAME, BuildTarget, Stage

_SETTINGS: dict[str, Any] = dict(
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain Click help: Typer's rich help imports markdown and pygments, ~90 ms of a 0.3 s budget.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app = typer.Typer(name="envbuilder", help="One spec to a reproducible, verified Go build environment.",
                  no_args_is_help=True, **_SETTINGS)


# ---- option types -------------------------------------------------------------------------------------------


def _ci_systems(value: Optional[list[str]]) -> Optional[list[str]]:
    # The CI systems are records in envbuilder.ciconfig, too heavy an import for `--help`: checked here.
    if value:
        from envbuilder.ciconfig import CI_NAMES

        for name in value:
            if name not in CI_NAMES:
                raise typer.BadParameter(f"{name!r} is not a CI system (choose from {', '.join(CI_NAMES)})")
    return value


def _existing_file(value: Optional[Path]) -> Optional[Path]:
    if value is not None and not value.is_file():
        raise typer.BadParameter(f"{value}: no such file" if not value.exists() else f"{value}: not a file")
    return value


def _existing_dir(value: Optional[Path]) -> Optional[Path]:
    if value is not None and not value.is_dir():
        raise typer.BadParameter(f"{value}: no such directory")
    return value


def _platforms(value: Optional[list[str]]) -> Optional[list[str]]:
    if value:
        from envbuilder.commands.build import check_platforms
        from envbuilder.errors import InputError

        try:
            check_platforms(value)
        except InputError as e:
            raise typer.BadParameter(e.message.removeprefix("--platform: ")) from None
    return value


def _version(value: bool) -> None:
    if value:
        from envbuilder import __version__

        typer.echo(f"envbuilder {__version__}")
        raise typer.Exit()


SpecOption = Annotated[
    Path, typer.Option("--spec", "-f", help="The spec file; the lock and rendered files live beside it.")
]
DEFAULT_SPEC = Path(SPEC_NAME)


# ---- commands ---------------------------------------------------------------------------------------------


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """One spec to a reproducible, verified Go build environment."""


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Project directory (reads its go.mod).")] = Path("."),
    name: Annotated[Optional[str], typer.Option(help="Project name (default: from go.mod's module path).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing envbuilder.yaml.")] = False,
) -> int:
    """Write a starter envbuilder.yaml; the Go version comes from go.mod's toolchain line, else its go line."""
    from envbuilder.commands import init as command

    return command.run(directory, name=name, force=force)


@app.command()
def lock(
    spec: SpecOption = DEFAULT_SPEC,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the lock no longer matches the spec.")] = False,
    index: Annotated[Optional[str], typer.Option(
        help="Read Go's release index from this URL or file instead of the spec's (e.g. a vendored copy of "
             "go.dev's index); tarball URLs still come from go.download.")] = None,
) -> int:
    """Resolve the spec to exact versions and checksums: writes envbuilder.lock beside the spec."""
    from envbuilder.commands import lock as command

    return command.run(spec, check=check, index=index)


@app.command()
def render(
    spec: SpecOption = DEFAULT_SPEC,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 with a diff if the files on disk differ.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite generated files edited by hand.")] = False,
    ci: Annotated[Optional[list[str]], typer.Option(
        "--ci", metavar="SYSTEM", callback=_ci_systems, help="Also render the pipeline of this CI system "
        "(repeatable; a wrong name lists them); generated ones on disk are always kept current.")] = None,
) -> int:
    """Render Dockerfile, .devcontainer/devcontainer.json, docker-bake.hcl (and CI configs) from spec + lock."""
    from envbuilder.commands import render as command

    return command.run(spec, check=check, force=force, ci=ci or [])


@app.command()
def build(
    spec: SpecOption = DEFAULT_SPEC,
    target: Annotated[BuildTarget, typer.Option(help="Stage to build (verify-runner: where verify runs foreign binaries).")] = "dev",
    tag: Annotated[Optional[list[str]], typer.Option(help="Image tag (repeatable); default NAME:TARGET-goVERSION.")] = None,
    platform: Annotated[Optional[list[str]], typer.Option(callback=_platforms, help="Image platform, os/arch[/variant] (default: the spec's).")] = None,
    network: Annotated[Optional[str], typer.Option(help="Build network, e.g. host to reach a mirror on 127.0.0.1.")] = None,
    builder: Annotated[Optional[str], typer.Option(help="docker buildx builder (remote BuildKit).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the build cache.")] = False,
    netrc: Annotated[Optional[Path], typer.Option(callback=_existing_file, help="Credentials for private modules, passed as a BuildKit secret (default ~/.netrc if present).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No build log; print only the image.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    go: Annotated[Optional[str], typer.Option("--go", help="Build with this locked Go of go.matrix (e.g. 1.24).")] = None,
    all_versions: Annotated[bool, typer.Option("--all", help="Build TARGET for every locked Go version.")] = False,
    pip_conf: Annotated[Optional[Path], typer.Option(callback=_existing_file, help="pip.conf for the build's pip installs (zig, ci.envbuilder), passed as a BuildKit secret: a private index or PyPI mirror.")] = None,
    push: Annotated[bool, typer.Option("--push", help="Push the image (--tag, else ci.image:TARGET-goVERSION) with its build cache; prints REF@sha256:DIGEST.")] = False,
    cache_from: Annotated[Optional[list[str]], typer.Option("--cache-from", metavar="REF", help="Reuse the build cache of this pushed image (repeatable), e.g. another runner's --push.")] = None,
) -> int:
    """Build an image from the rendered Dockerfile with BuildKit; prints the image reference."""
    from envbuilder.commands import build as command

    return command.run(spec, target=target, tags=tag or [], platforms=platform or [], network=network,
                       builder=builder, no_cache=no_cache, netrc=netrc, quiet=quiet, as_json=as_json, go=go,
                       all_versions=all_versions, pip_conf=pip_conf, push=push, cache_from=cache_from)


@app.command()
def verify(
    image: Annotated[Optional[str], typer.Argument(help="Image to verify (default: the spec's dev image).")] = None,
    spec: SpecOption = DEFAULT_SPEC,
    host: Annotated[bool, typer.Option("--host", help="Verify this machine's own Go setup.")] = False,
    container: Annotated[Optional[str], typer.Option(help="Verify a running container (id or name).")] = None,
    devcontainer: Annotated[Optional[Path], typer.Option(callback=_existing_dir, help="Verify the running devcontainer of this workspace.")] = None,
    user: Annotated[Optional[str], typer.Option(help="Run the checks as this user.")] = None,
    stage: Annotated[Optional[Stage], typer.Option(help="Whose tools to expect (default: the image's).")] = None,
    only: only_option("verify") = None,
    skip: skip_option("verify") = None,
    as_json: JsonOption = False,
    junit: JunitOption = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, help="Probe builds at once (default: the environment's CPUs).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
    go: Annotated[Optional[str], typer.Option("--go", help="Expect this locked Go of go.matrix (default: the image's label, else the primary).")] = None,
) -> int:
    """Prove an environment matches the spec: toolchain, modules, workspace, cgo, cross builds, binaries."""
    from envbuilder.commands import verify as command

    if json_schema:
        return command.print_schema()
    return command.run(spec, image=image, host=host, container=container, devcontainer=devcontainer, user=user,
                       stage=stage, only=only or [], skip=skip or [], as_json=as_json, junit=junit, jobs=jobs, go=go)


@app.command()
def doctor(
    directory: Annotated[Path, typer.Argument(callback=_existing_dir,
                                              help="Project directory (its go.mod, envbuilder.yaml and lock).")] = Path("."),
    as_json: JsonOption = False,
    junit: JunitOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every finding with its evidence.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="No network probes (proxy, checksum database).")] = False,
) -> int:
    """Why this machine is not the locked environment: a verdict per finding and the one line that fixes it."""
    from envbuilder.commands import doctor as command

    return command.run(directory, as_json=as_json, junit=junit, verbose=verbose, offline=offline)


@app.command()
def snapshot(
    image: Annotated[Optional[str], typer.Argument(help="Image to snapshot (default: the spec's dev image).")] = None,
    host: Annotated[bool, typer.Option("--host", help="Snapshot this machine.")] = False,
    container: Annotated[Optional[str], typer.Option(help="Snapshot a running container (id or name).")] = None,
    devcontainer: Annotated[Optional[Path], typer.Option(callback=_existing_dir, help="Snapshot the running devcontainer of this workspace.")] = None,
    spec: Annotated[Optional[Path], typer.Option("--spec", "-f", help="Also record the spec's cgo compilers and the lock's tools.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the snapshot here (default: stdout).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the snapshot's JSON Schema and exit.")] = False,
) -> int:
    """Record the facts that decide a Go build in one environment, as JSON (for `envbuilder diff`)."""
    from envbuilder.commands import snapshot as command

    return command.run(image=image, host=host, container=container, devcontainer=devcontainer, spec=spec,
                       output=output, json_schema=json_schema)


@app.command()
def diff(
    operands: Annotated[Optional[list[str]], typer.Argument(
        metavar="A B", help="Two of: a snapshot file, a release binary, host, image:REF (or a plain image ref), "
        "container:ID, devcontainer:DIR.", show_default=False)] = None,
    host: Annotated[bool, typer.Option("--host", help="This machine is the first operand.")] = False,
    spec: Annotated[Optional[Path], typer.Option("--spec", "-f", help="Also compare the spec's cgo compilers and the lock's tools.")] = None,
    as_json: JsonOption = False,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
) -> int:
    """Rank what differs between two environments or binaries: output, module resolution, cosmetic.

    Exit 1 when the output or module-resolution facts differ, 0 otherwise."""
    from envbuilder.commands import diff as command

    return command.run(operands or [], host=host, spec=spec, as_json=as_json, json_schema=json_schema)


@app.command()
def schema() -> int:
    """Print the JSON Schema of envbuilder.yaml (for editors' YAML language servers)."""
    from envbuilder.commands import schema as command

    return command.run()


@app.command("inspect")
def inspect(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Binaries and directories (walked recursively) to inspect.", show_default=False)] = None,
    expect: Annotated[Optional[list[str]], typer.Option(
        "--expect", metavar="OS/ARCH[/VARIANT],...",
        help="Platforms the release builds, e.g. linux/amd64,linux/arm/v7,windows/arm64: each binary must be "
             "one of them and each must be present.")] = None,
    expect_go: Annotated[Optional[str], typer.Option(
        "--expect-go", metavar="VERSION", help="Go version every binary was built with: 1.22.10, or 1.22 for any patch.")] = None,
    expect_static: Annotated[bool, typer.Option("--expect-static", help="ELF binaries must be statically linked.")] = False,
    expect_glibc: Annotated[Optional[str], typer.Option(
        "--expect-glibc", metavar="VERSION",
        help="ELF binaries need no glibc newer than VERSION (e.g. 2.28): the highest GLIBC_x.y they require.")] = None,
    expect_trimpath: Annotated[bool, typer.Option("--expect-trimpath", help="Binaries must be Go builds with -trimpath.")] = False,
    expect_names: Annotated[bool, typer.Option(
        "--expect-names", help="File (or directory) names must name the platform: app_linux_amd64, app-windows-arm64.exe.")] = False,
    goreleaser: Annotated[Optional[Path], typer.Option(
        "--goreleaser", metavar="ARTIFACTS_JSON", callback=_existing_file,
        help="goreleaser's dist/artifacts.json: check every binary it lists.")] = None,
    json_output: JsonOption = False,
    junit: JunitOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Parallel workers (default: CPU count).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Compare the two PATHs A B: the ELF sections, PE header fields and sections, Mach-O load "
                          "commands and segments and the Go build info that differ, with known causes. Exit 0 "
                          "identical, 1 different.")] = False,
) -> int:
    """Facts about release binaries (ELF, PE, Mach-O, Go build info) checked against the release matrix.

    Exit 0 when every check passes, 1 when any fails or a file cannot be read, 2 on bad input.
    """
    from envbuilder.commands import inspect as command

    return command.main(paths, expect=expect, expect_go=expect_go, expect_static=expect_static,
                        expect_glibc=expect_glibc, expect_trimpath=expect_trimpath, expect_names=expect_names,
                        goreleaser=goreleaser, json_output=json_output, junit=junit, jobs=jobs,
                        json_schema=json_schema, compare=compare)


# `python -m envbuilder.inspect`: the same inspect command, on its own.
inspect_app = typer.Typer(**_SETTINGS)
inspect_app.command()(inspect)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    command = _command_app(args[0]) if args else None
    if command is not None:  # `envbuilder CMD ...`: Typer builds CMD alone, not every command of the group
        entrypoint.run(command, args[1:], prog_name=f"{entrypoint.PROG} {args[0]}")
    entrypoint.run(app, argv)


def _command_app(name: str) -> typer.Typer | None:
    for info in app.registered_commands:
        if info.callback is not None and (info.name or info.callback.__name__.replace("_", "-")) == name:
            single = typer.Typer(**_SETTINGS)
            single.command()(info.callback)
            return single
    return None


def inspect_main(argv: list[str] | None = None) -> None:
    entrypoint.run(inspect_app, argv, prog_name="envbuilder inspect")


if __name__ == "__main__":
    main()
