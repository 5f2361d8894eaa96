"""Resource limits: the real CLI, in a child process, on each hostile input. It must refuse in one line naming
the file (or URL) with the documented exit code, and its own peak memory (the child's rusage) must stay
under 200 MB. The timeout only keeps a hang from stalling the suite: it is not what the tests measure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from envbuilder.goreleases import DEADLINE_ENV
from envbuilder.lock import write_lock
from envbuilder.render import render_all, write_files
from envbuilder.spec import load_spec

from .hostile import alias_bomb, deep_json, fifo, sparse_file, trickling_server
from .renderkit import offline_lock

PEAK_LIMIT_KB = 200 * 1024
HANG_GUARD_S = 60
SPEC = 'name: payments\ngo: {version: "1.22.10", download: "https://go.dev/dl/"}\n'


@dataclass
class Child:
    code: int
    stdout: str
    stderr: str
    peak_kb: int  # ru_maxrss of the CLI's process (Linux: KB)


# The CLI is started by a small helper that waits for it with wait4 and reports its ru_maxrss: Linux carries the
# memory high-water mark of whoever forks into the child's ru_maxrss (across exec), so started from pytest
# itself the number would be pytest's own size.
MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-m", "envbuilder", *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Child:
    """`python -m envbuilder ARGS` as a user runs it, with its peak memory."""
    peak_file = cwd / ".child.peak"
    proc = subprocess.Popen([sys.executable, "-c", MEASURE, str(peak_file), *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "ENVBUILDER_NO_ENGINE": "1", "NO_COLOR": "1", **(env or {})})
    try:
        stdout, stderr = proc.communicate(timeout=HANG_GUARD_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"envbuilder {' '.join(args)} hung for {HANG_GUARD_S} s")
    peak_kb = int(peak_file.read_text())
    peak_file.unlink()
    return Child(proc.returncode, stdout, stderr, peak_kb)


def assert_refused(child: Child, code: int, *names: str) -> None:
    lines = child.stderr.strip().splitlines()
    assert child.code == code, child.stderr
    assert len(lines) == 1 and "Traceback" not in child.stderr, child.stderr
    assert all(name in lines[0] for name in names), lines[0]
    assert child.peak_kb < PEAK_LIMIT_KB, f"peak memory {child.peak_kb // 1024} MB"


@pytest.fixture
def project(tmp_path) -> Path:
    """A spec and its lock (no network), nothing rendered yet."""
    spec_path = tmp_path / "envbuilder.yaml"
    spec_path.write_text(SPEC)
    write_lock(offline_lock(load_spec(spec_path)), tmp_path / "envbuilder.lock")
    return tmp_path


HOSTILE_FILES = {
    "/dev/zero": lambda d: Path("/dev/zero"),
    "10 GB sparse": lambda d: sparse_file(d / "huge", 10 << 30),
    "FIFO without writer": lambda d: fifo(d / "pipe"),
}


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_spec(tmp_path, kind):
    spec = HOSTILE_FILES[kind](tmp_path)
    assert_refused(run_child("render", "--spec", str(spec), cwd=tmp_path), 2, str(spec))


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_lock(project, kind):
    source = HOSTILE_FILES[kind](project)
    (project / "envbuilder.lock").unlink()
    (project / "envbuilder.lock").symlink_to(source)
    assert_refused(run_child("render", cwd=project), 2, "envbuilder.lock")


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_index_file(project, kind):
    index = HOSTILE_FILES[kind](project)
    assert_refused(run_child("lock", "--index", str(index), cwd=project), 2, str(index))


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_index_file_url_in_the_spec(project, kind):
    index = HOSTILE_FILES[kind](project)
    (project / "envbuilder.yaml").write_text(SPEC.replace("}", f", index: {index.as_uri()}}}"))
    assert_refused(run_child("lock", cwd=project), 2, str(index))


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_hostile_goreleaser_artifacts_json(tmp_path, kind):
    artifacts = HOSTILE_FILES[kind](tmp_path)
    assert_refused(run_child("inspect", "--goreleaser", str(artifacts), cwd=tmp_path), 2, str(artifacts))


def test_alias_bomb_spec(tmp_path):
    (tmp_path / "envbuilder.yaml").write_text(alias_bomb())
    assert_refused(run_child("render", cwd=tmp_path), 2, "envbuilder.yaml:", "aliases are expanded")


def test_deep_json_index(project):
    (project / "index.json").write_text(deep_json())
    assert_refused(run_child("lock", "--index", "index.json", cwd=project), 2, "index.json", "nested deeper")


def test_trickling_index_server(project):
    with trickling_server() as url:
        (project / "envbuilder.yaml").write_text(SPEC.replace("}", f", index: {url}}}"))
        child = run_child("lock", cwd=project, env={DEADLINE_ENV: "1"})
    assert_refused(child, 3, url, "no complete answer within 1 s")


@pytest.fixture
def huge_dockerfile(project) -> Path:
    """The project rendered, then its Dockerfile replaced by 1 GB (sparse) of something else."""
    spec = load_spec(project / "envbuilder.yaml")
    write_files(render_all(spec, offline_lock(spec)), project)
    (project / "Dockerfile").unlink()
    sparse_file(project / "Dockerfile", 1 << 30)
    return project


def test_render_next_to_a_huge_existing_dockerfile(huge_dockerfile):
    assert_refused(run_child("render", cwd=huge_dockerfile), 1, "Dockerfile exists and was not generated")
    assert (huge_dockerfile / "Dockerfile").stat().st_size == 1 << 30


def test_render_check_next_to_a_huge_existing_dockerfile(huge_dockerfile):
    child = run_child("render", "--check", cwd=huge_dockerfile)
    assert_refused(child, 1, "1 rendered file(s) differ")
    assert child.stdout.startswith("--- Dockerfile differs and is not envbuilder's output: 1073741824 bytes")
