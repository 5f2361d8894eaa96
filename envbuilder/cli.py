"""The envbuilder command line: spec -> lock -> render -> build -> verify, and inspect.

Heavy modules (pydantic models, jinja2, docker, rich, binary parsers) are imported inside the commands so
`envbuilder --help` starts fast. Every EnvbuilderError becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from envbuilder.cli_options import JsonOption, JunitOption, OnlyOption, SkipOption
from envbuilder.errors import EnvbuilderError

app = typer.Typer(
    name="envbuilder",
    help="One spec to a reproducible, verified Go build environment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain Click help: Typer's rich help imports markdown and pygments, ~90 ms of a 0.3 s budget.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SpecOption = Annotated[
    Path, typer.Option("--spec", "-f", help="The spec file; the lock and rendered files live beside it.")
]
DEFAULT_SPEC = Path("envbuilder.yaml")


def _version(value: bool) -> None:
    if value:
        from envbuilder import __version__

        typer.echo(f"envbuilder {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """One spec to a reproducible, verified Go build environment."""


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _load(spec_path: Path):
    from envbuilder.project import load_spec

    return load_spec(spec_path)


def _load_locked(spec_path: Path):
    from envbuilder.project import load_locked

    return load_locked(spec_path)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Project directory (reads its go.mod).")] = Path("."),
    name: Annotated[Optional[str], typer.Option(help="Project name (default: from go.mod's module path).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing envbuilder.yaml.")] = False,
) -> None:
    """Write a starter envbuilder.yaml; the Go version comes from go.mod's toolchain line, else its go line."""
    from envbuilder.starter import write_starter

    path = write_starter(directory, name=name, force=force)
    _say(f"wrote {path}: review it, then run `envbuilder lock`")


@app.command()
def lock(
    spec: SpecOption = DEFAULT_SPEC,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the lock no longer matches the spec.")] = False,
    index: Annotated[Optional[str], typer.Option(
        help="Read Go's release index from this URL or file instead of the spec's (e.g. a vendored copy of "
             "go.dev's index); tarball URLs still come from go.download.")] = None,
) -> None:
    """Resolve the spec to exact versions and checksums: writes envbuilder.lock beside the spec."""
    from envbuilder.lock import LOCK_NAME, check_fresh, create_lock, index_location, read_lock, write_lock
    from envbuilder.progress import download_progress
    from envbuilder.engine.images import local_image_ref

    loaded = _load(spec)
    lock_path = spec.parent / LOCK_NAME
    if check:
        check_fresh(loaded, read_lock(lock_path), lock_path)
        _say(f"{lock_path}: up to date")
        return
    if loaded.modules.sumdb == "off":
        _say("warning: modules.sumdb is off: module downloads are not checked against a checksum database")
    with download_progress() as progress:
        new = create_lock(loaded, spec.parent, progress=progress, resolve_image=local_image_ref,
                          index=index_location(index) if index else None)
    write_lock(new, lock_path)
    if new.base.digest is None and new.base.image_id is None:
        _say(f"warning: base image {new.base.image} is not pinned (no engine knows it yet); "
             "run `envbuilder lock` again after pulling or building it")
    _say(f"wrote {lock_path}: Go {new.go.version} ({', '.join(sorted(new.go.archives))})")


@app.command()
def render(
    spec: SpecOption = DEFAULT_SPEC,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 with a diff if the files on disk differ.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite generated files edited by hand.")] = False,
    ci: Annotated[Optional[list[str]], typer.Option(
        "--ci", metavar="github|gitlab", help="Also render a CI config (repeatable); generated ones on disk are "
        "always kept current.")] = None,
) -> None:
    """Render Dockerfile, .devcontainer/devcontainer.json, docker-bake.hcl (and CI configs) from spec + lock."""
    from envbuilder.ciconfig import render_ci
    from envbuilder.errors import CheckFailed
    from envbuilder.render import drift, render_all, write_files

    loaded, locked = _load_locked(spec)
    files = render_all(loaded, locked) + render_ci(loaded, locked, spec, ci or [])
    if check:
        diffs = drift(files, spec.parent)
        if diffs:
            sys.stdout.write("".join(diffs))
            raise CheckFailed(f"{len(diffs)} rendered file(s) differ from {spec}: run `envbuilder render`")
        _say("rendered files are up to date")
        return
    changed = write_files(files, spec.parent, force=force)
    for path in changed:
        _say(f"wrote {spec.parent / path}")
    if not changed:
        _say("rendered files are up to date")


@app.command()
def build(
    spec: SpecOption = DEFAULT_SPEC,
    target: Annotated[str, typer.Option(help="Stage to build: base, dev or ci.")] = "dev",
    tag: Annotated[Optional[list[str]], typer.Option(help="Image tag (repeatable); default NAME:TARGET-goVERSION.")] = None,
    platform: Annotated[Optional[list[str]], typer.Option(help="Image platform (default: the spec's).")] = None,
    network: Annotated[Optional[str], typer.Option(help="Build network, e.g. host to reach a mirror on 127.0.0.1.")] = None,
    builder: Annotated[Optional[str], typer.Option(help="docker buildx builder (remote BuildKit).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use the build cache.")] = False,
    netrc: Annotated[Optional[Path], typer.Option(help="Credentials for private modules, passed as a BuildKit secret (default ~/.netrc if present).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No build log; print only the image.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    go: Annotated[Optional[str], typer.Option("--go", help="Build with this locked Go of go.matrix (e.g. 1.24).")] = None,
    all_versions: Annotated[bool, typer.Option("--all", help="Build TARGET for every locked Go version.")] = False,
    pip_conf: Annotated[Optional[Path], typer.Option(help="pip.conf for the build's pip installs (zig, ci.envbuilder), passed as a BuildKit secret: a private index or PyPI mirror.")] = None,
) -> None:
    """Build an image from the rendered Dockerfile with BuildKit; prints the image reference."""
    from envbuilder.engine.buildcmd import build_command

    results = build_command(spec, target=target, tags=tag or [], platforms=platform or [], network=network,
                            builder=builder, no_cache=no_cache, netrc=netrc, quiet=quiet, go=go,
                            all_versions=all_versions, pip_conf=pip_conf)
    if as_json:
        typer.echo(json.dumps(results if all_versions else results[0], indent=2, sort_keys=True))
    else:
        for result in results:
            typer.echo(f"{result['tags'][0]} {result['image_id']}")


@app.command()
def verify(
    image: Annotated[Optional[str], typer.Argument(help="Image to verify (default: the spec's dev image).")] = None,
    spec: SpecOption = DEFAULT_SPEC,
    host: Annotated[bool, typer.Option("--host", help="Verify this machine's own Go setup.")] = False,
    container: Annotated[Optional[str], typer.Option(help="Verify a running container (id or name).")] = None,
    devcontainer: Annotated[Optional[Path], typer.Option(help="Verify the running devcontainer of this workspace.")] = None,
    user: Annotated[Optional[str], typer.Option(help="Run the checks as this user.")] = None,
    stage: Annotated[Optional[str], typer.Option(help="Whose tools to expect: dev or ci (default: the image's).")] = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    as_json: JsonOption = False,
    junit: JunitOption = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, help="Probe builds at once (default: the environment's CPUs).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
    go: Annotated[Optional[str], typer.Option("--go", help="Expect this locked Go of go.matrix (default: the image's label, else the primary).")] = None,
) -> None:
    """Prove an environment matches the spec: toolchain, modules, workspace, cgo, cross builds, binaries."""
    if json_schema:
        from envbuilder.report import json_schema as schema_of

        typer.echo(json.dumps(schema_of(), indent=2, sort_keys=True))
        return
    from envbuilder.verify.command import verify_command

    code = verify_command(spec, image=image, host=host, container=container, devcontainer=devcontainer, user=user,
                          stage=stage, only=only or [], skip=skip or [], as_json=as_json, junit=junit, jobs=jobs,
                          go=go)
    raise typer.Exit(code)


@app.command()
def snapshot(
    image: Annotated[Optional[str], typer.Argument(help="Image to snapshot (default: the spec's dev image).")] = None,
    host: Annotated[bool, typer.Option("--host", help="Snapshot this machine.")] = False,
    container: Annotated[Optional[str], typer.Option(help="Snapshot a running container (id or name).")] = None,
    devcontainer: Annotated[Optional[Path], typer.Option(help="Snapshot the running devcontainer of this workspace.")] = None,
    spec: Annotated[Optional[Path], typer.Option("--spec", "-f", help="Also record the spec's cgo compilers and the lock's tools.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the snapshot here (default: stdout).")] = None,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the snapshot's JSON Schema and exit.")] = False,
) -> None:
    """Record the facts that decide a Go build in one environment, as JSON (for `envbuilder diff`)."""
    from envbuilder.snapshot.command import run_snapshot

    raise typer.Exit(run_snapshot(image=image, host=host, container=container, devcontainer=devcontainer,
                                  spec=spec, output=output, json_schema=json_schema))


@app.command()
def diff(
    operands: Annotated[Optional[list[str]], typer.Argument(
        metavar="A B", help="Two of: a snapshot file, a release binary, host, image:REF (or a plain image ref), "
        "container:ID, devcontainer:DIR.", show_default=False)] = None,
    host: Annotated[bool, typer.Option("--host", help="This machine is the first operand.")] = False,
    spec: Annotated[Optional[Path], typer.Option("--spec", "-f", help="Also compare the spec's cgo compilers and the lock's tools.")] = None,
    as_json: JsonOption = False,
    json_schema: Annotated[bool, typer.Option("--json-schema", help="Print the JSON Schema of --json output and exit.")] = False,
) -> None:
    """Rank what differs between two environments or binaries: output, module resolution, cosmetic.

    Exit 1 when the output or module-resolution facts differ, 0 otherwise."""
    from envbuilder.snapshot.command import run_diff

    raise typer.Exit(run_diff(operands or [], host=host, spec=spec, as_json=as_json, json_schema=json_schema))


@app.command()
def schema() -> None:
    """Print the JSON Schema of envbuilder.yaml (for editors' YAML language servers)."""
    from envbuilder.spec.models import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


def _register_inspect() -> None:
    # inspect's command module imports only typer at module level, so this keeps `--help` fast.
    from envbuilder.inspect.command import inspect_command

    app.command("inspect")(inspect_command)


_register_inspect()


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, prog_name="envbuilder")
    except EnvbuilderError as exc:
        _say(f"envbuilder: {exc.message}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _say("envbuilder: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
