"""`envbuilder verify`: the suite proves a real image right, and catches each kind of drift by its check id."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import Project, new_project

pytestmark = pytest.mark.integration

# The matrix: cgo where a Debian cross toolchain exists, darwin without cgo, emulated arm64 and windows.
MATRIX = ("{platform: linux/amd64, cgo: true}", "{platform: linux/arm64, cgo: true}", "linux/386",
          "{platform: windows/amd64, cgo: true}", "darwin/arm64", "darwin/amd64")
TARGET_KEYS = ["linux-amd64-cgo", "linux-arm64-cgo", "linux-386", "windows-amd64-cgo", "darwin-arm64",
               "darwin-amd64"]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, docker_engine, base_image, go_mirror_url, go_index_url, goproxy_url):
    """One dev image for the whole module: the matrix spec, built once, removed at the end."""
    project = new_project(tmp_path_factory.mktemp("verify"), name="verifymatrix", base_image=base_image,
                          mirror=go_mirror_url, index=go_index_url, goproxy=goproxy_url, targets=MATRIX,
                          emulate=True)
    built = project.build("--target", "dev", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    tag, _, runner, _ = built.stdout.split()  # the dev image, then the verify runner its emulated runs need
    yield project, tag
    for image in (tag, runner):
        docker_engine.images.remove(image, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def verify(project: Project, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    report = project.root / f"report-{len(list(project.root.glob('report-*.json')))}.json"
    result = project.run("verify", "--json", *args, timeout=1200)
    report.write_text(result.stdout)
    try:
        return result, json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"verify printed no JSON (rc={result.returncode}): {result.stderr[-2000:]}")


def statuses(data: dict) -> dict[tuple[str, str], str]:
    return {(r["target"], r["id"]): r["status"] for r in data["results"]}


def test_the_matrix_image_verifies_green_with_emulated_runs(matrix, docker_leak_check):
    from junitparser import JUnitXml

    project, tag = matrix
    junit = project.root / "verify.xml"
    result, data = verify(project, tag, "--junit", str(junit))
    problems = [r for r in data["results"] if r["status"] in ("fail", "error")]
    assert result.returncode == 0 and not problems, problems
    s = statuses(data)
    for key in TARGET_KEYS:
        assert s[(key, "build.probe")] == "pass"
        assert s[(key, "binary.buildinfo")] == "pass"
        assert s[(key, "binary.go-version-m")] == "pass"
        # built twice from other directories, TMPDIRs and empty caches: bit-identical, cgo targets included
        assert s[(key, "repro.probe")] == "pass"
    # native, qemu-user and wine runs really happened; Mach-O is header-only
    assert s[("linux-amd64-cgo", "exec.run")] == "pass"
    assert s[("linux-arm64-cgo", "exec.run")] == "pass"
    assert s[("linux-386", "exec.run")] == "pass"
    assert s[("windows-amd64-cgo", "exec.run")] == "pass"
    assert s[("darwin-arm64", "exec.run")] == "skip"
    assert s[("linux-arm64-cgo", "binary.interpreter")] == "pass"
    assert s[("windows-amd64-cgo", "binary.subsystem")] == "pass"
    assert s[("environment", "image.lock")] == "pass"
    assert s[("example.test/hellotool", "workspace.tool")] == "pass"
    # JUnit: one fully attributed testsuite per target
    xml = JUnitXml.fromfile(str(junit))
    suites = {suite.name: suite for suite in xml}
    assert set(TARGET_KEYS) | {"environment"} <= set(suites)
    for suite in suites.values():
        for attr in ("name", "tests", "failures", "errors", "skipped", "time", "timestamp"):
            assert suite._elem.get(attr) is not None, (suite.name, attr)
    assert sum(suite.tests for suite in suites.values()) == len(data["results"])


NEGATIVE = {
    "second-go-on-path": (
        "USER root\nRUN printf '#!/bin/sh\\nexec /usr/local/go/bin/go \"$@\"\\n' > /usr/local/bin/go "
        "&& chmod 755 /usr/local/bin/go\nENV PATH=/usr/local/bin:$PATH\nUSER gopher",
        "toolchain", ("environment", "toolchain.single-go")),
    "goroot-elsewhere": (
        "USER root\nRUN cp -a /usr/local/go /opt/go-old\nENV GOROOT=/opt/go-old\nUSER gopher",
        "toolchain", ("environment", "toolchain.goroot")),
    "goproxy-and-gosumdb-drift": (
        "ENV GOPROXY=https://goproxy.io,direct GOSUMDB=off",
        "modules", ("environment", "modules.goproxy"), ("environment", "modules.gosumdb")),
    "gotoolchain-auto": (
        "ENV GOTOOLCHAIN=auto", "toolchain", ("environment", "toolchain.gotoolchain")),
    "mingw-missing": (
        "USER root\nRUN rm -f /usr/bin/x86_64-w64-mingw32-gcc-posix /usr/bin/x86_64-w64-mingw32-g++-posix\nUSER gopher",
        "cgo", ("windows-amd64-cgo", "cgo.cc")),
    "tool-at-wrong-version": (
        "RUN GOFLAGS= go install example.test/hellotool@v1.0.0",
        "workspace.tool", ("example.test/hellotool", "workspace.tool")),
    "caches-not-writable": (
        "USER root\nRUN chown -R root:root /go/cache && chmod -R 755 /go/cache\nUSER gopher",
        "workspace", ("environment", "workspace.writable.gocache")),
    "netrc-left-in-image": (
        "RUN printf 'machine git.corp.example login ci password hunter2\\n' > /home/gopher/.netrc",
        "hygiene", ("environment", "hygiene.netrc")),
}


@pytest.mark.parametrize("name", sorted(NEGATIVE))
def test_each_kind_of_drift_is_caught_by_its_check(name, matrix, docker_engine, tmp_path, docker_leak_check):
    project, tag = matrix
    instructions, only, *expected_failures = NEGATIVE[name]
    (tmp_path / "Dockerfile").write_text(f"FROM {tag}\n{instructions}\n")
    bad = f"envbuilder-test-negative:{name}"
    built = subprocess.run(["/usr/bin/docker", "build", "-q", "--network", "host", "-t", bad, str(tmp_path)],
                           capture_output=True, text=True, env={**os.environ, "DOCKER_BUILDKIT": "1"})
    assert built.returncode == 0, built.stderr[-2000:]
    try:
        result, data = verify(project, bad, "--only", only)
    finally:
        docker_engine.images.remove(bad, force=True)
    assert result.returncode == 1
    s = statuses(data)
    for key in expected_failures:
        assert s.get(tuple(key)) == "fail", (key, s)
    failed = sorted(k for k, v in s.items() if v != "pass" and v != "skip")
    assert set(failed) <= {tuple(k) for k in expected_failures} | _allowed_collateral(name), failed


def _allowed_collateral(name: str) -> set[tuple[str, str]]:
    """A fault may show in a second, honest place too: a wrapper `go` is also not GOROOT's own go."""
    return {
        "second-go-on-path": {("environment", "toolchain.goroot")},
        "mingw-missing": {("windows-amd64-cgo", "cgo.cxx")},
    }.get(name, set())


def test_verify_on_the_host_uses_the_same_suite(tmp_path, go_index_url, go_mirror_url, goproxy_url, base_image):
    """--host runs the same checks on this machine: with the pinned Go first on PATH and the module settings
    of the spec, the toolchain and module checks pass; with another Go they fail."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from fixtures.gotoolchains import goroot

    project = new_project(tmp_path, name="hostcheck", base_image=base_image, mirror=go_mirror_url,
                          index=go_index_url, goproxy=goproxy_url, targets=("linux/amd64",))
    spec = json.loads((project.root / "envbuilder.lock").read_text())
    env = {"PATH": f"{goroot(spec['go']['version'])}/bin:/usr/bin:/bin", "GOTOOLCHAIN": "local",
           "GOPROXY": goproxy_url, "GOSUMDB": "sum.golang.org", "GONOSUMDB": "example.test", "GOPRIVATE": "",
           "GONOPROXY": "", "GOFLAGS": "-mod=readonly", "HOME": str(tmp_path), "GOPATH": str(tmp_path / "gopath")}
    env["PATH"] = f"{env['GOPATH']}/bin:{env['PATH']}"
    result = project.run("verify", "--host", "--json", "--skip", "workspace.tool", env=env)
    data = json.loads(result.stdout)
    problems = [r for r in data["results"] if r["status"] in ("fail", "error")]
    assert result.returncode == 0 and not problems, problems
    other = {**env, "PATH": env["PATH"].replace(spec["go"]["version"], "1.24.11")}
    goroot("1.24.11")
    result = project.run("verify", "--host", "--json", "--only", "toolchain", env=other)
    assert result.returncode == 1
    assert statuses(json.loads(result.stdout))[("environment", "toolchain.version")] == "fail"
