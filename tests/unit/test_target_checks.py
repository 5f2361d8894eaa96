"""Verify's per-target checks on a scripted executor: cgo toolchains, probe builds, runs, and the probe
binaries (synthesized ELF/PE files read by the shared binary evaluator)."""

from __future__ import annotations

from pathlib import Path

from envbuilder.spec.models import Spec
from envbuilder.verify import targets
from envbuilder.verify.expected import Expectations, TargetExpectation
from envbuilder.verify.suite import Selection, run_suite
from tests.inspect import synth

from .fake_executor import FakeExecutor, fails, ok
from .renderkit import offline_lock

# The probe is built without -ldflags (whose quoting `go version -m` shows raw).
AMD64_INFO = (synth.MODINFO.replace("GOARCH=arm", "GOARCH=amd64").replace("build\tGOARM=7\n", "")
              .replace('build\t-ldflags="-s -w -X main.version=1.2.3"\n', ""))


def target_expectations(*targets_: object, emulate: bool = False) -> dict[str, TargetExpectation]:
    spec = Spec.model_validate({"name": "demo", "go": {"version": "1.22"}, "targets": list(targets_),
                                "verify": {"emulate": emulate}})
    return {t.key: t for t in Expectations(spec, offline_lock(spec)).targets()}


# ---- cgo ----------------------------------------------------------------------------------------------------


def test_cgo_checks_find_the_compilers_and_link_a_c_probe():
    t = target_expectations({"platform": "linux/arm64", "cgo": True})["linux-arm64-cgo"]
    present = FakeExecutor({r"command -v aarch64-linux-gnu-g": ok("/usr/bin/x\n"), r"-o .*c-probe": ok()})
    assert [(r.id, r.status) for r in targets.cgo_checks(present, t)] == [
        ("cgo.cc", "pass"), ("cgo.cxx", "pass"), ("cgo.link", "pass")]
    no_cxx = FakeExecutor({r"command -v aarch64-linux-gnu-gcc": ok("/usr/bin/x\n"), r"-o .*c-probe": ok()})
    assert {r.id: r.status for r in targets.cgo_checks(no_cxx, t)}["cgo.cxx"] == "fail"
    broken = FakeExecutor({r"command -v": ok("/usr/bin/x\n"), r"-o .*c-probe": fails("ld: cannot find -lc")})
    link = {r.id: r for r in targets.cgo_checks(broken, t)}["cgo.link"]
    assert (link.status, link.actual) == ("fail", "ld: cannot find -lc")
    missing = FakeExecutor({})
    assert [(r.id, r.status) for r in targets.cgo_checks(missing, t)] == [("cgo.cc", "fail"), ("cgo.cxx", "fail")]
    assert all(r.target == "linux-arm64-cgo" for r in targets.cgo_checks(present, t))


def test_pure_go_targets_have_no_cgo_checks_and_darwin_cgo_is_skipped_with_the_reason():
    exp = target_expectations("linux/amd64", {"platform": "darwin/arm64", "cgo": True, "sdk": "/opt/sdk"})
    assert list(targets.cgo_checks(FakeExecutor({}), exp["linux-amd64"])) == []
    darwin = list(targets.cgo_checks(FakeExecutor({}), exp["darwin-arm64-cgo"]))
    assert [(r.id, r.status) for r in darwin] == [("cgo.cc", "skip")] and "C toolchain" in darwin[0].message


# ---- build --------------------------------------------------------------------------------------------------


def test_the_probe_build_uses_the_target_env_and_reports_the_compiler_output():
    t = target_expectations({"platform": "linux/arm64", "cgo": True})["linux-arm64-cgo"]
    ex = FakeExecutor({r"go build": ok()})
    built = targets.build_all(ex, [t], jobs=2)
    assert targets.build_check(t, built[t.key]).status == "pass"
    assert "CC=aarch64-linux-gnu-gcc" in ex.commands[0] and "GOARCH=arm64" in ex.commands[0]
    failed = targets.build_check(t, targets.build_all(FakeExecutor({r"go build": fails("undefined: C.puts")}),
                                                      [t], jobs=1)[t.key])
    assert (failed.id, failed.status, failed.actual) == ("build.probe", "fail", "undefined: C.puts")


# ---- exec ---------------------------------------------------------------------------------------------------


def test_the_native_probe_must_print_its_platform():
    t = target_expectations("linux/amd64")["linux-amd64"]
    good = targets.exec_check(FakeExecutor({r"out/linux-amd64$": ok("envbuilder-probe linux/amd64 cgo=off\n")}),
                              t, "linux/amd64", emulate=False)
    assert (good.id, good.status) == ("exec.run", "pass")
    wrong = targets.exec_check(FakeExecutor({r"out/linux-amd64$": ok("envbuilder-probe linux/arm64 cgo=off\n")}),
                               t, "linux/amd64", emulate=False)
    assert (wrong.status, wrong.actual) == ("fail", "envbuilder-probe linux/arm64 cgo=off")
    crashed = targets.exec_check(FakeExecutor({r"out/linux-amd64$": fails("Segmentation fault", 139)}), t,
                                 "linux/amd64", emulate=False)
    assert (crashed.status, crashed.actual) == ("fail", "Segmentation fault")


def test_foreign_probes_run_under_qemu_only_when_asked_and_mach_o_never_runs():
    exp = target_expectations("linux/arm64", "darwin/arm64")
    runs = FakeExecutor({r"qemu-aarch64-static": ok("envbuilder-probe linux/arm64 cgo=off\n")})
    assert targets.exec_check(runs, exp["linux-arm64"], "linux/amd64", emulate=True).status == "pass"
    not_asked = targets.exec_check(runs, exp["linux-arm64"], "linux/amd64", emulate=False)
    assert not_asked.status == "skip" and "verify.emulate" in not_asked.message
    darwin = targets.exec_check(runs, exp["darwin-arm64"], "linux/amd64", emulate=True)
    assert darwin.status == "skip" and "Mach-O" in darwin.message


# ---- the probe binary ---------------------------------------------------------------------------------------


def _probe(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "probe"
    path.write_bytes(data)
    return path


ORACLE = ok("probe: go1.22.10\n\tpath\texample.test/app\n\tbuild\t-buildmode=exe\n\tbuild\t-compiler=gc\n"
            "\tbuild\t-trimpath=true\n\tbuild\tCGO_ENABLED=0\n"
            "\tbuild\tGOARCH=amd64\n\tbuild\tGOOS=linux\n\tbuild\tvcs=git\n"
            "\tbuild\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n"
            "\tbuild\tvcs.time=2024-01-01T00:00:00Z\n\tbuild\tvcs.modified=false\n")


def test_a_probe_that_is_what_the_target_asked_for_passes_every_binary_check(tmp_path):
    t = target_expectations("linux/amd64")["linux-amd64"]
    results = {r.id: r for r in targets.binary_checks(t, _probe(tmp_path, synth.elf(synth.inline_blob(
        modinfo=AMD64_INFO))), "1.22.10", ORACLE)}
    assert {i: r.status for i, r in results.items()} == {
        "binary.read": "pass", "binary.format": "pass", "binary.class": "pass", "binary.endian": "pass",
        "binary.machine": "pass", "binary.os": "pass", "binary.linkage": "pass", "binary.buildinfo": "pass",
        "binary.go-version-m": "pass"}
    assert {r.target for r in results.values()} == {"linux-amd64"}


def test_a_probe_for_the_wrong_machine_fails_its_header_and_build_info_checks(tmp_path):
    t = target_expectations("linux/arm64")["linux-arm64"]
    results = {r.id: r for r in targets.binary_checks(t, _probe(tmp_path, synth.elf(synth.inline_blob(
        modinfo=AMD64_INFO))), "1.22.10", ORACLE)}
    assert (results["binary.machine"].status, results["binary.machine"].expected) == ("fail", "arm64")
    assert results["binary.buildinfo"].status == "fail" and "GOARCH=amd64" in results["binary.buildinfo"].actual
    assert results["binary.format"].status == "pass"


def test_a_windows_probe_needs_the_console_subsystem(tmp_path):
    t = target_expectations("windows/amd64")["windows-amd64"]
    gui = synth.pe(synth.inline_blob(modinfo=AMD64_INFO.replace("GOOS=linux", "GOOS=windows")), subsystem=2)
    results = {r.id: r for r in targets.binary_checks(t, _probe(tmp_path, gui), "1.22.10", ORACLE)}
    assert results["binary.subsystem"].status == "fail" and "binary.linkage" not in results


def test_an_unreadable_probe_is_an_error_and_a_failing_go_version_m_is_an_error(tmp_path):
    t = target_expectations("linux/amd64")["linux-amd64"]
    garbage = list(targets.binary_checks(t, _probe(tmp_path, b"\x7fELF\x02\x01"), "1.22.10", ORACLE))
    assert [(r.id, r.status) for r in garbage] == [("binary.read", "error")]
    probe = _probe(tmp_path, synth.elf(synth.inline_blob(modinfo=AMD64_INFO)))
    oracle_broken = {r.id: r for r in targets.binary_checks(t, probe, "1.22.10", fails("go: not found", 127))}
    assert oracle_broken["binary.go-version-m"].status == "error"
    disagree = ok(ORACLE.stdout.replace("CGO_ENABLED=0", "CGO_ENABLED=1"))
    assert {r.id: r for r in targets.binary_checks(t, probe, "1.22.10", disagree)}["binary.go-version-m"].status \
        == "fail"


def test_the_suite_builds_copies_out_reads_and_runs_each_probe(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "linux-amd64").write_bytes(synth.elf(synth.inline_blob(modinfo=AMD64_INFO)))
    exp = Expectations(*_spec_and_lock("linux/amd64"))
    ex = FakeExecutor({r"^nproc$": ok("2\n"), r"go build": ok(), r"^go env GOHOSTOS": ok("linux\namd64\n"),
                       r"^go version -m": ORACLE, r"out/linux-amd64$": ok("envbuilder-probe linux/amd64 cgo=off\n"),
                       r"^mkdir": ok()}, out_dir=out)
    report = run_suite(ex, exp, stage="dev", selection=Selection(["build", "binary", "exec"], []))
    assert {(r.id, r.status) for r in report.results} >= {
        ("build.probe", "pass"), ("binary.machine", "pass"), ("binary.go-version-m", "pass"), ("exec.run", "pass")}
    assert report.ok and "probe/main.go" in ex.files


def _spec_and_lock(*targets_: str):
    spec = Spec.model_validate({"name": "demo", "go": {"version": "1.22"}, "targets": list(targets_)})
    return spec, offline_lock(spec)
