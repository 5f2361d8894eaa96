"""The verify runner: a spec with emulated targets gets a ci image without emulators and a verify-runner
image beside it, and verify runs the foreign probes there (arm64 under qemu-user, windows under wine)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration

TARGETS = ("linux/amd64", "linux/arm64", "windows/amd64")  # pure Go: the runner needs no C library


def test_foreign_probes_run_in_the_verify_runner_and_the_ci_image_has_no_emulator(make_project, built_images,
                                                                                   docker_engine, docker_leak_check):
    project = make_project("runnertiny", targets=TARGETS, emulate=True)
    built = project.build("--target", "ci", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    (image, _), (runner, _) = (line.split() for line in built.stdout.splitlines())
    built_images.extend([image, runner])
    assert runner == "runnertiny:verify-runner"
    assert docker_engine.images.get(runner).labels["dev.envbuilder.stage"] == "verify-runner"

    result = project.run("verify", image, "--json", "--only", "build,binary,exec", timeout=1200)
    report = json.loads(result.stdout)
    problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert result.returncode == 0 and not problems, problems
    ran = {run["target"]: (run["environment"], run["how"]) for run in report["executions"]}
    assert ran == {"linux-amd64": ("under test", "natively"),
                   "linux-arm64": ("verify runner", "under qemu-aarch64-static"),
                   "windows-amd64": ("verify runner", "under wine64")}
    runs = {r["target"]: r for r in report["results"] if r["id"] == "exec.run"}
    assert runs["windows-amd64"]["actual"] == "envbuilder-probe windows/amd64 cgo=off"
    assert runs["linux-arm64"]["message"] == "ran under qemu-aarch64-static in verify-runner runnertiny:verify-runner"

    def emulators(tag: str) -> set[str]:
        out = docker_engine.containers.run(tag, ["sh", "-c", "ls /usr/bin /usr/lib | grep -E '^(qemu-|wine)' || true"],
                                           remove=True, entrypoint=[])
        return set(out.decode().split())

    assert emulators(image) == set()
    assert {"qemu-aarch64-static", "wine"} <= emulators(runner)  # wine64 lives in /usr/lib/wine
