"""Helpers for lock tests: a project locked offline against a file:// release index, and the CLI run in-process."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from envbuilder.cli import main
from envbuilder.lock import LOCK_NAME, create_lock, write_lock
from envbuilder.spec.load import load_spec

PINNED_BASE = "debian:bookworm-slim@sha256:" + "5e" * 32
SPEC = """\
name: payments
go:
  version: "1.22"
  matrix: ["1.23"]
  download: {download}
  index: {index}
base:
  image: {base}
platforms: [linux/amd64, linux/arm64]
targets: [linux/amd64, linux/arm64]
tools: [golang.org/x/tools/gopls@v0.16.2]
ci:
  tools: [gotest.tools/gotestsum@v1.12.0]
"""


def publish(root: Path, versions=("1.22.9", "1.22.10", "1.23.4")) -> str:
    """Stand-in Go tarballs and a go.dev-format index under ROOT; returns ROOT's file:// URL (ends with /)."""
    root.mkdir(parents=True, exist_ok=True)
    releases = []
    for v in versions:
        files = []
        for arch in ("amd64", "arm64"):
            name = f"go{v}.linux-{arch}.tar.gz"
            data = f"stand-in Go {v} linux/{arch}\n".encode()
            (root / name).write_bytes(data)
            files.append({"filename": name, "os": "linux", "arch": arch, "version": f"go{v}", "kind": "archive",
                          "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        releases.append({"version": f"go{v}", "stable": True, "files": files})
    (root / "index.json").write_text(json.dumps(releases))
    return root.as_uri() + "/"


def locked_project(root: Path, base: str = PINNED_BASE) -> Path:
    """A project under ROOT (spec + its lock, locked offline); returns the spec's path."""
    download = publish(root / "dl")
    spec_path = root / "project" / "envbuilder.yaml"
    spec_path.parent.mkdir(parents=True, exist_ok=True)
    spec_path.write_text(SPEC.format(download=download, index=download + "index.json", base=base))
    write_lock(create_lock(load_spec(spec_path), spec_path.parent), spec_path.parent / LOCK_NAME)
    return spec_path


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def envbuilder(*args: str) -> Run:
    """The real CLI entry point, in-process: exit code and output as a user sees them (no engine lookups:
    unit tests must not depend on one)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with mock.patch.dict(os.environ, {"ENVBUILDER_NO_ENGINE": "1"}), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return Run(code, out.getvalue(), err.getvalue())


def edit_lock(spec_path: Path, edit) -> None:
    """Apply EDIT (a function of the lock's JSON data) to the lock beside SPEC_PATH."""
    lock_path = spec_path.parent / LOCK_NAME
    data = json.loads(lock_path.read_text())
    edit(data)
    lock_path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
