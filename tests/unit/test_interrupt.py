"""Ctrl-C (or SIGTERM) at any point of `envbuilder render` leaves either every old file or every new one,
never a mix and never a temp file; the command ends with one line and exit 130, never a traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envbuilder.fsutil import TEST_PAUSE_ENV
from envbuilder.lock import LOCK_NAME, write_lock
from envbuilder.render import render_all
from envbuilder.spec import load_spec

from .renderkit import offline_lock

RENDERED = ("Dockerfile", ".devcontainer/devcontainer.json", "docker-bake.hcl")
# The test hook's sleep after each temp file, so a signal lands between two writes: long where the test
# waits for the temp files before it signals (the signal cuts the sleep short), short for timed signals.
LONG_PAUSE_S = "5"
SHORT_PAUSE_S = "0.15"
TIMED_RUNS = 12


def lock_offline(spec_path: Path, version: str) -> dict[str, bytes]:
    """Write the spec's lock without network; returns the files `render` would write from them."""
    spec = load_spec(spec_path)
    lock = offline_lock(spec, version)
    write_lock(lock, spec_path.parent / LOCK_NAME)
    return {f.path: f.text.encode() for f in render_all(spec, lock)}


def on_disk(root: Path) -> dict[str, bytes]:
    """Every file under ROOT except the spec and lock (temp files included), by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in ("envbuilder.yaml", LOCK_NAME)}


def start_render(root: Path, pause: str) -> subprocess.Popen:
    env = {**os.environ, "ENVBUILDER_NO_ENGINE": "1", TEST_PAUSE_ENV: pause}
    return subprocess.Popen([sys.executable, "-m", "envbuilder", "render"], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def rerender(project) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A project rendered from one spec whose spec and lock then changed so every rendered file changes:
    (project, old files, new files)."""
    spec_path = project / "envbuilder.yaml"
    old = lock_offline(spec_path, "1.22.10")
    result = subprocess.run([sys.executable, "-m", "envbuilder", "render"], cwd=project, capture_output=True,
                            text=True, env={**os.environ, "ENVBUILDER_NO_ENGINE": "1"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert on_disk(project) == old
    spec_path.write_text(spec_path.read_text().replace("name: payments", "name: ledger")
                         .replace('version: "1.22"', 'version: "1.23"'))
    new = lock_offline(spec_path, "1.23.4")
    assert all(old[path] != new[path] for path in RENDERED), "every file must change"
    return project, old, new


def restore(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        (root / path).write_bytes(data)
    assert on_disk(root) == files


def assert_all_old_or_all_new(root: Path, old: dict[str, bytes], new: dict[str, bytes], what: str) -> str:
    files = on_disk(root)
    assert files in (old, new), f"{what}: a mix or a leftover: {sorted(files)}"
    return "old" if files == old else "new"


def test_ctrl_c_between_two_writes_leaves_the_old_files(rerender):
    root, old, new = rerender
    for written in (1, 2, 3):  # after the 3rd temp file the next step is the commit
        restore(root, old)
        proc = start_render(root, LONG_PAUSE_S)
        wait_for_temp_files(root, proc, written)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        assert (proc.returncode, stderr) == (130, "envbuilder: interrupted\n"), f"after {written} temp file(s)"
        assert assert_all_old_or_all_new(root, old, new, f"after {written} temp file(s)") == "old"


def test_sigterm_between_two_writes_leaves_the_old_files(rerender):
    root, old, new = rerender
    proc = start_render(root, LONG_PAUSE_S)
    wait_for_temp_files(root, proc, 2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert (proc.returncode, stderr) == (143, "")
    assert assert_all_old_or_all_new(root, old, new, "after SIGTERM") == "old"


def test_ctrl_c_at_any_moment_leaves_all_old_or_all_new_files(rerender):
    root, old, new = rerender
    restore(root, old)
    started = time.monotonic()
    proc = start_render(root, SHORT_PAUSE_S)
    _, stderr = proc.communicate(timeout=120)
    whole_run = time.monotonic() - started
    assert proc.returncode == 0, stderr
    assert on_disk(root) == new
    outcomes = []
    for i in range(TIMED_RUNS):  # from start-up imports to the last rename
        restore(root, old)
        proc = start_render(root, SHORT_PAUSE_S)
        time.sleep(whole_run * i / (TIMED_RUNS - 1))
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        state = assert_all_old_or_all_new(root, old, new, f"SIGINT after {i}/{TIMED_RUNS - 1} of a run")
        assert not envbuilder_frames(stderr), stderr
        if proc.returncode == 0:  # finished before the signal
            assert state == "new"
        elif proc.returncode == 130:
            assert stderr == "envbuilder: interrupted\n"
        else:
            # Before envbuilder's first line runs (streams, site, runpy) or after its last, the interpreter
            # reports the signal itself; either way not from inside envbuilder (no frame of it above).
            assert proc.returncode in (1, -signal.SIGINT), stderr
        outcomes.append(state)
    assert outcomes[0] == "old"


@pytest.mark.parametrize("module,args", [("typer", ["schema", "--help"]),  # a command: the CLI imports typer
                                         ("textwrap", ["--help"])])  # the top-level help, without typer
def test_ctrl_c_while_the_cli_imports_is_one_line(tmp_path, module, args):
    # Ctrl-C lands while the CLI imports MODULE: an import hook raises KeyboardInterrupt right there.
    hook = ("import sys, runpy\n"
            "class CtrlC:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            f"        if name == {module!r}:\n"
            "            raise KeyboardInterrupt\n"
            "sys.meta_path.insert(0, CtrlC())\n"
            f"sys.argv = ['envbuilder', *{args!r}]\n"
            "runpy.run_module('envbuilder', run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", hook], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "COLUMNS": "100"})
    assert (result.returncode, result.stderr) == (130, "envbuilder: interrupted\n")


def envbuilder_frames(stderr: str) -> list[str]:
    """Traceback lines that point into envbuilder's own code."""
    return re.findall(r'File "[^"]*/envbuilder/[^"]*"', stderr)


def wait_for_temp_files(root: Path, proc: subprocess.Popen, count: int) -> None:
    """Return once COUNT temp files of the running render exist (it pauses after writing each one)."""
    while len(list(root.rglob("*.envbuilder-tmp"))) < count:
        assert proc.poll() is None, f"render ended before writing {count} temp file(s): {proc.stderr.read()}"
        time.sleep(0.01)
