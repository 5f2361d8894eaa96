"""envbuilder.lock: the exact, hashed inputs of an environment. Rendering reads only spec + lock.

The lock is JSON with sorted keys (stable diffs, committed by users). It pins the Go release and the sha256
of its tarball per image platform, the base image (digest or local image ID when an engine knows it), the
tool versions, and the hash of the normalised spec, so `lock --check` can tell when the spec moved on.
Its models (lockmodel.py) check each value's form; `check_fresh` proves every field the spec decides by
locking the spec again with the lock's own resolved facts (`expected_lock`, shared with `create_lock`).
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from envbuilder import goreleases
from envbuilder.errors import CheckFailed, InputError
from envbuilder.fsutil import check_input_file, read_input, write_all
from envbuilder.jsoninput import refuse_too_many_values
from envbuilder.lockmodel import (  # noqa: F401 - the lock's models are part of this module's API
    LOCK_VERSION,
    ArchiveLock,
    BaseLock,
    GoLock,
    Lock,
    ToolLock,
    ZigLock,
    describe,
    parse_lock,
)
from envbuilder.profiles import ZIG_VERSION, ZIG_WHEEL, ZIG_WHEEL_SHA256, target_toolchain
from envbuilder.spec.load import format_loc
from envbuilder.spec.models import URL_SAFE, Spec

LOCK_NAME = "envbuilder.lock"
# A lock is ~1 KB and ~10 values per locked Go version and platform: these allow a thousand of them, and keep a
# hostile lock (a million-item list in place of a number) from costing hundreds of MB to parse.
MAX_LOCK_BYTES = 1 << 20
MAX_LOCK_VALUES = 50_000


def index_location(value: str) -> str:
    """`lock --index`: a URL as given, or a local file as its file:// URL."""
    if re.match(r"^[a-z]+://", value):
        if not re.fullmatch(URL_SAFE, value):
            raise InputError(f"--index: {value!r} is not an http(s):// or file:// URL without spaces or quotes")
        return value
    path = Path(value)
    try:
        check_input_file(path, "no such file", limit=goreleases.MAX_INDEX_BYTES, what="release index")
    except InputError as exc:
        raise InputError(f"--index: {exc.message}") from None
    return path.resolve().as_uri()


def spec_hash(spec: Spec) -> str:
    """Hash of the normalised spec: comments, key order and formatting do not make a lock stale, and
    neither does an envbuilder upgrade that adds spec fields with defaults (only set values are hashed)."""
    # ci.digests name the images built from this spec: hashing them would change the images' labels, and so
    # their digests, on every pin.
    canonical = json.dumps(spec.model_dump(mode="json", exclude_defaults=True, exclude={"ci": {"digests"}}),
                           sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _archive_version(path: Path) -> str | None:
    """The Go version recorded in an official tarball's go/VERSION (first line, e.g. go1.22.10)."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name in ("go/VERSION", "./go/VERSION") and member.isfile():
                    f = tar.extractfile(member)
                    first = f.read(256).decode(errors="replace").splitlines()[0] if f else ""
                    return first.removeprefix("go").strip()
    except (tarfile.TarError, OSError, EOFError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class ResolvedGo:
    """What locking learns about one requested Go version outside the spec: the exact release, and each image
    platform's tarball sha256 and size (from the release index, a download, or the offline archive)."""

    version: str | None
    archives: dict[str, tuple[str, int | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolved:
    """Everything in a lock that does not follow from the spec alone."""

    go: list[ResolvedGo]
    base_digest: str | None = None  # when the spec does not pin the base image: what the engine knows
    base_image_id: str | None = None

    @classmethod
    def of(cls, lock: Lock) -> "Resolved":
        """The facts LOCK took from outside the spec (already validated by the lock's model)."""
        go = [ResolvedGo(g.version, {p: (a.sha256, a.size) for p, a in g.archives.items()})
              for g in lock.go_versions()]
        return cls(go, lock.base.digest, lock.base.image_id)


def expected_lock(spec: Spec, resolved: Resolved) -> dict[str, Any]:
    """The lock of SPEC, as JSON data, given what locking RESOLVED outside the spec.

    The one place that decides the lock's fields: `create_lock` validates this into the lock it writes, and
    `check_fresh` compares it with a lock read from disk (whose own resolved facts go in), so every field the
    spec decides (tools, toolchain, requested versions, platforms, URLs, base image) is proven, not assumed."""
    offline = spec.go.archive is not None
    gos = []
    for i, requested in enumerate(spec.go.versions()):
        found = resolved.go[i] if i < len(resolved.go) else ResolvedGo(None)
        version = found.version
        archives = {}
        for platform in spec.platforms:
            sha256, size = found.archives.get(platform, (None, None))
            archives[platform] = {
                "filename": goreleases.tarball_name(version, platform) if version else None,
                "url": None if offline or not version else goreleases.tarball_url(spec.go.download, version, platform),
                "path": spec.go.archive,
                "sha256": sha256,
                "size": size,
            }
        gos.append({"requested": requested, "version": version, "toolchain": spec.go.toolchain, "archives": archives})
    image, _, digest = spec.base.image.partition("@")
    base = {"image": image, "digest": digest or resolved.base_digest,
            "image_id": None if digest else resolved.base_image_id}
    tools = [{"module": module, "version": tool_version, "stage": stage}
             for stage, group in (("dev", spec.tools), ("ci", spec.ci.tools))
             for module, tool_version in (tool.split("@") for tool in group)]
    primary, *matrix = gos
    lock = {"lock_version": LOCK_VERSION, "spec_hash": spec_hash(spec), "go": primary, "go_matrix": matrix,
            "base": base, "tools": tools}
    zig = zig_pin(spec)
    if zig is not None:
        lock["zig"] = zig
    return lock


def zig_pin(spec: Spec) -> dict[str, str] | None:
    """The zig of the lock when a cgo target of SPEC builds with zig: envbuilder's own pin (profiles.py), so
    `lock --check` re-derives it without asking PyPI."""
    if any((tc := target_toolchain(t)) is not None and tc.strategy == "zig" for t in spec.targets):
        return {"version": ZIG_VERSION, "wheel": ZIG_WHEEL, "sha256": ZIG_WHEEL_SHA256}
    return None


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()  # streams in chunks (Python 3.11+)


def _resolve_offline_archive(spec: Spec, spec_dir: Path) -> ResolvedGo:
    assert spec.go.archive is not None
    if spec.go.version.count(".") != 2:
        raise InputError("go.version: an offline go.archive needs an exact version such as 1.22.10")
    if len(spec.platforms) > 1:
        raise InputError("go.archive: an offline archive serves one platform; list only that one in platforms")
    path = spec_dir / spec.go.archive
    if not path.is_file():
        raise InputError(f"go.archive: {path}: no such file")
    found = _archive_version(path)
    if found != spec.go.version:
        raise InputError(f"go.archive: {path} holds Go {found or 'unknown'}, but go.version is {spec.go.version}")
    return ResolvedGo(spec.go.version, {spec.platforms[0]: (_sha256_file(path), path.stat().st_size)})


def _resolve_go(spec: Spec, spec_dir: Path, progress: Callable[[str, int, int | None], None] | None,
                requested: str, index_cache: dict[str, list], index_override: str | None) -> ResolvedGo:
    if spec.go.archive:
        return _resolve_offline_archive(spec, spec_dir)
    archives: dict[str, tuple[str, int | None]] = {}
    if spec.go.index == "none" and index_override is None:
        # A plain mirror with no release index: exact version only, hash by downloading.
        if requested.count(".") != 2:
            raise InputError('go.version: without a release index (go.index: none) give an exact version, e.g. "1.22.10"')
        version = requested
        for platform in spec.platforms:
            url = goreleases.tarball_url(spec.go.download, version, platform)
            cb = (lambda done, total, u=url: progress(u, done, total)) if progress else None
            archives[platform] = goreleases.hash_download(url, cb)
    else:
        url = index_override or goreleases.index_url(spec.go.download, spec.go.index)
        if url not in index_cache:
            index_cache[url] = goreleases.fetch_index(url)
        release = goreleases.resolve(requested, index_cache[url], url)
        version = release["version"].removeprefix("go")
        for platform in spec.platforms:
            a = goreleases.archive_from_index(release, platform, spec.go.download, url)
            archives[platform] = (a.sha256, a.size)
    return ResolvedGo(version, archives)


def _release_source(spec: Spec, index_override: str | None) -> str:
    """Where a lock's Go facts come from, for an error message."""
    if spec.go.archive:
        return f"go.archive {spec.go.archive}"
    if spec.go.index == "none" and index_override is None:
        return spec.go.download
    return index_override or goreleases.index_url(spec.go.download, spec.go.index)


def create_lock(
    spec: Spec,
    spec_dir: Path,
    *,
    progress: Callable[[str, int, int | None], None] | None = None,
    resolve_image: Callable[[str], tuple[str | None, str | None]] | None = None,
    index: str | None = None,
) -> Lock:
    """Lock SPEC. INDEX, if given, is read instead of the spec's release index (a vendored copy of go.dev's
    index, for machines that cannot reach it); tarball URLs still come from go.download."""
    index_cache: dict[str, list] = {}  # one fetch of the release index for every version
    gos = [_resolve_go(spec, spec_dir, progress, v, index_cache, index) for v in spec.go.versions()]
    versions = [g.version or "" for g in gos]
    if len(set(versions)) != len(versions):
        raise InputError(f"go.matrix: two entries resolve to the same release ({', '.join(versions)})")
    pinned = "@" in spec.base.image
    digest, image_id = resolve_image(spec.base.image) if resolve_image and not pinned else (None, None)
    try:
        return Lock.model_validate(expected_lock(spec, Resolved(gos, digest, image_id)))
    except ValidationError as exc:
        raise InputError(f"{_release_source(spec, index)}: cannot lock what it gives: {describe(exc)}") from None


def read_lock(path: Path) -> Lock:
    raw = read_input(path, "no lock file (run `envbuilder lock`)", limit=MAX_LOCK_BYTES, what="lock")
    refuse_too_many_values(raw, str(path), "lock", MAX_LOCK_VALUES)
    return parse_lock(raw, str(path))


def write_lock(lock: Lock, path: Path) -> None:
    write_all(path.parent, {path.name: lock.to_bytes()})


def _summary(value: Any) -> str:
    """A lock value in a one-line message: mappings by their keys, lists by their length."""
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _first_difference(expected: Any, actual: Any, loc: tuple[str | int, ...] = ()
                      ) -> tuple[tuple[str | int, ...], Any, Any] | None:
    """Where ACTUAL first departs from EXPECTED (JSON data): the path, and both values there."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return loc, expected, actual
        for key in expected:
            found = _first_difference(expected[key], actual[key], (*loc, key))
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return loc, expected, actual
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _first_difference(e, a, (*loc, i))
            if found:
                return found
        return None
    return None if expected == actual else (loc, expected, actual)


def check_fresh(spec: Spec, lock: Lock, lock_path: Path) -> None:
    """Raise CheckFailed when LOCK is not what locking SPEC gives: the spec changed since `envbuilder lock`,
    or a field the spec decides was edited in the lock. The facts only the release index (or the engine)
    knows are taken from LOCK itself, after its model checked their form and their agreement."""
    if lock.spec_hash != spec_hash(spec):
        raise CheckFailed(f"{lock_path}: stale: the spec changed since it was locked (run `envbuilder lock`)")
    difference = _first_difference(expected_lock(spec, Resolved.of(lock)), lock.as_json())
    if difference:
        loc, expected, actual = difference
        raise CheckFailed(f"{lock_path}: stale: {format_loc(loc)}: the lock has {_summary(actual)}, the spec gives "
                          f"{_summary(expected)} (run `envbuilder lock`)")
