"""Go releases: read a go.dev-format release index, resolve "1.22" to an exact release, hash tarballs.

The index is go.dev's `?mode=json&include=all` list: [{"version": "go1.22.10", "stable": true,
"files": [{"filename", "os", "arch", "sha256", "size", "kind"}]}]. http(s):// and file:// both work
(urllib handles both, so no HTTP library is needed for a GET).
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

from envbuilder.errors import EnvironmentProblem, InputError

DEFAULT_DOWNLOAD = "https://go.dev/dl/"
TIMEOUT_S = 30
MAX_INDEX_BYTES = 64 << 20  # go.dev's full index is ~2 MB; anything far larger is not an index


@dataclass(frozen=True)
class Archive:
    platform: str  # image platform, e.g. linux/amd64
    filename: str
    url: str
    sha256: str
    size: int | None


def index_url(download: str, index: str | None) -> str:
    if index:
        return index
    return download + ("&" if "?" in download else "?") + "mode=json&include=all"


def tarball_name(version: str, platform: str) -> str:
    goos, goarch = platform.split("/")
    return f"go{version}.{goos}-{goarch}.tar.gz"


def tarball_url(download: str, version: str, platform: str) -> str:
    base = download if download.endswith("/") else download + "/"
    return urllib.parse.urljoin(base, tarball_name(version, platform))


def _open(url: str):
    try:
        return urllib.request.urlopen(url, timeout=TIMEOUT_S)  # noqa: S310 - http(s)/file only, validated in spec
    except urllib.error.HTTPError as exc:
        raise EnvironmentProblem(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise EnvironmentProblem(f"{url}: cannot fetch: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise EnvironmentProblem(f"{url}: cannot fetch: {exc}") from None


def fetch_index(url: str) -> list[dict[str, Any]]:
    with _open(url) as resp:
        try:
            raw = resp.read(MAX_INDEX_BYTES + 1)
        except (TimeoutError, OSError) as exc:
            raise EnvironmentProblem(f"{url}: read failed: {exc}") from None
    if len(raw) > MAX_INDEX_BYTES:
        raise InputError(f"{url}: release index larger than {MAX_INDEX_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{url}: not a Go release index (invalid JSON)") from None
    if not isinstance(data, list) or not all(isinstance(r, dict) and "version" in r for r in data):
        raise InputError(f"{url}: not a Go release index (expected a list of releases with 'version')")
    return data


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def resolve(requested: str, releases: list[dict[str, Any]], url: str) -> dict[str, Any]:
    """The release for REQUESTED: exact "1.22.10", or the newest stable 1.22.x for "1.22"."""
    stable: dict[str, dict[str, Any]] = {}
    for rel in releases:
        m = re.fullmatch(r"go(\d+\.\d+(?:\.\d+)?)", str(rel.get("version", "")))
        if m and rel.get("stable", True):
            stable[m.group(1)] = rel
    if requested.count(".") == 2:
        if requested not in stable:
            raise InputError(f"go.version: {requested} is not a stable release in {url}")
        return stable[requested]
    matching = [v for v in stable if v == requested or v.startswith(requested + ".")]
    if not matching:
        raise InputError(f"go.version: no stable {requested}.x release in {url}")
    return stable[max(matching, key=_version_key)]


def archive_from_index(release: dict[str, Any], platform: str, download: str, url: str) -> Archive:
    version = release["version"].removeprefix("go")
    goos, goarch = platform.split("/")
    for f in release.get("files", []):
        if f.get("os") == goos and f.get("arch") == goarch and f.get("kind", "archive") == "archive":
            sha = str(f.get("sha256", ""))
            if not re.fullmatch(r"[0-9a-f]{64}", sha):
                raise InputError(f"{url}: {f.get('filename')}: sha256 {sha!r} is not a sha256 hex digest")
            filename = str(f.get("filename") or tarball_name(version, platform))
            if not re.fullmatch(r"go[0-9.]+\.[a-z0-9]+-[a-z0-9]+\.tar\.gz", filename):
                raise InputError(f"{url}: unexpected archive file name {filename!r}")
            return Archive(platform, filename, tarball_url(download, version, platform), sha, f.get("size"))
    raise InputError(f"{url}: go{version} has no {goos}-{goarch} archive")


def hash_download(url: str, progress: Callable[[int, int | None], None] | None = None) -> tuple[str, int]:
    """sha256 and size of URL, streamed (a mirror without an index gets its hash this way)."""
    h = hashlib.sha256()
    size = 0
    with _open(url) as resp:
        total = resp.length
        while True:
            try:
                chunk = resp.read(1 << 20)
            except (TimeoutError, OSError) as exc:
                raise EnvironmentProblem(f"{url}: download failed: {exc}") from None
            if not chunk:
                break
            h.update(chunk)
            size += len(chunk)
            if progress:
                progress(size, total)
    return h.hexdigest(), size
