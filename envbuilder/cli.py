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

from envbuilder.errors import EnvbuilderError

app = typer.Typer(
    name="envbuilder",
    help="One spec to a reproducible, verified Go build environment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SpecOption = Annotated[
    Path, typer.Option("--spec", "-f", help="The spec file; the lock and rendered files live beside it.")
]
DEFAULT_SPEC = Path("envbuilder.yaml")


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _load(spec_path: Path):
    from envbuilder.spec import load_spec

    return load_spec(spec_path)


def _load_locked(spec_path: Path):
    """Spec and its lock; a stale lock is an error (render/build must not use an old pin)."""
    from envbuilder.lock import LOCK_NAME, check_fresh, read_lock

    spec = _load(spec_path)
    lock_path = spec_path.parent / LOCK_NAME
    lock = read_lock(lock_path)
    check_fresh(spec, lock, lock_path)
    return spec, lock


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
) -> None:
    """Resolve the spec to exact versions and checksums: writes envbuilder.lock beside the spec."""
    from envbuilder.lock import LOCK_NAME, check_fresh, create_lock, read_lock, write_lock
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
        new = create_lock(loaded, spec.parent, progress=progress, resolve_image=local_image_ref)
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
) -> None:
    """Render Dockerfile, .devcontainer/devcontainer.json and docker-bake.hcl from the spec and its lock."""
    from envbuilder.errors import CheckFailed
    from envbuilder.render import drift, render_all, write_files

    loaded, locked = _load_locked(spec)
    files = render_all(loaded, locked)
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
def schema() -> None:
    """Print the JSON Schema of envbuilder.yaml (for editors' YAML language servers)."""
    from envbuilder.spec.models import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


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
