"""The curated images (images/) build and verify, and the CI pipeline `render --ci` writes runs in the
cross CI image.

Each spec is used as committed except for where things come from (fixtures/localize.py: the local Go
mirror, base image, module proxy and Python index), because CI reaches neither go.dev nor a registry.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from junitparser import JUnitXml
from ruamel.yaml import YAML

from envbuilder.identity import OWNED_LABEL
from fixtures.localize import localize_spec
from fixtures.pyindex import pip_conf
from tests.integration.conftest import Project

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "images"
GO = "1.26.1"  # what images/ pins


def _lock_and_render(project: Project) -> Project:
    for step in (("lock",), ("render",)):
        done = project.run(*step)
        assert done.returncode == 0, done.stderr
    return project


def _localized(name: str, root: Path, summary: dict[str, str]) -> Project:
    spec = localize_spec(IMAGES / name / "envbuilder.yaml", root / name, summary)
    return _lock_and_render(Project(spec.parent))


def _verify_report(project: Project, image: str) -> dict:
    done = project.run("verify", image, "--json", timeout=1800)
    report = json.loads(done.stdout)
    problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert done.returncode == 0 and not problems, problems
    return report


def _verify(project: Project, image: str) -> dict[tuple[str, str], dict]:
    return {(r["target"], r["id"]): r for r in _verify_report(project, image)["results"]}


@pytest.fixture(scope="module")
def summary(fixture_summary, fixture_urls) -> dict[str, str]:
    """The fixtures' summary (URLs included), once the file server answers (fixture_urls waits for it)."""
    return fixture_summary


@pytest.fixture(scope="module")
def cross_ci(tmp_path_factory, summary, docker_engine):
    """The cross image's ci stage, built once for this module (envbuilder from the local Python index)."""
    root = tmp_path_factory.mktemp("curated")
    project = _localized("cross", root, summary)
    conf = pip_conf(summary["PIP_INDEX_URL"], root / "pip.conf")
    built = project.build("--target", "ci", "--pip-conf", str(conf), timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    image, _, runner, _ = built.stdout.split()  # the ci image, then the verify runner built with it
    assert (image, runner) == (f"envbuilder-cross:ci-go{GO}", "envbuilder-cross:verify-runner")
    yield project, image
    for tag in (image, runner):
        docker_engine.images.remove(tag, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def test_ci_envbuilder_without_an_index_fails_the_build_with_one_clear_line(cross_ci, tmp_path):
    """envbuilder-go comes only from the index the build names, never from a default index pip falls back to."""
    source, _ = cross_ci
    # A release no build has installed yet, so BuildKit runs the step (a layer built earlier with an index
    # would be reused: the secret is not part of the cache key, and that layer is fine to reuse).
    project = Project(Path(shutil.copytree(source.root, tmp_path / "cross")))
    spec = project.root / "envbuilder.yaml"
    spec.write_text(re.sub(r"(?m)^  envbuilder: .*$", "  envbuilder: 0.0.1", spec.read_text()))
    _lock_and_render(project)
    built = project.build("--target", "ci", "--tag", "envbuilder-cross:no-index", timeout=1800)
    assert built.returncode == 1
    assert "ci.envbuilder needs the index that holds envbuilder: pass envbuilder build --pip-conf" in built.stderr
    assert built.stdout == ""  # nothing tagged


def test_slim_dev_image_builds_and_verifies_green(tmp_path, summary, docker_engine, built_images,
                                                   docker_leak_check):
    project = _localized("slim", tmp_path, summary)
    built = project.build("--target", "dev", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    image = built.stdout.split()[0]
    built_images.append(image)
    checks = _verify(project, image)
    assert checks[("environment", "toolchain.version")]["actual"] == f"go{GO}"
    assert checks[("environment", "toolchain.gotoolchain")]["actual"] == "local"
    assert {t for t, i in checks if i == "build.probe"} == {"linux-amd64", "linux-arm64", "windows-amd64",
                                                           "darwin-arm64"}
    # slim: no C cross toolchains, no emulators
    listed = docker_engine.containers.run(image, ["sh", "-c", "command -v aarch64-linux-gnu-gcc qemu-aarch64-static "
                                                  "wine64 || true"], remove=True, entrypoint=[])
    assert listed.strip() == b""


def test_full_cross_ci_image_verifies_every_target_with_emulated_linux_runs(cross_ci, docker_engine,
                                                                           docker_leak_check):
    project, image = cross_ci
    report = _verify_report(project, image)
    checks = {(r["target"], r["id"]): r for r in report["results"]}
    # reproducible: every target but zig's windows/arm64, whose link stamps the PE TimeDateStamp (a warning)
    repro = {t: r for (t, i), r in checks.items() if i == "repro.probe"}
    assert {t for t, r in repro.items() if r["status"] != "pass"} <= {"windows-arm64-cgo"}
    assert repro["windows-arm64-cgo"]["status"] == "pass" or "TimeDateStamp" in repro["windows-arm64-cgo"]["message"]
    # native runs in the ci image itself; qemu-user and wine runs in the verify runner
    ran = {run["target"]: run for run in report["executions"]}
    assert {t for t, run in ran.items() if run["environment"] == "under test"} == {"linux-amd64-cgo", "linux-386-cgo"}
    assert ran["linux-arm64-cgo"]["how"] == "under qemu-aarch64-static"
    assert ran["windows-amd64-cgo"]["how"] == "under wine64"
    assert {run["executor"] for run in ran.values() if run["environment"] == "verify runner"} == {
        "verify-runner envbuilder-cross:verify-runner"}
    emulators = docker_engine.containers.run(image, ["sh", "-c", "ls /usr/bin /usr/lib | grep -E '^(qemu-|wine)' || true"],
                                             remove=True, entrypoint=[])
    assert emulators.strip() == b""  # the ci image carries no emulator
    spec_targets = {t for t, i in checks if i == "build.probe"}
    assert len(spec_targets) == 14
    for key in spec_targets:
        assert checks[(key, "build.probe")]["status"] == "pass"
        assert checks[(key, "binary.buildinfo")]["status"] == "pass"
        if key.endswith("-cgo"):
            assert checks[(key, "cgo.link")]["status"] == "pass", key
        if key.startswith("linux-") or key == "windows-amd64-cgo":
            # really executed: natively, under qemu-user with the cross sysroot, or under wine
            assert checks[(key, "exec.run")]["status"] == "pass", key
    assert checks[("environment", "workspace.envbuilder")]["status"] == "pass"
    assert checks[("example.test/hellotool", "workspace.tool")]["actual"] == "example.test/hellotool v1.0.0"
    attrs = docker_engine.images.get(image).attrs
    assert attrs["Config"].get("User", "") == ""  # no interactive user in the ci stage
    leftovers = docker_engine.containers.run(
        image, ["sh", "-c", "find /var/lib/apt/lists /var/cache/apt /root/.cache -type f 2>/dev/null | wc -l"],
        remove=True)
    assert leftovers.strip() == b"0"  # apt lists and caches, pip's cache: cache mounts, not layers


def _steps(workflow: dict) -> list[tuple[str, dict[str, str], str]]:
    """The GitHub job's `run` steps as (name, env, script), with the matrix's Go filled in."""
    job = workflow["jobs"]["envbuilder"]
    (go,) = job["strategy"]["matrix"]["go"]
    job_env = {k: v.replace("${{ matrix.go }}", go) for k, v in job.get("env", {}).items()}
    return [(s["name"], {**job_env, **s.get("env", {})}, s["run"]) for s in job["steps"] if "run" in s]


def test_generated_pipeline_runs_in_the_cross_ci_image(cross_ci, docker_engine, docker_leak_check):
    """The GitHub workflow's own commands, run as its job would run them in the ci image, on the bundled
    example: verify --host first, every cross build, inspect, and the JUnit reports it publishes."""
    project, image = cross_ci
    for f in [*(REPO / "examples" / "hello").glob("*.go"), REPO / "examples" / "hello" / "go.mod"]:
        shutil.copy2(f, project.root / f.name)
    rendered = project.run("render", "--ci", "github", "--ci", "gitlab")
    assert rendered.returncode == 0, rendered.stderr
    workflow = YAML(typ="safe").load((project.root / ".github/workflows/envbuilder.yml").read_text())
    gitlab = YAML(typ="safe").load((project.root / ".gitlab-ci.yml").read_text())
    assert workflow["jobs"]["envbuilder"]["container"]["image"].endswith(":ci-go${{ matrix.go }}")

    steps = _steps(workflow)
    assert steps[1][2].startswith("envbuilder verify --host")  # after the safe.directory step, before builds
    assert "--skip repro" in steps[1][2]  # proven once for the image (the test above), not in every job
    # GitLab's job runs the same commands (env given inline there)
    commands = [s for _, _, s in steps if not s.startswith("git config")]
    assert [re.sub(r"^env (\S+=\S+ )+", "", line) for line in gitlab["envbuilder"]["script"]] == commands

    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        tar.add(project.root, arcname="workspace")
    container = docker_engine.containers.run(image, ["sleep", "infinity"], detach=True,
                                             labels={OWNED_LABEL: "test"})
    try:
        container.put_archive("/", stream.getvalue())
        for name, env, script in steps:
            code, out = container.exec_run(["bash", "-e", "-c", script], workdir="/workspace",
                                           environment={**env, "GITHUB_WORKSPACE": "/workspace", "CI": "true"})
            assert code == 0, f"step {name!r} failed: {out.decode(errors='replace')[-3000:]}"
        bits, _ = container.get_archive("/workspace/reports")
        reports = tarfile.open(fileobj=io.BytesIO(b"".join(bits)))
        names = {Path(m.name).name: m for m in reports.getmembers() if m.isfile()}
        assert set(names) == {f"verify-go{GO}.xml", f"inspect-go{GO}.xml"}
        for name, member in names.items():
            xml = JUnitXml.fromstring(reports.extractfile(member).read())
            suites = list(xml) if xml._tag == "testsuites" else [xml]
            assert sum(s.tests for s in suites) > 0, name
            assert sum(s.failures + s.errors for s in suites) == 0, name
        code, out = container.exec_run(["sh", "-c", "find dist -type f | wc -l"], workdir="/workspace")
        assert out.strip() == b"14"
    finally:
        container.remove(force=True)
