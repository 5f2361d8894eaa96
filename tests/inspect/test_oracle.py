"""Oracle tests: real binaries from three Go releases across the release matrix (tests/inspect/oracle.py).
Every build-info field must equal what `go version -m` prints, and every header fact must equal what the
build asked for (and, for ELF, what `file` says)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from envbuilder.inspect.analyze import analyze
from envbuilder.inspect.buildinfo import format_modinfo
from envbuilder.inspect.expect import Expectations, parse_platforms
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.goreleaser import read_artifacts
from envbuilder.inspect.run import inspect_paths
from tests.inspect import synth
from tests.inspect.oracle import TARGETS, Build, go_version_m
from tests.inspect.test_malformed import assert_mutants_are_harmless

pytestmark = pytest.mark.integration

ELF_MACHINE = {"amd64": "EM_X86_64", "386": "EM_386", "arm": "EM_ARM", "arm64": "EM_AARCH64", "s390x": "EM_S390",
               "mips64le": "EM_MIPS"}
PE_MACHINE = {"amd64": "IMAGE_FILE_MACHINE_AMD64", "386": "IMAGE_FILE_MACHINE_I386", "arm64": "IMAGE_FILE_MACHINE_ARM64"}
BITS = {"amd64": 64, "arm64": 64, "s390x": 64, "mips64le": 64, "386": 32, "arm": 32}


@pytest.fixture(scope="module")
def builds(oracle_bin) -> dict[str, Build]:
    return {name: Build(**b) for name, b in json.loads((oracle_bin / "manifest.json").read_text()).items()}


@pytest.fixture(scope="module")
def facts(oracle_bin, builds) -> dict[str, BinaryFacts]:
    return {name: analyze(str(oracle_bin / name)) for name in builds}


@pytest.fixture(scope="module")
def reference(oracle_bin) -> dict[str, str]:
    return go_version_m(oracle_bin)


def test_the_matrix_covers_every_target_and_three_go_versions(builds):
    assert {(b.goos, b.goarch) for b in builds.values()} == {(o, a) for o, a, _ in TARGETS}
    assert len({b.go for b in builds.values()}) == 3
    assert {b.mode for b in builds.values()} == {"exe", "pie", "c-shared"}


def test_build_info_equals_go_version_m(facts, reference):
    for name, f in facts.items():
        assert f.error is None, (name, f.error)
        assert f.go is not None, name
        assert format_modinfo(f.go) == reference[name], name


def test_build_info_equals_what_the_build_asked_for(facts, builds):
    for name, b in builds.items():
        go = facts[name].go
        assert go.go_version == f"go{b.go}", name
        assert (go.goos, go.goarch, go.setting("GOARM")) == (b.goos, b.goarch, b.goarm), name
        assert go.cgo is b.cgo and go.trimpath is b.trimpath, name
        assert go.setting("-buildmode") == b.mode, name
        # Go records -ldflags only without -trimpath (it may hold local paths: go.dev/issue/52372).
        expected_ldflags = None if b.trimpath else ("-s -w " if b.strip else "") + "-X main.version=1.2.3"
        assert go.setting("-ldflags") == expected_ldflags, name
        assert go.path == ("example.test/oracle/cshared" if b.mode == "c-shared" else "example.test/oracle")
        assert go.main.path == "example.test/oracle"
        if b.go >= "1.24":  # Go 1.24 stamps the main module's version from VCS; before: (devel)
            assert go.main.version.startswith("v0.0.0-20240101000000-"), name
        else:
            assert go.main.version == "(devel)", name
        uses_dep = b.mode != "c-shared"  # the c-shared library does not import the dependency
        assert [(d.path, d.version, d.replace.path) for d in go.deps] == [("example.test/dep", "v0.0.0", "./dep")] * uses_dep
        assert go.setting("vcs") == "git" and go.setting("vcs.time") == "2024-01-01T00:00:00Z"
        assert len(go.setting("vcs.revision")) == 40 and go.setting("vcs.modified") == "false"


def test_header_facts_equal_what_the_build_asked_for(facts, builds):
    for name, b in builds.items():
        f = facts[name]
        assert (f.os, f.arch, f.bits) == (b.goos, b.goarch, BITS[b.goarch]), name
        assert f.endian == ("big" if b.goarch == "s390x" else "little"), name
        assert f.kind == ("shared" if b.mode == "c-shared" else "exe"), name
        assert f.stripped is b.strip, name
        if b.goos == "linux":
            assert (f.format, f.machine, f.os_abi) == ("elf", ELF_MACHINE[b.goarch], "ELFOSABI_SYSV"), name
            dynamic = b.cgo or b.mode == "pie"
            assert f.linkage == ("dynamic" if dynamic else "static"), name
            assert (f.interpreter is not None) == (dynamic and b.mode != "c-shared"), name
            assert ("libc.so.6" in f.needed) is b.cgo, name
            assert f.pie is (True if b.mode == "pie" else None if b.mode == "c-shared" else False), name
        elif b.goos == "windows":
            assert (f.format, f.machine, f.subsystem) == ("pe", PE_MACHINE[b.goarch], "windows-console"), name
            assert "kernel32.dll" in {n.lower() for n in f.needed}, name
            assert ("msvcrt.dll" in f.needed) is b.cgo, name
            assert f.pie is (b.mode == "c-shared" or b.goarch == "arm64"), name  # Go's ASLR defaults
        else:
            assert (f.format, f.interpreter, f.os_abi) == ("macho", "/usr/lib/dyld", "macos"), name
            assert "/usr/lib/libSystem.B.dylib" in f.needed and f.linkage == "dynamic", name
            assert re.fullmatch(r"1[01]\.\d+\.0", f.min_os), name  # macOS 10.13 (Go 1.21) .. 11 (Go 1.23+)
            assert f.pie is (b.goarch == "arm64"), name


def test_elf_facts_agree_with_file(oracle_bin, facts, builds):
    for name, b in builds.items():
        if b.goos != "linux":
            continue
        said = subprocess.run(["file", "-b", str(oracle_bin / name)], capture_output=True, text=True, check=True).stdout
        f = facts[name]
        assert said.startswith(f"ELF {f.bits}-bit {'MSB' if f.endian == 'big' else 'LSB'}"), (name, said)
        assert ("statically linked" in said) == (f.linkage == "static"), (name, said)
        assert ("not stripped" in said) != f.stripped, (name, said)
        assert ("pie executable" in said) == bool(f.pie), (name, said)
        if f.interpreter:
            assert f"interpreter {f.interpreter}" in said, (name, said)


def test_a_fat_macho_of_two_slices_equals_its_thin_parts(oracle_bin, facts, tmp_path):
    amd64, arm64 = "app_go1.24.11_darwin_amd64", "app_go1.24.11_darwin_arm64"
    fat = tmp_path / "app_darwin_all"
    fat.write_bytes(synth.fat([(0x01000007, (oracle_bin / amd64).read_bytes()),
                               (0x0100000C, (oracle_bin / arm64).read_bytes())]))
    f = analyze(str(fat))
    assert f.format == "macho-fat" and f.error is None
    for piece, thin in zip(f.slices, (amd64, arm64)):
        assert piece.model_dump(exclude={"path", "size"}) == facts[thin].model_dump(exclude={"path", "size"})
    report = inspect_paths([fat], Expectations(names=True, platforms=parse_platforms(["darwin/amd64,darwin/arm64"])))
    assert report.ok, [r for r in report.results if r.status != "pass"]


def test_the_whole_matrix_passes_its_expectations(oracle_bin, builds):
    newest = [b for b in builds.values() if b.go == "1.24.11"]
    report = inspect_paths([oracle_bin], Expectations(
        platforms=parse_platforms([",".join(sorted({b.platform for b in newest}))]), names=True), jobs=2)
    problems = [r for r in report.results if r.status in ("fail", "error")]
    assert problems == []
    assert {r.target for r in report.results if r.status == "skip"} >= {str(oracle_bin / "manifest.json")}


def test_goreleaser_artifacts_are_checked_against_real_binaries(oracle_bin, builds, tmp_path):
    dist = tmp_path / "dist"
    items = []
    for name, b in builds.items():
        if b.go != "1.24.11" or b.mode != "exe" or b.cgo or b.strip or b.trimpath:
            continue
        target = f"app_{b.goos}_{b.goarch}" + (f"_{b.goarm}" if b.goarm else "")
        (dist / target).mkdir(parents=True)
        shutil.copy(oracle_bin / name, dist / target / ("app.exe" if b.goos == "windows" else "app"))
        items.append({"name": "app", "path": f"dist/{target}/app" + (".exe" if b.goos == "windows" else ""),
                      "goos": b.goos, "goarch": b.goarch, "goarm": b.goarm, "type": "Binary"})
    # One lie: the linux/arm64 binary sits where goreleaser says linux/386 is.
    lie = next(i for i in items if i["goarch"] == "386" and i["goos"] == "linux")
    shutil.copy(dist / "app_linux_arm64" / "app", dist / "app_linux_386" / "app")
    (dist / "artifacts.json").write_text(json.dumps(items))
    report = inspect_paths([], Expectations(names=True), read_artifacts(dist / "artifacts.json"))
    bad = {(Path(r.target).parent.name, r.id, r.expected, r.actual) for r in report.results if r.status != "pass"}
    assert bad == {("app_linux_386", "binary.goreleaser", "linux/386", "linux/arm64/v8.0"),
                   ("app_linux_386", "binary.name", "linux/386", "linux/arm64/v8.0")}
    assert lie["path"].endswith("app_linux_386/app")


@pytest.mark.parametrize("name", ["app_go1.24.11_linux_arm64", "app_go1.24.11_windows_amd64.exe",
                                  "app_go1.24.11_darwin_arm64", "app_go1.21.13_windows_386.exe"])
def test_mutated_go_binaries_never_raise_and_never_hang(oracle_bin, tmp_path, name):
    assert_mutants_are_harmless((oracle_bin / name).read_bytes(), tmp_path / name, examples=25)
