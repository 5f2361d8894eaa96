"""`envbuilder build`: real BuildKit builds on a real engine, from a local base, mirror and module proxy."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def go_in(docker_engine, image: str, command: str) -> str:
    out = docker_engine.containers.run(image, ["sh", "-c", command], remove=True, network_mode="none")
    return out.decode().strip()


@pytest.mark.parametrize(("requested", "exact"), [("1.22", "1.22.10"), ("1.24", "1.24.11")])
def test_each_image_has_exactly_the_pinned_go(requested, exact, make_project, docker_engine, built_images,
                                              docker_leak_check):
    project = make_project(f"pin{requested.replace('.', '')}", version=requested)
    result = project.build("--target", "dev")
    assert result.returncode == 0, result.stderr[-3000:]
    tag, image_id = result.stdout.split()
    built_images.append(tag)
    assert tag == f"pin{requested.replace('.', '')}:dev-go{exact}"
    assert go_in(docker_engine, tag, "go version") == f"go version go{exact} linux/amd64"
    assert go_in(docker_engine, tag, "go env GOTOOLCHAIN GOFLAGS GONOSUMDB") == "local\n-mod=readonly\nexample.test"
    # the tool came from the local module proxy at the pinned version
    assert "mod\texample.test/hellotool\tv1.1.0" in go_in(docker_engine, tag, "go version -m $(command -v hellotool)")
    labels = docker_engine.images.get(tag).labels
    assert labels["dev.envbuilder.go-version"] == exact
    assert labels["dev.envbuilder.stage"] == "dev"
    assert labels["dev.envbuilder.spec-hash"].startswith("sha256:")
    assert docker_engine.images.get(tag).id == image_id


def test_a_tampered_go_tarball_fails_the_build_and_tags_nothing(make_project, tampered_mirror_url, docker_engine,
                                                               docker_leak_check):
    project = make_project("tampered", download=tampered_mirror_url)
    result = project.build("--target", "base")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("envbuilder: Go archive checksum mismatch for http://127.0.0.1:"), last
    assert "expected sha256" in last
    assert not docker_engine.images.list(name="tampered")


def test_an_unknown_apt_package_fails_with_apts_reason(make_project, docker_engine, docker_leak_check):
    project = make_project("badpkg", packages="make, no-such-package-envbuilder")
    result = project.build("--target", "base")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "Unable to locate package no-such-package-envbuilder" in last, last
    assert not docker_engine.images.list(name="badpkg")


def test_no_engine_is_an_environment_problem(make_project):
    project = make_project("noengine")
    result = project.build(env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"}, timeout=120)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[-1]] and "no Docker engine at unix:///nonexistent/docker.sock" in lines[-1]


def test_build_refuses_rendered_files_that_drifted(make_project):
    project = make_project("drifted")
    assert project.run("render").returncode == 0
    spec = project.root / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace("-mod=readonly", "-mod=mod"))
    assert project.run("lock").returncode == 0
    result = project.build()
    assert result.returncode == 1
    assert "run `envbuilder render`" in result.stderr
