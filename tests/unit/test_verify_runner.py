"""The verify runner: with verify.emulate (and not verify.in_image) foreign probes run in a container of the
verify-runner image, native ones in the environment under test, and the report says where each one ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.report import json_schema
from envbuilder.spec.models import Spec
from envbuilder.verify import runner as runner_module
from envbuilder.verify import suite
from envbuilder.verify.expected import Expectations
from envbuilder.verify.runner import VerifyRunner
from envbuilder.verify.suite import Selection, VerifyReport, run_suite

from .fake_executor import FakeExecutor, ok
from .renderkit import offline_lock

TARGETS = ["linux/amd64", "linux/arm64", "windows/amd64"]


def _expectations(verify: dict) -> Expectations:
    spec = Spec.model_validate({"name": "demo", "go": {"version": "1.22"}, "targets": TARGETS, "verify": verify})
    return Expectations(spec, offline_lock(spec))


def _image_under_test(tmp_path: Path, **answers) -> FakeExecutor:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("linux-amd64", "linux-arm64", "windows-amd64.exe"):
        (out / name).write_bytes(f"binary {name}".encode())
    return FakeExecutor({r"^nproc$": ok("2\n"), r"go build": ok(), r"^go env GOHOSTOS": ok("linux\namd64\n"),
                         r"^mkdir": ok(), r"out/linux-amd64$": ok("envbuilder-probe linux/amd64 cgo=off\n"),
                         **answers}, out_dir=out)


def _runner_container() -> FakeExecutor:
    runner = FakeExecutor({r"^chmod": ok(), r"qemu-aarch64-static": ok("envbuilder-probe linux/arm64 cgo=off\n"),
                           r"wine64": ok("envbuilder-probe windows/amd64 cgo=off\n")}, kind="image")
    runner.name = "verify-runner demo:verify-runner"
    return runner


def _with_runner(monkeypatch, container: FakeExecutor | None, missing=None) -> list[str]:
    """The suite's runner starts CONTAINER (or is MISSING); returns the images the suite asked for."""
    asked: list[str] = []

    class Runner(VerifyRunner):
        def _start(self):
            asked.append(self.image)
            return container, missing

    monkeypatch.setattr(suite, "VerifyRunner", Runner)
    return asked


def test_foreign_probes_run_in_the_verify_runner_and_the_native_one_in_the_image(tmp_path, monkeypatch):
    image = _image_under_test(tmp_path)
    container = _runner_container()
    asked = _with_runner(monkeypatch, container)
    report = run_suite(image, _expectations({"emulate": True}), stage="dev", selection=Selection(["exec"], []))
    assert asked == ["demo:verify-runner"]  # the spec's runner tag, started once
    assert {r.target: r.status for r in report.results if r.id == "exec.run"} == {
        "linux-amd64": "pass", "linux-arm64": "pass", "windows-amd64": "pass"}
    assert [(run.target, run.environment, run.executor, run.how) for run in report.executions] == [
        ("linux-amd64", "under test", "fake image", "natively"),
        ("linux-arm64", "verify runner", "verify-runner demo:verify-runner", "under qemu-aarch64-static"),
        ("windows-amd64", "verify runner", "verify-runner demo:verify-runner", "under wine64")]
    messages = {r.target: r.message for r in report.results if r.id == "exec.run"}
    assert messages["linux-arm64"] == "ran under qemu-aarch64-static in verify-runner demo:verify-runner"
    # the binaries were copied from the image under test into the runner, with the wine shim's source
    assert container.files["out/linux-arm64"] == b"binary linux-arm64"
    assert {"out/windows-amd64.exe", "wine/processprng.c"} <= set(container.files)
    assert not any("qemu" in c or "wine" in c for c in image.commands)
    assert any(c.startswith("chmod 0755 ") and c.endswith("/out/linux-arm64") for c in container.commands)


def test_a_verify_of_native_targets_only_starts_no_runner(tmp_path, monkeypatch):
    asked = _with_runner(monkeypatch, _runner_container())
    report = run_suite(_image_under_test(tmp_path), _expectations({"emulate": True}), stage="dev",
                       selection=Selection(["build", "exec"], ["exec"]))
    assert asked == [] and report.executions == []


def test_with_verify_in_image_the_emulators_of_the_image_under_test_run_the_foreign_probes(tmp_path, monkeypatch):
    asked = _with_runner(monkeypatch, _runner_container())
    image = _image_under_test(tmp_path, **{r"qemu-aarch64-static": ok("envbuilder-probe linux/arm64 cgo=off\n"),
                                           r"wine64": ok("envbuilder-probe windows/amd64 cgo=off\n")})
    report = run_suite(image, _expectations({"emulate": True, "in_image": True}), stage="dev",
                       selection=Selection(["exec"], []))
    assert asked == []
    assert {run.environment for run in report.executions} == {"under test"}
    assert report.ok


@pytest.mark.parametrize(("problem", "status", "message"), [
    (EnvironmentProblem("no Docker engine at unix:///var/run/docker.sock: refused"), "skip",
     "runs in the verify-runner image demo:verify-runner, but no Docker engine at unix:///var/run/docker.sock: refused"),
    (InputError("image demo:verify-runner: not found"), "error",
     "the verify-runner image demo:verify-runner is not in the engine: build it with "
     "`envbuilder build --target verify-runner`"),
])
def test_without_a_runner_foreign_runs_are_skipped_off_an_engine_and_an_error_when_the_image_is_missing(
        tmp_path, monkeypatch, problem, status, message):
    import envbuilder.engine.client

    if isinstance(problem, EnvironmentProblem):
        monkeypatch.setattr(envbuilder.engine.client, "engine", lambda: (_ for _ in ()).throw(problem))
    else:
        monkeypatch.setattr(envbuilder.engine.client, "engine", lambda: object())
        monkeypatch.setattr(runner_module.ContainerExecutor, "for_image",
                            classmethod(lambda cls, client, image: (_ for _ in ()).throw(problem)))
    report = run_suite(_image_under_test(tmp_path), _expectations({"emulate": True}), stage="dev",
                       selection=Selection(["exec"], []))
    runs = {r.target: r for r in report.results if r.id == "exec.run"}
    assert runs["linux-amd64"].status == "pass"
    for key in ("linux-arm64", "windows-amd64"):
        assert (runs[key].status, runs[key].message) == (status, message)
    assert [run.target for run in report.executions] == ["linux-amd64"]  # only what really ran


def test_verify_json_schema_describes_where_binaries_ran():
    schema = json_schema(VerifyReport)
    assert "executions" in schema["properties"]
    run = schema["$defs"]["BinaryRun"]
    assert set(run["required"]) == {"target", "binary", "environment", "executor", "how"}
    assert run["properties"]["environment"]["enum"] == ["under test", "verify runner"]


def test_verify_in_image_without_emulate_is_refused_naming_the_field(tmp_path):
    from envbuilder.spec.load import load_spec

    path = tmp_path / "envbuilder.yaml"
    path.write_text('name: x\ngo: {version: "1.22"}\nverify: {in_image: true}\n')
    with pytest.raises(InputError, match=r"verify\.in_image: .*needs emulate: true"):
        load_spec(path)


@pytest.mark.parametrize("strategy, environment", [("zig", "verify runner"), ("gnu", "under test")])
def test_a_386_cgo_probe_runs_through_the_sysroot_loader_where_the_sysroot_is(tmp_path, monkeypatch, strategy,
                                                                              environment):
    """IA-32 runs on the x86-64 kernel; its loader is in the Debian cross sysroot: in the image under test with
    gcc, only in the verify runner with zig."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "linux-386-cgo").write_bytes(b"binary")
    image = FakeExecutor({r"^nproc$": ok("2\n"), r"go build": ok(), r"^go env GOHOSTOS": ok("linux\namd64\n"),
                          r"^mkdir": ok(), r"ld-linux.so.2": ok("envbuilder-probe linux/386 cgo=on\n")}, out_dir=out)
    container = FakeExecutor({r"^chmod": ok(), r"ld-linux.so.2": ok("envbuilder-probe linux/386 cgo=on\n")},
                             kind="image")
    container.name = "verify-runner demo:verify-runner"
    _with_runner(monkeypatch, container)
    spec = Spec.model_validate({"name": "demo", "go": {"version": "1.22"}, "verify": {"emulate": True},
                                "targets": [{"platform": "linux/386", "cgo": True, "strategy": strategy}]})
    report = run_suite(image, Expectations(spec, offline_lock(spec)), stage="dev", selection=Selection(["exec"], []))
    assert [(run.environment, run.how) for run in report.executions] == [
        (environment, "through the cross sysroot's loader")]
    assert {r.status for r in report.results if r.id == "exec.run"} == {"pass"}
