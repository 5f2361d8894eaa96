"""A target added by its profile alone (linux/mips64le, Debian's n64 cross gcc) builds into a real image and
verifies green: the C toolchain links, the probe's headers are right, and it runs under qemu-user."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration

TARGETS = ("linux/amd64", "{platform: linux/mips64le, cgo: true}")


def test_a_mips64le_cgo_target_builds_verifies_and_runs_under_qemu(make_project, built_images, docker_leak_check):
    project = make_project("mips64le", targets=TARGETS, emulate=True)
    built = project.build("--target", "dev", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    tag, _, runner, _ = built.stdout.split()  # the dev image, then the verify runner that runs qemu
    built_images.extend([tag, runner])

    result = project.run("verify", "--json", tag, timeout=1200)
    data = json.loads(result.stdout)
    problems = [r for r in data["results"] if r["status"] in ("fail", "error")]
    assert result.returncode == 0 and not problems, problems
    checks = {(r["target"], r["id"]): r for r in data["results"]}
    mips = "linux-mips64le-cgo"
    for check_id in ("cgo.cc", "cgo.cxx", "cgo.link", "build.probe", "binary.format", "binary.class",
                     "binary.endian", "binary.machine", "binary.linkage", "binary.interpreter", "binary.buildinfo",
                     "exec.run"):
        assert checks[(mips, check_id)]["status"] == "pass", check_id
    assert checks[(mips, "binary.interpreter")]["actual"] == "/lib64/ld.so.1"
    assert checks[(mips, "binary.machine")]["actual"].startswith("mips64le")
    assert checks[(mips, "exec.run")]["actual"] == "envbuilder-probe linux/mips64le cgo=on"
    assert checks[("linux-amd64", "exec.run")]["status"] == "pass"
