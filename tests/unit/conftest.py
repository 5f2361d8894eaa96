"""Fixtures for Docker-free tests: a project directory and a local go.dev-style release server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

SPEC_TEMPLATE = """\
name: payments
go:
  version: "{version}"
  download: {download}
  index: {index}
modules:
  proxy: [https://goproxy.cn, direct]
  private: ["git.corp.example/*"]
  flags: [-mod=readonly, -trimpath]
targets:
  - linux/amd64
  - {{platform: linux/arm64, cgo: true}}
  - {{platform: windows/amd64, cgo: true}}
  - darwin/arm64
tools: [golang.org/x/tools/gopls@v0.16.2]
"""


@dataclass
class ReleaseServer:
    root: Path
    url: str  # base URL, ends with /

    @property
    def index(self) -> str:
        return self.url + "index.json"

    def publish(self, *versions: str, platforms=("linux/amd64", "linux/arm64"), stable: bool = True) -> None:
        """Serve small stand-in tarballs for VERSIONS plus a go.dev-format index listing their sha256."""
        index_path = self.root / "index.json"
        releases = json.loads(index_path.read_text()) if index_path.exists() else []
        for v in versions:
            files = []
            for p in platforms:
                goos, goarch = p.split("/")
                name = f"go{v}.{goos}-{goarch}.tar.gz"
                data = f"stand-in Go {v} {p}\n".encode()
                (self.root / name).write_bytes(data)
                files.append({"filename": name, "os": goos, "arch": goarch, "version": f"go{v}",
                              "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "kind": "archive"})
            releases.append({"version": f"go{v}", "stable": stable, "files": files})
        index_path.write_text(json.dumps(releases))


@pytest.fixture
def release_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("dl")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ReleaseServer(root, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass


@pytest.fixture
def project(tmp_path, release_server):
    """A project directory with a valid spec pointing at the local release server (1.22.9, 1.22.10, 1.23.4)."""
    release_server.publish("1.22.9", "1.22.10", "1.23.4")
    spec = tmp_path / "envbuilder.yaml"
    spec.write_text(SPEC_TEMPLATE.format(version="1.22", download=release_server.url, index=release_server.index))
    return tmp_path


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would (no engine lookups: tests must not depend on one)."""
    import os

    full_env = {**os.environ, "ENVBUILDER_NO_ENGINE": "1", "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "envbuilder", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli():
    return run_cli
