"""Go releases: read a go.dev-format release index, resolve "1.22" to an exact release, hash tarballs.

The index is go.dev's `?mode=json&include=all` list: [{"version": "go1.22.10", "stable": true,
"files": [{"filename", "os", "arch", "sha256", "size", "kind"}]}]. http(s):// and file:// both work
(urllib fetches http(s) with a deadline per request; a file:// index is read as a local input file).
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.fsutil import open_input
from envbuilder.jsoninput import first_error, parse_json

if TYPE_CHECKING:  # the network modules load when a download starts: render and inspect only read the lock
    import http.client
    import socket
    import urllib.request

DEFAULT_DOWNLOAD = "https://go.dev/dl/"
TIMEOUT_S = 30  # per connect and per read
# go.dev's full index is ~2 MB: 8 MB leaves room to grow while parsing and checking it stays near 100 MB.
MAX_INDEX_BYTES = 8 << 20
MAX_ARCHIVE_BYTES = 2 << 30  # a Go tarball is ~70 MB; an endless answer is cut off here
# A whole request (headers and body), not one read: a server trickling a byte at a time never trips TIMEOUT_S.
INDEX_DEADLINE_S = 120.0
DOWNLOAD_DEADLINE_S = 1800.0  # ~70 MB in half an hour still works over a 40 KB/s link
DEADLINE_ENV = "ENVBUILDER_FETCH_DEADLINE"  # seconds: overrides both deadlines (slow links, tests)
GO_RELEASE = r"^go[0-9]{1,6}(\.[0-9]{1,6}){0,2}((rc|beta)[0-9]{1,6})?$"


class IndexFile(BaseModel):
    """One file of a release in go.dev's index (source, archive or installer)."""

    model_config = ConfigDict(extra="ignore", strict=True)
    filename: str = Field(pattern=r"^[A-Za-z0-9._-]{1,200}$")
    os: str = Field("", pattern=r"^[a-z0-9]{0,40}$")
    arch: str = Field("", pattern=r"^[a-z0-9]{0,40}$")
    version: str | None = None
    sha256: str = Field("", pattern=r"^([0-9a-f]{64})?$")  # empty for some very old releases' files
    size: int | None = Field(None, ge=0, le=1 << 40)
    kind: str = Field("archive", pattern=r"^[a-z]{1,40}$")


class IndexRelease(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    version: str = Field(pattern=GO_RELEASE)
    stable: bool = True
    files: list[IndexFile] = Field(default_factory=list)

    @model_validator(mode="after")
    def _files_name_this_release(self) -> IndexRelease:
        for i, f in enumerate(self.files):
            rest = f.filename.removeprefix(self.version + ".")
            if f.version not in (None, self.version) or rest == f.filename:
                raise ValueError(f"files[{i}]: {f.filename} is not a file of {self.version}")
            if f.os and f.arch and not re.match(rf"{f.os}-{f.arch}[.-]", rest):
                raise ValueError(f"files[{i}]: {f.filename} is not the {f.os}-{f.arch} file it claims to be")
        return self


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


def deadline_s(default: float) -> float:
    value = os.environ.get(DEADLINE_ENV)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 1e6:
        raise InputError(f"{DEADLINE_ENV}: {value!r} is not a number of seconds")
    return seconds


class _Deadline:
    """Cuts a request off when its total time is up, by shutting its connection down from a timer thread:
    that ends a read blocked anywhere (TLS handshake, headers, body) at once. It shuts down a duplicate of
    each socket it watches, so the connection ends even after TLS took the original over."""

    def __init__(self, url: str, seconds: float) -> None:
        import threading

        self.url, self.seconds, self.expired = url, seconds, False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shutdown(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        import socket

        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def problem(self) -> EnvironmentProblem:
        return EnvironmentProblem(f"{self.url}: no complete answer within {self.seconds:g} s "
                                  f"(the server stalls or is too slow; {DEADLINE_ENV} sets the limit)")


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    import http.client
    import socket
    import urllib.request

    def connect(*args: Any, **kwargs: Any) -> socket.socket:
        return deadline.watch(socket.create_connection(*args, **kwargs))

    class Connection(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class TLSConnection(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    class TLSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(TLSConnection, req, context=self._context)

    return urllib.request.build_opener(Handler, TLSHandler)


def _local_path(url: str) -> Path | None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        return None
    from urllib.request import url2pathname

    return Path(url2pathname(parsed.path))


def _stream(url: str, *, limit: int, what: str, deadline: float,
            progress: Callable[[int, int | None], None] | None = None) -> Iterator[bytes]:
    """The body of URL in chunks: at most LIMIT bytes (InputError beyond), within DEADLINE seconds in total
    (EnvironmentProblem after). A file:// URL is read as a local input file: regular files only."""
    path = _local_path(url)
    if path is not None:
        with open_input(path, "no such file", limit=limit, what=what) as f:
            total, received = os.fstat(f.fileno()).st_size, 0
            while chunk := f.read(1 << 20):
                received += len(chunk)
                if progress:
                    progress(received, total)
                yield chunk
        return
    import http.client
    import urllib.error

    with _Deadline(url, deadline) as timer:
        try:
            resp = _opener(timer).open(url, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as exc:
            raise EnvironmentProblem(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if timer.expired:
                raise timer.problem() from None
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise EnvironmentProblem(f"{url}: cannot fetch: {reason}") from None
        with resp:
            total, received = resp.length, 0
            while True:
                try:
                    chunk = resp.read(1 << 20)
                except (http.client.HTTPException, OSError) as exc:
                    if timer.expired:
                        raise timer.problem() from None
                    raise EnvironmentProblem(f"{url}: read failed: {exc}") from None
                if timer.expired:  # a shut-down socket reads as a short body: never use it
                    raise timer.problem()
                if not chunk:
                    return
                received += len(chunk)
                if received > limit:
                    raise InputError(f"{url}: {what} larger than {limit} bytes")
                if progress:
                    progress(received, total)
                yield chunk


def fetch_index(url: str) -> list[dict[str, Any]]:
    """The releases of the index at URL, each checked (version, stable, files named for their release)."""
    raw = b"".join(_stream(url, limit=MAX_INDEX_BYTES, what="release index", deadline=deadline_s(INDEX_DEADLINE_S)))
    data = parse_json(raw, url, "Go release index")
    if not isinstance(data, list):
        raise InputError(f"{url}: not a Go release index (expected a list of releases with 'version')")
    for i, item in enumerate(data):  # one at a time: the first bad release ends it, not a million errors
        try:
            data[i] = IndexRelease.model_validate(item).model_dump()
        except ValidationError as exc:
            raise InputError(f"{url}: not a Go release index: {first_error(exc, f'[{i}]')}") from None
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
    for chunk in _stream(url, limit=MAX_ARCHIVE_BYTES, what="Go archive", deadline=deadline_s(DOWNLOAD_DEADLINE_S),
                         progress=progress):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size
