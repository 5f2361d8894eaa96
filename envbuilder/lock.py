"""envbuilder.lock: the exact, hashed inputs of an environment. Rendering reads only spec + lock.

The lock is JSON with sorted keys (stable diffs, committed by users). It pins the Go release and the sha256
of its tarball per image platform, the base image (digest or local image ID when an engine knows it), the
tool versions, and the hash of the normalised spec, so `lock --check` can tell when the spec moved on.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from envbuilder import goreleases
from envbuilder.errors import CheckFailed, InputError
from envbuilder.fsutil import read_input, write_all
from envbuilder.spec.models import URL_SAFE, Spec

LOCK_VERSION = 1
LOCK_NAME = "envbuilder.lock"


class ArchiveLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    filename: str = Field(pattern=r"^go[0-9.]+\.[a-z0-9]+-[a-z0-9]+\.tar\.gz$")
    url: str | None = Field(None, pattern=URL_SAFE)
    path: str | None = Field(None, pattern=r"^[A-Za-z0-9._/-]+\.tar\.gz$")  # offline archive, spec-relative
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int | None = None


class GoLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    requested: str
    version: str = Field(pattern=r"^1\.\d+\.\d+$")
    toolchain: str
    archives: dict[str, ArchiveLock]


class BaseLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    image: str
    digest: str | None = Field(None, pattern=r"^sha256:[0-9a-f]{64}$", description="Registry digest, if known.")
    image_id: str | None = Field(None, pattern=r"^sha256:[0-9a-f]{64}$", description="Local image ID, if known.")


class ToolLock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    module: str
    version: str
    stage: str  # "dev" or "ci"


class Lock(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lock_version: int = LOCK_VERSION
    spec_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    go: GoLock  # the primary version
    go_matrix: list[GoLock] = Field(default_factory=list, description="Further Go versions (spec go.matrix).")
    base: BaseLock
    tools: list[ToolLock]

    def go_versions(self) -> list[GoLock]:
        return [self.go, *self.go_matrix]

    def go_for(self, version: str | None) -> GoLock:
        """The locked Go for VERSION: exact ("1.24.11"), as requested ("1.24"), or None for the primary."""
        if version is None:
            return self.go
        for g in self.go_versions():
            if version in (g.version, g.requested):
                return g
        known = ", ".join(g.version for g in self.go_versions())
        raise InputError(f"Go {version} is not in the lock (locked: {known})")

    def to_bytes(self) -> bytes:
        return (json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n").encode()

    @property
    def hash(self) -> str:
        return "sha256:" + hashlib.sha256(self.to_bytes()).hexdigest()


def index_location(value: str) -> str:
    """`lock --index`: a URL as given, or a local file as its file:// URL."""
    if re.match(r"^[a-z]+://", value):
        if not re.fullmatch(URL_SAFE, value):
            raise InputError(f"--index: {value!r} is not an http(s):// or file:// URL without spaces or quotes")
        return value
    path = Path(value)
    if not path.is_file():
        raise InputError(f"--index: {value}: no such file")
    return path.resolve().as_uri()


def spec_hash(spec: Spec) -> str:
    """Hash of the normalised spec: comments, key order and formatting do not make a lock stale, and
    neither does an envbuilder upgrade that adds spec fields with defaults (only set values are hashed)."""
    canonical = json.dumps(spec.model_dump(mode="json", exclude_defaults=True), sort_keys=True,
                           separators=(",", ":"))
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


def _lock_offline_archive(spec: Spec, spec_dir: Path) -> GoLock:
    assert spec.go.archive is not None
    if spec.go.version.count(".") != 2:
        raise InputError("go.version: an offline go.archive needs an exact version such as 1.22.10")
    if spec.platforms != ["linux/amd64"] and len(spec.platforms) > 1:
        raise InputError("go.archive: an offline archive serves one platform; list only that one in platforms")
    path = spec_dir / spec.go.archive
    if not path.is_file():
        raise InputError(f"go.archive: {path}: no such file")
    found = _archive_version(path)
    if found != spec.go.version:
        raise InputError(f"go.archive: {path} holds Go {found or 'unknown'}, but go.version is {spec.go.version}")
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    platform = spec.platforms[0]
    archive = ArchiveLock(filename=goreleases.tarball_name(spec.go.version, platform), path=spec.go.archive,
                          sha256=sha.hexdigest(), size=path.stat().st_size)
    return GoLock(requested=spec.go.version, version=spec.go.version, toolchain=spec.go.toolchain,
                  archives={platform: archive})


def _lock_go(spec: Spec, spec_dir: Path, progress: Callable[[str, int, int | None], None] | None,
             requested: str, index_cache: dict[str, list], index_override: str | None) -> GoLock:
    if spec.go.archive:
        return _lock_offline_archive(spec, spec_dir)
    archives: dict[str, ArchiveLock] = {}
    if spec.go.index == "none" and index_override is None:
        # A plain mirror with no release index: exact version only, hash by downloading.
        if requested.count(".") != 2:
            raise InputError('go.version: without a release index (go.index: none) give an exact version, e.g. "1.22.10"')
        version = requested
        for platform in spec.platforms:
            url = goreleases.tarball_url(spec.go.download, version, platform)
            cb = (lambda done, total, u=url: progress(u, done, total)) if progress else None
            sha, size = goreleases.hash_download(url, cb)
            archives[platform] = ArchiveLock(filename=goreleases.tarball_name(version, platform), url=url,
                                             sha256=sha, size=size)
    else:
        url = index_override or goreleases.index_url(spec.go.download, spec.go.index)
        if url not in index_cache:
            index_cache[url] = goreleases.fetch_index(url)
        release = goreleases.resolve(requested, index_cache[url], url)
        version = release["version"].removeprefix("go")
        for platform in spec.platforms:
            a = goreleases.archive_from_index(release, platform, spec.go.download, url)
            archives[platform] = ArchiveLock(filename=a.filename, url=a.url, sha256=a.sha256, size=a.size)
    return GoLock(requested=requested, version=version, toolchain=spec.go.toolchain, archives=archives)


def _lock_base(image: str, resolve_image: Callable[[str], tuple[str | None, str | None]] | None) -> BaseLock:
    if "@sha256:" in image:
        name, digest = image.split("@", 1)
        return BaseLock(image=name, digest=digest)
    digest, image_id = resolve_image(image) if resolve_image else (None, None)
    return BaseLock(image=image, digest=digest, image_id=image_id)


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
    tools = [ToolLock(module=t.split("@")[0], version=t.split("@")[1], stage="dev") for t in spec.tools]
    tools += [ToolLock(module=t.split("@")[0], version=t.split("@")[1], stage="ci") for t in spec.ci.tools]
    index_cache: dict[str, list] = {}  # one fetch of the release index for every version
    primary, *matrix = [_lock_go(spec, spec_dir, progress, v, index_cache, index) for v in spec.go.versions()]
    resolved = [g.version for g in (primary, *matrix)]
    if len(set(resolved)) != len(resolved):
        raise InputError(f"go.matrix: two entries resolve to the same release ({', '.join(resolved)})")
    return Lock(
        spec_hash=spec_hash(spec),
        go=primary,
        go_matrix=matrix,
        base=_lock_base(spec.base.image, resolve_image),
        tools=tools,
    )


def read_lock(path: Path) -> Lock:
    raw = read_input(path, "no lock file (run `envbuilder lock`)")
    try:
        return Lock.model_validate_json(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InputError(f"{path}: {where}: {err['msg']} (regenerate it with `envbuilder lock`)") from None


def write_lock(lock: Lock, path: Path) -> None:
    write_all(path.parent, {path.name: lock.to_bytes()})


def check_fresh(spec: Spec, lock: Lock, lock_path: Path) -> None:
    """Raise CheckFailed when LOCK no longer matches SPEC (the spec changed since `envbuilder lock`)."""
    if lock.spec_hash != spec_hash(spec):
        raise CheckFailed(f"{lock_path}: stale: the spec changed since it was locked (run `envbuilder lock`)")
    if set(lock.go.archives) != set(spec.platforms):
        raise CheckFailed(f"{lock_path}: stale: platforms differ from the spec (run `envbuilder lock`)")
    if [g.requested for g in lock.go_versions()] != spec.go.versions():
        raise CheckFailed(f"{lock_path}: stale: the spec asks for other Go versions (run `envbuilder lock`)")
    for g in lock.go_versions():
        if not (g.version == g.requested or g.version.startswith(g.requested + ".")):
            raise CheckFailed(f"{lock_path}: stale: locks Go {g.version} for {g.requested}")
