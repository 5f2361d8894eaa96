"""envbuilder.report, the shared check report: JSON with its schema, JUnit XML, table, exit codes."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from rich.console import Console

from envbuilder.report import CheckResult, Report, exit_code, json_schema, render_table, to_json, write_junit

STARTED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def sample() -> Report:
    return Report(tool="verify", started=STARTED, results=[
        CheckResult(id="toolchain", target="linux/amd64", status="pass", expected="go1.22.10", actual="go1.22.10", duration=0.5),
        CheckResult(id="cgo", target="linux/amd64", status="fail", expected="static", actual="dynamic", message="linkage", duration=0.25),
        CheckResult(id="emulate", target="linux/arm64", status="skip", message="no qemu"),
        CheckResult(id="run", target="linux/arm64", status="error", message="exec format error"),
    ])


def test_exit_code_is_1_for_any_failure_or_error_and_0_otherwise():
    assert exit_code(sample()) == 1
    ok = Report(tool="t", results=[CheckResult(id="a", target="x", status="pass"), CheckResult(id="b", target="x", status="skip")])
    assert exit_code(ok) == 0 and exit_code(Report(tool="t")) == 0


def test_json_round_trips_and_matches_its_schema():
    data = json.loads(to_json(sample()))
    assert Report.model_validate(data) == sample()
    schema = json_schema()
    assert set(schema["required"]) >= {"tool"} and "results" in schema["properties"]
    assert schema["$defs"]["CheckResult"]["properties"]["status"]["enum"] == ["pass", "fail", "error", "skip", "warn"]


def test_junit_has_one_fully_attributed_suite_per_target(tmp_path):
    path = tmp_path / "out" / "report.xml"
    write_junit(sample(), path)
    suites = ET.parse(path).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["linux/amd64", "linux/arm64"]
    for suite in suites:
        for attr in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp"):
            assert suite.get(attr) is not None, attr
    amd64, arm64 = suites
    assert (amd64.get("tests"), amd64.get("failures"), amd64.get("errors"), amd64.get("time")) == ("2", "1", "0", "0.75")
    assert (arm64.get("skipped"), arm64.get("errors")) == ("1", "1")
    assert amd64.get("timestamp") == "2024-05-01T12:00:00"
    failure = amd64.find("testcase[@name='cgo']/failure")
    assert failure.get("message") == "linkage; expected static, actual dynamic"


def test_table_groups_by_target_and_ends_with_a_summary():
    out = io.StringIO()
    render_table(sample(), Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert text.index("linux/amd64") < text.index("linux/arm64")
    assert text.rstrip().endswith("verify: FAILED: 2 targets, 4 checks: 1 passed, 1 failed, 1 errors, 1 skipped")


def test_table_can_show_only_problems():
    out = io.StringIO()
    render_table(sample(), Console(file=out, width=200, color_system=None), only_problems=True)
    assert "toolchain" not in out.getvalue() and "cgo" in out.getvalue()
