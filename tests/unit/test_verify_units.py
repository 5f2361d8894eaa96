"""Verify's pure parts: check selection, expectations per target, tool binary names, the report schema."""

import json

import jsonschema
import pytest

from envbuilder.report import CheckResult, Report, json_schema, to_json
from envbuilder.spec.models import Spec
from envbuilder.verify.environment import tool_binary_name
from envbuilder.verify.expected import Expectations
from envbuilder.verify.suite import Selection

from .renderkit import offline_lock


@pytest.mark.parametrize(
    ("only", "skip", "check_id", "selected"),
    [
        ([], [], "binary.machine", True),
        (["binary"], [], "binary.machine", True),
        (["binary"], [], "build.probe", False),
        (["binary.machine"], [], "binary.machine", True),
        ([], ["binary"], "binary.machine", False),
        ([], ["bin"], "binary.machine", True),  # prefixes are whole id segments
        (["toolchain", "modules"], ["modules.goflags"], "modules.goflags", False),
    ],
)
def test_only_and_skip_select_by_id_or_id_prefix(only, skip, check_id, selected):
    assert Selection(only, skip)(check_id) is selected


def test_target_expectations_follow_the_design_table():
    spec = Spec.model_validate({"name": "x", "go": {"version": "1.22"}, "targets": [
        {"platform": "linux/arm64", "cgo": True}, "linux/s390x", "windows/386", "linux/arm/v6",
        {"platform": "linux/arm", "cgo": True}, {"platform": "linux/mips64le", "cgo": True}]})
    exp = {t.key: t for t in Expectations(spec, offline_lock(spec)).targets()}
    arm64 = exp["linux-arm64-cgo"]
    assert (arm64.format, arm64.bits, arm64.endian, arm64.interpreter) == ("elf", 64, "little",
                                                                          "/lib/ld-linux-aarch64.so.1")
    assert arm64.build_env()["CC"] == "aarch64-linux-gnu-gcc"
    assert exp["linux-s390x"].endian == "big" and exp["linux-s390x"].interpreter is None  # static: no loader
    assert exp["windows-386"].output.endswith(".exe") and exp["windows-386"].bits == 32
    assert exp["linux-arm-v6"].build_env()["GOARM"] == "6"
    assert exp["linux-arm-v7-cgo"].interpreter == "/lib/ld-linux-armhf.so.3"
    mips64le = exp["linux-mips64le-cgo"]
    assert (mips64le.format, mips64le.bits, mips64le.endian, mips64le.interpreter) == ("elf", 64, "little",
                                                                                      "/lib64/ld.so.1")
    assert mips64le.build_env()["CC"] == "mips64el-linux-gnuabi64-gcc"


@pytest.mark.parametrize(("package", "binary"), [
    ("golang.org/x/tools/gopls", "gopls"),
    ("github.com/go-delve/delve/cmd/dlv", "dlv"),
    ("github.com/google/go-jsonnet/cmd/jsonnet/v2", "jsonnet"),
])
def test_tool_binary_names_follow_go_install(package, binary):
    assert tool_binary_name(package) == binary


def test_json_output_matches_its_published_schema():
    report = Report(tool="verify", results=[
        CheckResult(id="toolchain.version", target="environment", status="pass", expected="go1.22.10",
                    actual="go1.22.10"),
        CheckResult(id="exec.run", target="darwin-arm64", status="skip", message="header-only"),
    ])
    jsonschema.validate(json.loads(to_json(report)), json_schema())
