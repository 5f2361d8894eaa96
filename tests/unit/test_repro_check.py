"""Verify's repro.probe on a scripted executor: two builds per target, each in its own directory with its own
TMPDIR, one with the environment's GOCACHE and one with an empty one; equal sha256 passes, a difference fails naming where and why (the binaries it
copies out are synth.py's small ELF/PE files)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from envbuilder.inspect import compare
from envbuilder.verify import repro
from envbuilder.verify.expected import Expectations
from envbuilder.verify.suite import Selection, run_suite
from tests.inspect import synth

from .fake_executor import FakeExecutor, fails, ok
from .test_target_checks import _spec_and_lock, target_expectations

DIGEST = "ab" * 32


def digest_by_run(a: str, b: str):
    """An answer to a repro build: the sha256 the build of run a (or b) prints."""
    return lambda command: ok((a if re.search(r"-o \S+-a(\.exe)? \.", command) else b) + "\n")


def test_each_target_is_built_twice_in_other_directories_and_tmpdirs_with_a_warm_and_an_empty_cache():
    exp = target_expectations("linux/386", {"platform": "linux/arm64", "cgo": True})
    ex = FakeExecutor({r"go build": ok(DIGEST + "\n")})
    results = list(repro.repro_checks(ex, list(exp.values()), jobs=2))
    assert [(r.target, r.id, r.status, r.actual) for r in results] == [
        ("linux-386", "repro.probe", "pass", f"sha256 {DIGEST}"),
        ("linux-arm64-cgo", "repro.probe", "pass", f"sha256 {DIGEST}")]
    assert set(ex.files) == {"repro/go.mod", "repro/main.go", "repro/cgo.go", "repro/nocgo.go"}
    builds = [c for c in ex.commands if "go build" in c]
    assert len(builds) == 4
    for key in ("linux-386", "linux-arm64-cgo"):
        a, b = (next(c for c in builds if f"-o /tmp/fake-verify/repro-out/{key}-{run} ." in c) for run in "ab")
        for setting in (r"cd (\S+) &&", r"TMPDIR=(\S+)"):
            where_a, where_b = re.search(setting, a).group(1), re.search(setting, b).group(1)
            assert where_a != where_b, setting
        assert "GOCACHE=" not in a, "run a: the environment's cache, as the probe builds left it"
        cache = re.search(r"GOCACHE=(\S+)", b).group(1)
        assert re.search(rf"mkdir -p \S+/tmp {re.escape(cache)}", b), "run b: a cache that starts empty"
        assert "-trimpath" in a and "rm -rf /tmp/fake-verify/repro-" in a, "scratch removed after the build"
    arm64 = next(c for c in builds if "linux-arm64-cgo-a" in c)
    assert "CC=aarch64-linux-gnu-gcc" in arm64 and "CGO_ENABLED=1" in arm64 and "GOARCH=arm64" in arm64


def test_a_build_that_fails_is_an_error_with_the_compiler_output():
    t = target_expectations("linux/amd64")["linux-amd64"]
    ex = FakeExecutor({r"go build": fails("main.go:3: syntax error")})
    [result] = repro.repro_checks(ex, [t], jobs=1)
    assert (result.status, result.target) == ("error", "linux-amd64")
    assert result.message == "a repro build failed: main.go:3: syntax error"


def test_differing_pure_go_builds_fail_naming_the_elf_section_and_the_build_path(tmp_path):
    t = target_expectations("linux/amd64")["linux-amd64"]
    out = tmp_path / "repro-out"
    out.mkdir()
    for run in "ab":
        body = bytearray(synth.elf(synth.inline_blob() + f"\0/tmp/envbuilder-verify/repro-{run}/probe.c\0".encode(),
                                   section=".debug_str"))
        struct.pack_into("<H", body, 62, 2)  # e_shstrndx: the section name table, so the section is named
        (out / f"linux-amd64-{run}").write_bytes(bytes(body))
    ex = FakeExecutor({r"go build": digest_by_run("aa" * 32, "bb" * 32)}, out_dir=out)
    [result] = repro.repro_checks(ex, [t], jobs=2)
    assert (result.status, result.expected) == ("fail", "two builds bit-identical")
    assert result.actual == f"sha256 {'aa' * 32} vs {'bb' * 32}"
    assert result.message.startswith("the two builds differ: differs in ELF section .debug_str; cause: an absolute "
                                     "build path in DWARF: /tmp/envbuilder-verify/repro-a/probe.c vs "
                                     "/tmp/envbuilder-verify/repro-b/probe.c")


def test_a_cgo_pe_timestamp_is_a_warning_naming_the_cause(tmp_path):
    t = target_expectations({"platform": "windows/amd64", "cgo": True})["windows-amd64-cgo"]
    out = tmp_path / "repro-out"
    out.mkdir()
    for run, stamp in (("a", 0x6553F100), ("b", 0x6553F1FF)):
        body = bytearray(synth.pe(synth.inline_blob()))
        struct.pack_into("<I", body, struct.unpack_from("<I", body, 0x3C)[0] + 8, stamp)
        (out / f"windows-amd64-cgo-{run}.exe").write_bytes(bytes(body))
    ex = FakeExecutor({r"go build": digest_by_run("aa" * 32, "bb" * 32)}, out_dir=out)
    [result] = repro.repro_checks(ex, [t], jobs=2)
    assert result.status == "warn"
    assert result.message == (f"the two cgo builds differ: differs in PE header field TimeDateStamp; "
                              f"cause: {compare.TIMESTAMP}")


def test_the_suite_runs_repro_alone_without_the_probe_builds():
    exp = Expectations(*_spec_and_lock("linux/amd64"))
    ex = FakeExecutor({r"^nproc$": ok("2\n"), r"go build": ok(DIGEST + "\n"), r"^mkdir": ok()})
    report = run_suite(ex, exp, stage="dev", selection=Selection(["repro"], []))
    assert [(r.id, r.status) for r in report.results] == [("repro.probe", "pass")]
    assert not any(f"-o {ex.workdir}/out/" in c for c in ex.commands), "no build.probe build ran"
    skipped = FakeExecutor({r"^nproc$": ok("2\n"), r"go build": ok(DIGEST + "\n"), r"^mkdir": ok()})
    run_suite(skipped, exp, stage="dev", selection=Selection(["build"], ["repro"]))
    assert not any("repro-out" in c for c in skipped.commands)


def test_the_repro_probe_is_the_probe_package_with_a_runtime_only_main():
    files = repro.repro_files()
    assert files["repro/cgo.go"] == (Path(__file__).parents[2] / "templates/probe/cgo.go.txt").read_bytes()
    assert b"import" not in files["repro/main.go"]
