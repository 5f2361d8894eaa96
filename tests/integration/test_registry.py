"""`envbuilder build --push` to a real registry, images pinned by digest, and each way a push or pull fails."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request

import pytest

from fixtures.engine import docker_cli
from tests.integration.conftest import Project

pytestmark = pytest.mark.integration

DIGEST = r"sha256:[0-9a-f]{64}"


def test_push_prints_the_reference_pinned_by_the_digest_the_registry_serves(pushed, registry):
    project, pinned, result = pushed
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.fullmatch(rf"{registry.host}/envbuilder-tests/pushed:ci-go1\.22\.10@{DIGEST}", pinned), result.stdout
    request = urllib.request.Request(f"{registry.url}/v2/envbuilder-tests/pushed/manifests/ci-go1.22.10",
                                     headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
                                     method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["Docker-Content-Digest"] == pinned.split("@")[1]


def one_line_error(result) -> str:
    """The command's whole stderr after the build log: exactly one `envbuilder: ...` line."""
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("envbuilder: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return errors[0]


def test_a_registry_that_does_not_answer_is_an_environment_problem(pushed, docker_engine):
    from fixtures.registry import free_port

    project = pushed[0]
    down = f"127.0.0.1:{free_port()}/envbuilder-tests/pushed:down"
    try:
        result = project.build("--target", "ci", "--push", "--tag", down)
        assert result.returncode == 3 and result.stdout == ""
        assert f"registry {down.split('/')[0]} does not answer (push {down})" in one_line_error(result)
    finally:  # the build tagged the image locally before the push failed
        if docker_engine.images.list(name=down):
            docker_engine.images.remove(down, force=True)


def test_a_read_only_registry_refuses_the_push_and_nothing_is_reported_pushed(pushed, docker_engine):
    from fixtures import registry as registries

    project = pushed[0]
    readonly = registries.start(readonly=True)
    ref = f"{readonly.host}/envbuilder-tests/pushed:refused"
    try:
        result = project.build("--target", "ci", "--push", "--tag", ref)
        assert result.returncode == 3 and result.stdout == ""
        assert f"registry {readonly.host} refused the push of {ref}" in one_line_error(result)
    finally:
        readonly.stop()
        docker_engine.images.remove(ref, force=True)


def test_a_digest_the_registry_does_not_have_fails_verify(pushed):
    project, pinned, _ = pushed
    missing = pinned.split("@")[0] + "@sha256:" + "0" * 64
    result = project.run("verify", missing, "--only", "toolchain")
    assert result.returncode == 1, result.stderr
    assert f"envbuilder: {missing}: no such image in registry" in one_line_error(result)


def test_a_manifest_list_without_this_platform_fails_verify(pushed, registry, tmp_path, docker_engine):
    """An arm64-only manifest list on this amd64 machine: the pull finds no image for linux/amd64."""
    (tmp_path / "hello.txt").write_text("hello\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    arm64 = f"{registry.host}/envbuilder-tests/arm64only:arm64"
    listed = f"{registry.host}/envbuilder-tests/arm64only:list"
    env = {"DOCKER_BUILDKIT": "1", "PATH": "/usr/bin:/bin"}
    try:
        for argv in (["build", "--platform", "linux/arm64", "-t", arm64, str(tmp_path)], ["push", arm64],
                     ["manifest", "create", "--insecure", listed, arm64]):
            done = subprocess.run([docker_cli(), *argv], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        pushed_list = subprocess.run([docker_cli(), "manifest", "push", "--purge", "--insecure", listed], env=env,
                                     capture_output=True, text=True)
        assert pushed_list.returncode == 0, pushed_list.stderr
        digest = pushed_list.stdout.strip().splitlines()[-1]
        result = pushed[0].run("verify", f"{listed}@{digest}", "--only", "toolchain")
        assert result.returncode == 1, result.stderr
        assert "no matching manifest for linux/amd64" in one_line_error(result)
    finally:
        docker_engine.images.remove(arm64, force=True)


def test_the_ci_config_pins_the_image_by_the_digest_build_push_printed(pushed, tmp_path):
    pinned = pushed[1]
    repository, digest = pinned.split(":ci-go")[0], pinned.split("@")[1]
    project = Project(tmp_path / "pinned")
    shutil.copytree(pushed[0].root, project.root)  # the shared project stays as it is
    spec = project.root / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace("ci: {image: ", "ci: {envbuilder: 0.1.0, image: "))
    assert project.run("lock").returncode == 0
    before = (project.root / "envbuilder.lock").read_text()
    spec.write_text(spec.read_text().replace("ci: {", f"ci: {{digests: {{1.22.10: '{digest}'}}, "))
    rendered = project.run("render", "--ci", "github", "--ci", "gitlab")
    assert rendered.returncode == 0, rendered.stderr
    github = (project.root / ".github/workflows/envbuilder.yml").read_text()
    gitlab = (project.root / ".gitlab-ci.yml").read_text()
    assert f'image: "{repository}@{digest}"' in github
    assert f'"ENVBUILDER_CI_IMAGE": "{repository}@{digest}"' in gitlab
    # Pinning changes no image: the lock (and so every image label) is what it was.
    assert project.run("lock", "--check").returncode == 0
    assert (project.root / "envbuilder.lock").read_text() == before
