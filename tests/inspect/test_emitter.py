"""The one report emitter of verify and inspect: warn as its own status, the console policy (wide off a
terminal, NO_COLOR, summary on stderr), escaped control characters, and no false passes for unreadable paths."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
from junitparser import JUnitXml
from rich.console import Console

from envbuilder.inspect.expect import Expectations
from envbuilder.inspect.run import inspect_paths
from envbuilder.report import CheckResult, Report, emit, exit_code, json_schema, make_console, render_table, \
    summary_line, to_json, write_junit
from tests.inspect import synth


def warned() -> Report:
    return Report(tool="verify", results=[
        CheckResult(id="modules.goproxy", target="environment", status="pass", expected="direct", actual="direct"),
        CheckResult(id="modules.gosumdb", target="environment", status="warn", expected="off", actual="off",
                    message="the checksum database is off"),
    ])


def test_a_warning_exits_0_and_is_counted_apart_in_the_summary():
    assert exit_code(warned()) == 0
    assert summary_line(warned()) == ("verify: ok: 1 targets, 2 checks: 1 passed, 1 warnings, 0 failed, 0 errors, "
                                      "0 skipped")


def test_a_warning_has_its_own_colour_in_the_table():
    out = io.StringIO()
    render_table(warned(), Console(file=out, width=200, force_terminal=True, color_system="truecolor"))
    lines = out.getvalue().splitlines()

    def status_style(check_id: str) -> str:
        line = next(line for line in lines if check_id in line)
        return re.findall(r"\x1b\[([0-9;]+)m(?:pass|warn)", line)[0]

    assert status_style("gosumdb") != status_style("goproxy")


def test_a_warning_is_in_the_json_schema():
    jsonschema.validate(json.loads(to_json(warned())), json_schema())


def test_in_junit_a_warning_is_a_passing_testcase_that_says_so(tmp_path):
    path = tmp_path / "report.xml"
    write_junit(warned(), path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("2", "0", "0", "0")
    case = suite.find("testcase[@name='modules.gosumdb']")
    assert [child.tag for child in case] == ["system-out"]
    assert case.find("system-out").text.startswith("envbuilder.status=warn: the checksum database is off")
    assert suite.find("properties/property[@name='envbuilder.warnings']").get("value") == "1"
    parsed = next(iter(JUnitXml.fromfile(str(path))))  # a consumer reads it as a pass
    assert [case.is_passed for case in parsed] == [True, True]


def test_off_a_terminal_tables_are_wide_and_colourless(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    console = make_console()  # pytest captures stdout: not a terminal
    assert console.width == 1000 and not console.is_terminal
    monkeypatch.setenv("COLUMNS", "132")
    assert make_console().width == 132
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_console().no_color


def test_emit_writes_json_on_stdout_and_the_summary_on_stderr(capsys, tmp_path):
    assert emit(warned(), as_json=True, junit=tmp_path / "j.xml") == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["results"][1]["status"] == "warn"
    assert err.startswith("verify: ok:") and (tmp_path / "j.xml").exists()


def run_inspect(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "envbuilder.inspect", *args], capture_output=True, text=True,
                          timeout=60, env={**environ, **(env or {})})


def test_inspect_in_a_ci_log_does_not_wrap_long_paths(tmp_path):
    deep = tmp_path / ("release-artifacts-for-every-platform-" * 3) / "app_linux_amd64"
    deep.mkdir(parents=True)
    (deep / "app").write_bytes(b"\x7fELF\x02\x01")  # truncated: shown in the table as a problem
    done = run_inspect(str(deep / "app"))
    assert done.returncode == 1
    assert any(str(deep / "app") in line for line in done.stdout.splitlines())  # one line, not folded
    assert done.stderr.startswith("inspect: FAILED")


def test_control_characters_in_file_names_are_escaped_never_sent_to_the_terminal(tmp_path):
    hostile = tmp_path / "app\x1b[2J\x1b]0;owned\x07\u202egnp.exe"
    hostile.write_bytes(b"not a binary")
    done = run_inspect(str(hostile))
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout and "\u202e" not in done.stdout
    assert "app\\x1b[2J\\x1b]0;owned\\x07\\u202egnp.exe" in done.stdout


def test_a_directory_that_cannot_be_listed_is_an_error_not_a_skip(tmp_path, monkeypatch):
    (tmp_path / "dist" / "secret").mkdir(parents=True)
    (tmp_path / "dist" / "app").write_bytes(synth.elf(synth.inline_blob()))
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path).endswith("secret"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # as root, chmod cannot make a directory unreadable
    report = inspect_paths([tmp_path / "dist"], Expectations())
    secret = [r for r in report.results if r.target.endswith("secret")]
    assert [(r.id, r.status, r.message) for r in secret] == [
        ("binary.read", "error", "cannot list directory: Permission denied")]
    assert exit_code(report) == 1


def test_a_file_that_cannot_be_opened_is_an_error_even_inside_a_directory(tmp_path, monkeypatch):
    (tmp_path / "dist").mkdir()
    locked = tmp_path / "dist" / "app"
    locked.write_bytes(synth.elf(synth.inline_blob()))
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if str(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    report = inspect_paths([tmp_path / "dist"], Expectations())
    assert [(r.status, r.message) for r in report.results] == [("error", "cannot open: Permission denied")]
    assert exit_code(report) == 1


def test_an_unreadable_named_directory_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "dist").mkdir()
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied", str(path))) if str(path).endswith("dist")
        else real_scandir(path))
    report = inspect_paths([tmp_path / "dist"], Expectations())
    assert [(r.target, r.status) for r in report.results] == [(str(tmp_path / "dist"), "error")]


def test_the_schema_lists_warn_for_inspect_too():
    from envbuilder.inspect.run import InspectReport

    assert "warn" in json_schema(InspectReport)["$defs"]["CheckResult"]["properties"]["status"]["enum"]


