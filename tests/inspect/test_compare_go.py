"""`inspect --compare` on real Go builds: the oracle program (with its cgo file) built twice without -trimpath,
from two source directories, differs where Go and the C compiler record the build path; the comparison
names those sections and the missing -trimpath."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder.inspect import compare
from fixtures.gotoolchains import go_binary
from tests.inspect.oracle import NEWEST, PROGRAM, Build, go_env

pytestmark = pytest.mark.integration


def build_in(src: Path, out: Path, build: Build) -> Path:
    for rel, text in PROGRAM.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    done = subprocess.run([str(go_binary(build.go)), "build", "-o", str(out), "."], cwd=src, env=go_env(build),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def test_cgo_builds_from_two_directories_without_trimpath_differ_by_their_build_path(tmp_path):
    build = Build(NEWEST, "linux", "amd64", cgo=True)
    a = build_in(tmp_path / "checkout-a", tmp_path / "app-a", build)
    b = build_in(tmp_path / "checkout-b", tmp_path / "app-b", build)
    done = subprocess.run([sys.executable, "-m", "envbuilder", "inspect", "--compare", str(a), str(b), "--json"],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "300"}, timeout=120)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    by_name = {d["name"]: d for d in data["differences"]}
    assert by_name[".note.go.buildid"]["cause"] == compare.BUILD_ID
    assert any(d["name"].startswith(".debug") for d in data["differences"]), by_name.keys()
    path_causes = [d["cause"] for d in data["differences"] if d["cause"] and "absolute build path" in d["cause"]]
    assert path_causes and all(c.endswith(compare.NO_TRIMPATH) for c in path_causes)
    assert any(f"{tmp_path}/checkout-a" in c and f"{tmp_path}/checkout-b" in c for c in path_causes), path_causes
