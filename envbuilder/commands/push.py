"""`envbuilder build --push` and `--cache-from`: where an image goes, which cache it shares, the push itself."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from envbuilder.errors import InputError

_IMAGE_REF = None  # compiled on first use: the spec models are a heavy import


def check_cache_refs(refs: list[str]) -> list[str]:
    """--cache-from values: an image reference, or a BuildKit cache spec (type=registry,ref=...)."""
    global _IMAGE_REF
    if _IMAGE_REF is None:
        from envbuilder.spec.models import IMAGE_REF

        _IMAGE_REF = re.compile(IMAGE_REF)
    for ref in refs:
        if not (ref.startswith("type=") or _IMAGE_REF.match(ref)):
            raise InputError(f"--cache-from: {ref!r} is not an image reference (REGISTRY/REPOSITORY:TAG) "
                             "or a BuildKit cache spec (type=registry,ref=...)")
    return refs


def push_targets(spec, spec_path: Path, tags: list[str], target: str, version: str) -> list[str]:
    """The references --push sends: the --tag values, else the spec's ci.image tagged TARGET-goVERSION."""
    if tags:
        return tags
    if not spec.ci.image:
        raise InputError(f"{spec_path}: ci.image: set the registry repository to push to, "
                         "or pass --tag REGISTRY/REPOSITORY:TAG with --push")
    return [f"{spec.ci.image}:{target}-go{version}"]


def registry_cache(ref: str, builder: str | None) -> list[str]:
    """With a buildx builder, every layer of every stage goes to a cache image beside REF (mode=max): the
    next runner passes `--cache-from REPOSITORY:buildcache-TAG`. The engine's own BuildKit exports only
    inline cache (the image's layers), which `--push` always adds."""
    if not builder:
        return []
    from envbuilder.engine.registry import split_ref

    repo, tag, _ = split_ref(ref)
    return [f"type=registry,ref={repo}:buildcache-{tag or 'latest'},mode=max"]


def push_images(refs: list[str], quiet: bool) -> list[str]:
    """Push each reference; return each as `REF@sha256:DIGEST`. The first failure ends the command."""
    from envbuilder.engine.client import engine
    from envbuilder.engine.registry import push

    client = engine()
    pushed = []
    try:
        for ref in refs:
            if not quiet:
                print(f"pushing {ref}", file=sys.stderr, flush=True)
            pushed.append(push(client, ref))
    finally:
        client.close()
    return pushed
