"""`envbuilder build`: spec + lock -> (rendered files) -> a labelled image, built by BuildKit.

Every option is checked before Docker is touched: bad input is exit 2 even on a machine without an engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from envbuilder.errors import EXIT_OK, CheckFailed, InputError
from envbuilder.identity import BUILD_TARGETS, RUNNER_STAGE, image_labels, image_tag
from envbuilder.progress import interactive


def run(spec_path: Path, *, target: str, tags: list[str], platforms: list[str], network: str | None,
        builder: str | None, no_cache: bool, netrc: Path | None, quiet: bool, as_json: bool,
        go: str | None = None, all_versions: bool = False, pip_conf: Path | None = None,
        push: bool = False, cache_from: list[str] | None = None) -> int:
    """Build, then print each image (`TAG IMAGE_ID`; with --push each pushed `REF@sha256:DIGEST`; or the
    results as JSON) on stdout. A dev or ci build of a spec whose verify runs foreign binaries in the verify
    runner builds that runner too (never pushed): its line comes last, and in JSON it is each result's
    `verify_runner`."""
    results = build_images(spec_path, target=target, tags=tags, platforms=platforms, network=network,
                           builder=builder, no_cache=no_cache, netrc=netrc, quiet=quiet, go=go,
                           all_versions=all_versions, pip_conf=pip_conf, push=push, cache_from=cache_from or [])
    if as_json:
        print(json.dumps(results if all_versions else results[0], indent=2, sort_keys=True))
    elif push:
        for result in results:
            print("\n".join(result["pushed"]))
    else:
        for result in results:
            print(f"{result['tags'][0]} {result['image_id']}")
        if results and "verify_runner" in results[0]:
            runner = results[0]["verify_runner"]
            print(f"{runner['tags'][0]} {runner['image_id']}")
    return EXIT_OK


def check_platforms(values: list[str]) -> list[str]:
    """--platform values (each may be a comma list) as BuildKit takes them: os/arch[/variant] of a Go port."""
    from envbuilder.inspect.platform import Platform

    for value in values:
        for item in value.split(","):
            try:
                Platform.parse(item)
            except ValueError as e:
                raise InputError(f"--platform: {e}") from None
    return values


def _ensure_rendered(spec, lock, root: Path) -> None:
    """Render missing files; refuse when files on disk differ (the user must run `render` and review)."""
    from envbuilder.render import drift, render_all, write_files

    files = render_all(spec, lock)
    stale = [f for f in files if (root / f.path).exists() and drift([f], root)]
    if stale:
        raise CheckFailed(f"{', '.join(f.path for f in stale)} differ(s) from the spec and lock: "
                          "run `envbuilder render` (see `envbuilder render --check`)")
    write_files(files, root)


def _check_base_pin(lock) -> None:
    if not lock.base.image_id:
        return
    from envbuilder.engine.images import local_image_ref

    _, current = local_image_ref(lock.base.image)
    if current and current != lock.base.image_id:
        print(f"warning: base image {lock.base.image} is now {current[:19]}, the lock pins "
              f"{lock.base.image_id[:19]}: run `envbuilder lock` to accept it", file=sys.stderr)


def build_images(spec_path: Path, *, target: str, tags: list[str], platforms: list[str], network: str | None,
                 builder: str | None, no_cache: bool, netrc: Path | None, quiet: bool,
                 go: str | None = None, all_versions: bool = False,
                 pip_conf: Path | None = None, push: bool = False,
                 cache_from: list[str] | None = None) -> list[dict[str, Any]]:
    """Build TARGET for the primary Go (or GO, or every locked Go with ALL_VERSIONS, one after another);
    with PUSH, push each image to its registry (tags, else the spec's ci.image) with its build cache."""
    from envbuilder.commands.push import check_cache_refs, push_images, push_targets, registry_cache
    from envbuilder.engine.build import BuildRequest
    from envbuilder.engine.client import engine
    from envbuilder.engine.dockercli import find_buildkit_cli
    from envbuilder.project import load_locked, locked_go
    from envbuilder.render import DOCKERFILE, runner_packages

    if target not in BUILD_TARGETS:
        raise InputError(f"--target: {target!r} is not one of {', '.join(BUILD_TARGETS)}")
    if target == RUNNER_STAGE and (all_versions or go):
        raise InputError(f"--target {RUNNER_STAGE}: the runner has no Go inside: drop --go/--all")
    if all_versions and (go or tags):
        raise InputError("--all builds every locked Go version with its own tag: drop --go/--tag")
    check_platforms(platforms)
    cache_from = check_cache_refs(cache_from or [])
    if push and len([p for value in platforms for p in value.split(",")]) > 1:
        raise InputError("--push: one --platform at a time; push each platform, then assemble the manifest "
                         "list with `docker manifest create`")
    spec, lock = load_locked(spec_path)
    has_runner = bool(runner_packages(spec))  # verify runs foreign binaries in a runner stage
    if target == RUNNER_STAGE and not has_runner:
        raise InputError(f"--target {RUNNER_STAGE}: {spec_path}: verify runs no foreign binary in a runner "
                         "(needs verify.emulate without verify.in_image, and a target qemu-user or wine runs)")
    versions = [g.version for g in lock.go_versions()] if all_versions else [locked_go(lock, go)]
    root = spec_path.parent
    secrets: dict[str, Path] = {}
    netrc = netrc or (Path.home() / ".netrc" if (Path.home() / ".netrc").is_file() else None)
    if netrc is not None:
        if not netrc.is_file():
            raise InputError(f"--netrc: {netrc}: no such file")
        secrets["netrc"] = netrc.resolve()
    if pip_conf is not None:  # a secret, not an ARG: an index URL may carry credentials
        if not pip_conf.is_file():
            raise InputError(f"--pip-conf: {pip_conf}: no such file")
        secrets["pipconf"] = pip_conf.resolve()
    client = engine()  # exit 3 early, with a clear line, when there is no engine
    client.close()
    cli = find_buildkit_cli(need_buildx=bool(builder))
    _ensure_rendered(spec, lock, root)
    _check_base_pin(lock)

    def request(stage: str, version: str, stage_tags: list[str], push_refs: list[str]) -> BuildRequest:
        return BuildRequest(
            context=root, dockerfile=root / DOCKERFILE, target=stage,
            tags=stage_tags or [image_tag(spec, lock, stage, version), *push_refs],
            labels=image_labels(spec, lock, stage, version),
            platforms=platforms, network=network, builder=builder, no_cache=no_cache, secrets=secrets,
            build_args={"GO_VERSION": version}, cache_from=cache_from, inline_cache=push,
            cache_to=registry_cache(push_refs[0], builder) if push_refs else [],
        )

    results = []
    for version in versions:
        push_refs = push_targets(spec, spec_path, tags, target, version) if push else []
        result = _build_one(cli, request(target, version, tags, push_refs), version, quiet)
        if push:
            result["pushed"] = push_images(push_refs, quiet)
        results.append(result)
    if target in ("dev", "ci") and has_runner:
        runner = _build_one(cli, request(RUNNER_STAGE, lock.go.version, [], []), lock.go.version, quiet)
        runner.pop("go_version")  # no Go inside
        for result in results:
            result["verify_runner"] = runner
    return results


def _build_one(cli, req, version: str, quiet: bool) -> dict[str, Any]:
    from envbuilder.engine.build import BuildFailed, print_tail, run_build

    target = req.target
    if not quiet:
        print(f"building {req.tags[0]} (target {target}, Go {version}) with {cli.path} "
              f"(Docker {cli.version}{', buildx' if cli.buildx else ', BuildKit'})", file=sys.stderr)
    try:
        if quiet:
            result = run_build(cli, req)
        elif interactive():
            result = _run_with_status(cli, req, run_build)
        else:
            result = run_build(cli, req, on_line=lambda line: print(line, file=sys.stderr, flush=True))
    except BuildFailed as exc:
        if quiet or interactive():
            print_tail(exc.tail)
        raise
    return {"image_id": result.image_id, "tags": result.tags, "target": target, "go_version": version,
            "seconds": round(result.seconds, 2), "docker_cli": cli.path}


def _run_with_status(cli, req, run_build):
    from rich.console import Console

    console = Console(stderr=True)
    with console.status(f"building {req.tags[0]}") as status:
        def show(line: str) -> None:
            if line.startswith("#") and "[" in line:
                status.update(f"building {req.tags[0]}: {line[:100]}")

        return run_build(cli, req, on_line=show)
