"""Every writing command writes all its files or none: wrong-kind, unwritable, over-long and full
destinations are one line and leave nothing behind; interrupts never leave a temp file."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.fsutil import write_all

OLD = {"Dockerfile": b"old dockerfile\n", ".devcontainer/devcontainer.json": b"old devcontainer\n",
       "docker-bake.hcl": b"old bake\n"}
NEW = {path: data.replace(b"old", b"new") for path, data in OLD.items()}


def contents(root: Path) -> dict[str, bytes]:
    """Every file under ROOT (temp and backup files included), by relative path."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def old_set(tmp_path) -> Path:
    write_all(tmp_path, OLD)
    assert contents(tmp_path) == OLD
    return tmp_path


# ---- the writer ---------------------------------------------------------------------------------------------


def test_writes_every_file_and_creates_missing_directories(tmp_path):
    write_all(tmp_path / "new" / "project", NEW)
    assert contents(tmp_path) == {f"new/project/{p}": data for p, data in NEW.items()}
    assert oct((tmp_path / "new/project/Dockerfile").stat().st_mode & 0o777) == "0o644"


def test_replaces_every_file_of_an_old_set(old_set):
    write_all(old_set, NEW)
    assert contents(old_set) == NEW


def test_a_destination_that_is_a_directory_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / "docker-bake.hcl").mkdir()
    with pytest.raises(InputError, match=r"docker-bake\.hcl: is a directory, not a file"):
        write_all(tmp_path, NEW)
    assert contents(tmp_path) == {}
    assert not (tmp_path / ".devcontainer").exists()


def test_a_parent_that_is_a_file_is_refused_before_anything_is_written(tmp_path):
    (tmp_path / ".devcontainer").write_bytes(b"not a directory\n")
    with pytest.raises(InputError, match=r"devcontainer\.json: cannot write: .*\.devcontainer is not a directory"):
        write_all(tmp_path, NEW)
    assert contents(tmp_path) == {".devcontainer": b"not a directory\n"}


def test_a_directory_this_process_may_not_write_is_refused(old_set, monkeypatch):
    # Root may write anywhere, so the kernel's answer is stood in for: access(2) says no for this directory.
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != old_set and real_access(path, mode))
    with pytest.raises(InputError, match=rf"{old_set}/Dockerfile: cannot write: {old_set} is not writable"):
        write_all(old_set, NEW)
    assert contents(old_set) == OLD


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_a_refused_write_midway_is_one_line_exit_2_and_leaves_the_old_set(old_set, monkeypatch, code):
    failing_in(monkeypatch, "open", on_call=2, exc=OSError(code, os.strerror(code)))  # the 2nd temp file
    with pytest.raises(InputError, match=rf"\.devcontainer/devcontainer\.json: cannot write: {os.strerror(code)}"):
        write_all(old_set, NEW)
    assert contents(old_set) == OLD


def test_a_full_disk_is_an_environment_problem_and_leaves_the_old_set(old_set, monkeypatch):
    failing_in(monkeypatch, "fsync", on_call=3, exc=OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(EnvironmentProblem, match="docker-bake.hcl: cannot write: no space left") as raised:
        write_all(old_set, NEW)
    assert raised.value.exit_code == 3
    assert contents(old_set) == OLD


def test_a_failed_rename_puts_the_old_files_back(old_set, monkeypatch):
    eio = OSError(errno.EIO, os.strerror(errno.EIO), "temp", None, str(old_set / "docker-bake.hcl"))
    failing_in(monkeypatch, "replace", on_call=3, exc=eio)
    with pytest.raises(EnvironmentProblem, match="docker-bake.hcl: cannot write: Input/output error"):
        write_all(old_set, NEW)
    assert contents(old_set) == OLD


def test_a_failed_rename_of_a_new_file_removes_the_files_already_renamed(tmp_path, monkeypatch):
    failing_in(monkeypatch, "replace", on_call=3, exc=OSError(errno.EIO, os.strerror(errno.EIO)))
    with pytest.raises(EnvironmentProblem):
        write_all(tmp_path, NEW)
    assert contents(tmp_path) == {}
    assert not (tmp_path / ".devcontainer").exists(), "the directory made for the new set goes too"


def test_ctrl_c_while_writing_leaves_the_old_set_and_no_temp_file(old_set, monkeypatch):
    failing_in(monkeypatch, "fsync", on_call=2, exc=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_all(old_set, NEW)
    assert contents(old_set) == OLD


@pytest.mark.parametrize("call", ["open", "mkdir"])
def test_ctrl_c_right_after_a_temp_file_or_directory_appears_leaves_nothing(tmp_path, monkeypatch, call):
    real = getattr(os, call)

    def made_then_interrupted(*args, **kwargs):
        result = real(*args, **kwargs)
        if isinstance(result, int):
            os.close(result)
        raise KeyboardInterrupt  # the signal lands before the call returns to write_all

    monkeypatch.setattr(os, call, made_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_all(tmp_path, NEW)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_writing_exits_143_and_leaves_the_old_set(old_set, monkeypatch):
    real_fsync = os.fsync

    def fsync_then_terminated(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", fsync_then_terminated)
    with pytest.raises(SystemExit) as raised:
        write_all(old_set, NEW)
    assert raised.value.code == 143
    assert contents(old_set) == OLD
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "SIGTERM kills as before once the write is over"


def test_ctrl_c_during_the_renames_waits_until_the_new_set_is_complete(old_set, monkeypatch):
    real_replace = os.replace

    def replace_and_interrupt(src, dst) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_and_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_all(old_set, NEW)
    assert contents(old_set) == NEW


def test_over_long_names_and_paths_are_refused_up_front(tmp_path):
    with pytest.raises(InputError, match="cannot write: a name is longer than 255 bytes"):
        write_all(tmp_path, {"x" * 256: b"data"})
    with pytest.raises(InputError, match="cannot write: the path is too long"):
        write_all(tmp_path, {"d/" * 2100 + "x": b"data"})
    assert contents(tmp_path) == {}


def test_a_destination_name_at_the_limit_is_written_and_replaced(tmp_path):
    write_all(tmp_path, {"é" * 127: b"old"})  # 254 bytes: its temp and backup names must be cut to fit
    write_all(tmp_path, {"é" * 127: b"new"})
    assert contents(tmp_path) == {"é" * 127: b"new"}


def failing_in(monkeypatch, name: str, *, on_call: int, exc: BaseException) -> None:
    """Make os.NAME raise EXC on its ON_CALL-th call."""
    real = getattr(os, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == on_call:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, failing)


# ---- the commands -------------------------------------------------------------------------------------------


@pytest.fixture
def locked(project, cli):
    assert cli("lock", cwd=project).returncode == 0
    return project


def test_lock_onto_a_directory_is_one_line(project, cli):
    (project / "envbuilder.lock").mkdir()
    result = cli("lock", cwd=project)
    assert (result.returncode, result.stderr) == (2, "envbuilder: envbuilder.lock: is a directory, not a file\n")


def test_init_onto_a_directory_is_one_line(tmp_path, cli):
    (tmp_path / "envbuilder.yaml").mkdir()
    result = cli("init", "--force", str(tmp_path))
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
    assert "envbuilder.yaml: is a directory, not a file" in result.stderr


def test_render_with_devcontainer_a_file_writes_nothing(locked, cli):
    (locked / ".devcontainer").write_text("mine\n")
    result = cli("render", cwd=locked)
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
    assert ".devcontainer is not a directory" in result.stderr
    assert not (locked / "Dockerfile").exists() and not (locked / "docker-bake.hcl").exists()


def test_render_with_dockerfile_a_directory_writes_nothing(locked, cli):
    (locked / "Dockerfile").mkdir()
    result = cli("render", cwd=locked)
    assert (result.returncode, result.stderr) == (2, "envbuilder: Dockerfile: is a directory, not a file\n")
    assert not (locked / ".devcontainer").exists() and not (locked / "docker-bake.hcl").exists()


def test_render_onto_a_full_disk_is_exit_3_and_leaves_nothing(locked):
    # The kernel refuses to grow any file past 100 bytes (RLIMIT_FSIZE; SIGXFSZ ignored, so write(2) fails).
    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))

    before = contents(locked)
    result = subprocess.run([sys.executable, "-m", "envbuilder", "render"], cwd=locked, capture_output=True,
                            text=True, env={**os.environ, "ENVBUILDER_NO_ENGINE": "1"}, preexec_fn=small_disk,
                            timeout=120)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("envbuilder: ") and result.stderr.count("\n") == 1
    assert "no space left" in result.stderr
    assert contents(locked) == before


def test_render_into_a_directory_it_may_not_write_is_one_line(locked, monkeypatch, capsys):
    from envbuilder.cli import main

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    before = contents(locked)
    with pytest.raises(SystemExit) as raised:
        main(["render", "-f", str(locked / "envbuilder.yaml")])
    assert raised.value.code == 2
    assert capsys.readouterr().err == f"envbuilder: {locked}/Dockerfile: cannot write: {locked} is not writable\n"
    assert contents(locked) == before


@pytest.mark.parametrize(("junit", "message"), [
    ("reports", "reports: is a directory, not a file"),
    ("bin/report.xml", "bin/report.xml: cannot write: bin is not a directory"),
    ("r" * 300 + ".xml", "cannot write: a name is longer than 255 bytes"),
])
def test_inspect_junit_to_a_path_that_cannot_be_a_file_is_one_line(tmp_path, cli, junit, message):
    (tmp_path / "reports").mkdir()
    (tmp_path / "bin").write_bytes(go_binary())
    result = cli("inspect", "--junit", junit, "bin", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


ODD_NAMES = [b"app", b"app-\xff\xfe", b"app-\x01\x1b[31m", "app-ünï".encode()]


@pytest.fixture
def odd_dist(tmp_path) -> Path:
    """dist/ with a Go binary under a plain name, a non-UTF-8 name, one with control characters, and UTF-8."""
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ODD_NAMES:
        with open(os.path.join(os.fsencode(dist), name), "wb") as f:
            f.write(go_binary())
    return tmp_path


def test_inspect_json_carries_any_file_name_and_gives_its_bytes_back(odd_dist, cli):
    result = cli("inspect", "--json", "dist", cwd=odd_dist)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sorted(os.fsencode(b["path"]) for b in report["binaries"]) == sorted(b"dist/" + n for n in ODD_NAMES)
    assert {r["target"] for r in report["results"]} >= {"dist/app", "dist/app-ünï"}


def test_inspect_json_of_odd_names_is_the_report_itself(odd_dist, monkeypatch):
    from envbuilder.inspect.expect import Expectations
    from envbuilder.inspect.run import inspect_paths
    from envbuilder.report import to_json

    monkeypatch.chdir(odd_dist)
    report = inspect_paths([Path("dist")], Expectations(platforms=[]))
    assert json.loads(to_json(report)) == report.model_dump(mode="json")


def test_inspect_junit_escapes_what_xml_cannot_carry(odd_dist, cli):
    import xml.etree.ElementTree as ET

    result = cli("inspect", "--junit", "report.xml", "--json", "dist", cwd=odd_dist)
    assert result.returncode == 0, result.stderr
    suites = {s.get("name") for s in ET.parse(odd_dist / "report.xml").getroot().iter("testsuite")}
    assert suites == {"dist/app", "dist/app-\\xff\\xfe", "dist/app-\\x01\\x1b[31m", "dist/app-ünï"}


def test_verify_junit_into_a_directory_is_refused_before_any_check_runs(tmp_path, cli):
    (tmp_path / "reports").mkdir()
    result = cli("verify", "--host", "--junit", "reports", cwd=tmp_path)  # no spec here: no check could run
    assert (result.returncode, result.stderr) == (2, "envbuilder: reports: is a directory, not a file\n")


def go_binary() -> bytes:
    from tests.inspect import synth

    return synth.elf(synth.inline_blob(modinfo=synth.MODINFO.replace("GOARCH=arm", "GOARCH=amd64")
                                       .replace("GOARM=7", "GOAMD64=v1")))


# ---- init's name --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a\nb: c", "a #x", "[x", "{a: b}", "*x", "&x y", "!!str x", "a: b", "'x'", "Big",
                                  "-x", "x" * 64, ""])
def test_init_refuses_a_name_the_spec_would_refuse_and_writes_nothing(tmp_path, cli, name):
    result = cli("init", "--name", name, str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"envbuilder: --name: {name!r} is not a valid project name")
    assert not (tmp_path / "envbuilder.yaml").exists()


@pytest.mark.parametrize("name", ["true", "no", "1.20", "null", "0x1f", "payments-api", "a.b_c"])
def test_init_writes_a_valid_name_as_a_yaml_string(tmp_path, cli, name):
    from envbuilder.spec import load_spec

    result = cli("init", "--name", name, str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert load_spec(tmp_path / "envbuilder.yaml").name == name


@pytest.mark.parametrize(("module", "name"), [
    ("example.com/acme/Payments_API#v2", "payments_api-v2"),
    ("example.com/acme/платежи", "project"),
    ("example.com/" + "x" * 80, "x" * 63),
    ('"example.com/quoted"', "quoted"),
])
def test_init_derives_a_valid_name_from_any_module_path(tmp_path, cli, module, name):
    from envbuilder.spec import load_spec

    (tmp_path / "go.mod").write_text(f"module {module}\n\ngo 1.22\n")
    result = cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert load_spec(tmp_path / "envbuilder.yaml").name == name
