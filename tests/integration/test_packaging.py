"""`pip install .` into a fresh venv gives a working `envbuilder` with its templates and data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest import SPEC_TEMPLATE, ReleaseServer, release_server  # noqa: F401 - fixture

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The console script of a fresh venv that pip-installed a copy of this repo (not editable)."""
    root = tmp_path_factory.mktemp("pkg")
    src = root / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "out", "*.egg-info", "__pycache__",
                                                             "build", ".pytest_cache", ".hypothesis"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          str(src)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr[-2000:]
    shutil.rmtree(src)  # the installed package must not lean on the source tree
    return venv / "bin" / "envbuilder"


def test_installed_cli_runs_the_whole_spec_to_render_pipeline(installed, tmp_path, release_server: ReleaseServer):
    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess:
        return subprocess.run([str(installed), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "ENVBUILDER_NO_ENGINE": "1", "HOME": str(tmp_path)})

    assert "render" in run("--help").stdout
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22.0\n")
    assert run("init").returncode == 0
    assert 'version: "1.22"' in (tmp_path / "envbuilder.yaml").read_text()
    release_server.publish("1.22.9", "1.22.10")
    (tmp_path / "envbuilder.yaml").write_text(
        SPEC_TEMPLATE.format(version="1.22", download=release_server.url, index=release_server.index))
    locked = run("lock")
    assert locked.returncode == 0, locked.stderr
    rendered = run("render")
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "Dockerfile").read_text().count("FROM ") == 4
    assert run("render", "--check").returncode == 0
    assert run("lock", "--check").returncode == 0
    assert '"$schema"' in run("schema").stdout
