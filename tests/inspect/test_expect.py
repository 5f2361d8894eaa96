"""Expectations: platforms, Go version, static, trimpath, file names and goreleaser's artifacts.json."""

from __future__ import annotations

import json

import pytest

from envbuilder.errors import InputError
from envbuilder.inspect.expect import Expectations, check_binary, go_version_matches, matrix_results, parse_platforms
from envbuilder.inspect.facts import BinaryFacts, GoBuildInfo
from envbuilder.inspect.goreleaser import read_artifacts
from envbuilder.inspect.platform import Platform, platform_from_name


def go_binary(path="dist/app_linux_amd64_v1/app", goos="linux", goarch="amd64", level="v1", fmt="elf",
              os=None, arch=None, linkage="static", trimpath=True, version="go1.22.10") -> BinaryFacts:
    settings = [("GOOS", goos), ("GOARCH", goarch), ("CGO_ENABLED", "0")]
    if level:
        settings.append((f"GO{goarch.upper()}", level))
    if trimpath:
        settings.append(("-trimpath", "true"))
    return BinaryFacts(path=path, format=fmt, os=os or goos, arch=arch or goarch, bits=64, endian="little",
                       kind="exe", linkage=linkage, go=GoBuildInfo(go_version=version, settings=settings))


def by_id(results):
    return {r.id: r for r in results}


def test_platform_spellings():
    assert parse_platforms(["linux/amd64,windows/arm64", "linux/arm/v7"]) == [
        Platform("linux", "amd64"), Platform("windows", "arm64"), Platform("linux", "arm", "7")]
    assert Platform.parse("linux/arm/7") == Platform.parse("linux/arm/v7")
    assert str(Platform.parse("linux/amd64/v3")) == "linux/amd64/v3"


@pytest.mark.parametrize("bad", ["linux", "linux/amd64/v3/x", "plan10/amd64", "linux/z80", "/amd64"])
def test_bad_platforms_are_named(bad):
    with pytest.raises(ValueError, match="linux|plan10|z80|amd64"):
        Platform.parse(bad)


@pytest.mark.parametrize("name,platform", [
    ("app_linux_amd64", "linux/amd64"), ("app-windows-arm64.exe", "windows/arm64"),
    ("app_Linux_x86_64.tar.gz", "linux/amd64"), ("app_linux_arm_7", "linux/arm/v7"),
    ("app_1.2.3_linux_armv6", "linux/arm/v6"), ("app_darwin_arm64_v8.0", "darwin/arm64/v8.0"),
    ("app_darwin_all", "darwin/all"), ("app-macos-aarch64", "darwin/arm64"), ("app", None), ("linux", None),
])
def test_platform_from_file_name(name, platform):
    found = platform_from_name(name)
    assert (str(found) if found else None) == platform


def test_a_binary_matching_every_expectation_passes():
    exp = Expectations(platforms=parse_platforms(["linux/amd64,windows/arm64"]), go_version="1.22.10",
                       static=True, trimpath=True, names=True)
    results = check_binary(go_binary(), exp)
    assert {r.id: r.status for r in results} == {
        "binary.read": "pass", "binary.headers-vs-buildinfo": "pass", "binary.platform": "pass",
        "binary.go-version": "pass", "binary.linkage": "pass",
        "binary.trimpath": "pass", "binary.name": "pass"}


def test_mismatches_name_expected_and_actual():
    exp = Expectations(platforms=[Platform("linux", "arm64")], go_version="1.22.9", static=True, trimpath=True,
                       names=True)
    facts = go_binary(path="dist/app_linux_arm64/app", linkage="dynamic", trimpath=False)
    r = by_id(check_binary(facts, exp))
    assert (r["binary.platform"].status, r["binary.platform"].expected, r["binary.platform"].actual) == ("fail", "linux/arm64", "linux/amd64/v1")
    assert (r["binary.go-version"].expected, r["binary.go-version"].actual) == ("go1.22.9", "go1.22.10")
    assert (r["binary.linkage"].status, r["binary.trimpath"].status, r["binary.name"].status) == ("fail", "fail", "fail")
    assert "expected linux/arm64, actual linux/amd64/v1" in r["binary.platform"].describe()


def test_headers_contradicting_build_info_fail_always():
    r = by_id(check_binary(go_binary(arch="arm64"), Expectations()))
    assert r["binary.headers-vs-buildinfo"].status == "fail"
    assert (r["binary.headers-vs-buildinfo"].expected, r["binary.headers-vs-buildinfo"].actual) == ("linux/amd64", "linux/arm64")


def test_go_version_accepts_a_minor_or_an_exact_patch():
    assert go_version_matches("1.22", "go1.22.10") and go_version_matches("1.22.10", "go1.22.10")
    assert not go_version_matches("1.22.1", "go1.22.10") and not go_version_matches("1.2", "go1.22.10")
    assert go_version_matches("1.24.0", "go1.24.0 X:boringcrypto")


def test_non_go_binaries_are_facts_not_errors_until_go_is_expected():
    facts = BinaryFacts(path="/usr/bin/true", format="elf", os="linux", arch="amd64", kind="exe", linkage="dynamic")
    assert [r.status for r in check_binary(facts, Expectations())] == ["pass"]
    r = by_id(check_binary(facts, Expectations(go_version="1.22", trimpath=True)))
    assert r["binary.go-version"].actual == "not a Go binary" and r["binary.trimpath"].actual == "not a Go binary"


def test_static_is_not_applicable_to_windows():
    r = by_id(check_binary(go_binary(path="app.exe", goos="windows", fmt="pe", linkage="dynamic"),
                           Expectations(static=True)))
    assert r["binary.linkage"].status == "skip"


def test_windows_names_need_exe_and_others_must_not_have_it():
    exp = Expectations(names=True)
    assert by_id(check_binary(go_binary(path="app_windows_amd64", goos="windows", fmt="pe"), exp))["binary.name"].message == ".exe suffix missing"
    assert "non-Windows" in by_id(check_binary(go_binary(path="app_linux_amd64.exe"), exp))["binary.name"].message


def test_walked_non_binaries_are_skipped_but_named_ones_are_errors():
    facts = BinaryFacts(path="dist/checksums.txt", error="not an executable or library (unrecognized format)")
    assert check_binary(facts, Expectations(), walked=True)[0].status == "skip"
    assert check_binary(facts, Expectations(), walked=False)[0].status == "error"


def test_every_expected_platform_must_be_present():
    results = matrix_results(Expectations(platforms=parse_platforms(["linux/amd64,linux/arm/v7"])), [go_binary()], [])
    assert [(r.id, r.status) for r in results] == [("binary.present", "pass"), ("binary.present", "fail")]


def artifacts(tmp_path, items) -> "Path":
    dist = tmp_path / "dist"
    dist.mkdir(exist_ok=True)
    path = dist / "artifacts.json"
    path.write_text(json.dumps(items))
    return path


def test_goreleaser_binaries_become_claims_relative_to_the_project(tmp_path):
    path = artifacts(tmp_path, [
        {"name": "app", "path": "dist/app_linux_arm_7/app", "goos": "linux", "goarch": "arm", "goarm": "7", "type": "Binary"},
        {"name": "app.tar.gz", "path": "dist/app.tar.gz", "type": "Archive"},
        {"name": "app", "path": "dist/app_darwin_all/app", "goos": "darwin", "goarch": "all", "type": "Universal Binary"},
    ])
    claims = read_artifacts(path)
    assert [str(c.platform) for c in claims] == ["linux/arm/v7", "darwin/all"]
    assert claims[0].path == tmp_path / "dist/app_linux_arm_7/app"
    missing = matrix_results(Expectations(), [], claims)
    assert [(r.id, r.status, r.actual) for r in missing] == [("binary.goreleaser", "fail", "missing")] * 2


def test_goreleaser_claim_checks_the_variant():
    from envbuilder.inspect.goreleaser import Claim

    claim = Claim(path=None, name="app", platform=Platform("linux", "arm", "6"))
    r = by_id(check_binary(go_binary(goarch="arm", level="7"), Expectations(), claim))
    assert (r["binary.goreleaser"].status, r["binary.goreleaser"].expected, r["binary.goreleaser"].actual) == ("fail", "linux/arm/v6", "linux/arm/v7")


@pytest.mark.parametrize("content,message", [
    ("{not json", r"artifacts.json:1: not JSON"),
    ('{"a": 1}', "expected a JSON list"),
    ('[{"name": "x", "type": "Binary"}]', r"\[0\]\.path: field required"),
    ('[{"name": "x", "path": "p", "type": "Binary", "goos": "linux"}]', r"\[0\] \(x\): a Binary needs goos and goarch"),
])
def test_malformed_artifacts_json_is_bad_input_naming_the_field(tmp_path, content, message):
    path = tmp_path / "artifacts.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_artifacts(path)
