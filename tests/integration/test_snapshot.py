"""`envbuilder snapshot` and `envbuilder diff` on real environments: two tiny images that differ only in
GOPROXY (one linux/amd64 pure-Go target, no tools), a container of one, this host, and two release binaries
built with a fixture Go toolchain with and without -trimpath."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from fixtures import gotoolchains

from .conftest import Project

pytestmark = pytest.mark.integration

SPEC = """\
name: {name}
go:
  version: "1.22"
  download: {download}
  index: {index}
modules:
  proxy: [{proxy}]
  sumdb: sum.golang.org
  flags: [-mod=readonly]
base:
  image: {base_image}
  packages: [make]
targets:
  - linux/amd64
"""


def envbuilder(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "NO_COLOR": "1", "CI": "1"})


@pytest.fixture(scope="module")
def schema() -> dict:
    result = envbuilder("snapshot", "--json-schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def images(tmp_path_factory, docker_engine, base_image, go_mirror_url, go_index_url, goproxy_url):
    """Two dev images whose specs differ only in GOPROXY, built once for the module, removed at the end."""
    root = tmp_path_factory.mktemp("snapshot")
    tags = []
    for name, proxy in (("snapa", goproxy_url), ("snapb", f"{goproxy_url}, direct")):
        (root / name).mkdir()
        (root / name / "envbuilder.yaml").write_text(SPEC.format(
            name=name, download=go_mirror_url, index=go_index_url, proxy=proxy, base_image=base_image))
        project = Project(root / name)
        assert (locked := project.run("lock")).returncode == 0, locked.stderr
        built = project.build("--target", "dev", timeout=1800)
        assert built.returncode == 0, built.stderr[-3000:]
        tags.append(built.stdout.split()[0])
    yield tags[0], tags[1], goproxy_url
    for tag in tags:
        docker_engine.images.remove(tag, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def take(schema: dict, tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "snapshot.json"
    result = envbuilder("snapshot", *args, "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema)
    return data


def test_an_image_snapshot_records_its_go_toolchain_modules_packages_and_labels(images, schema, tmp_path,
                                                                               docker_engine, docker_leak_check):
    image_a, _, goproxy = images
    data = take(schema, tmp_path, image_a)
    facts = data["facts"]
    assert data["source"] == f"image {image_a}" and facts["kind"] == "image"
    assert facts["go_version"] == "go1.22.10"
    assert len(facts["go_binary_sha256"]) == 64 and len(facts["goroot_sha256"]) == 64
    assert facts["go_env"]["GOPROXY"] == goproxy and facts["go_env"]["GOFLAGS"] == "-mod=readonly"
    # go env CC names gcc, which this pure-Go image does not install: recorded as not found
    assert facts["go_env"]["CC"] == "gcc" and facts["compilers"]["gcc"] == {"path": None, "version": None}
    assert facts["os_release"]["ID"] == "debian"
    assert "make" in facts["packages"]
    labels = docker_engine.images.get(image_a).labels
    assert facts["labels"]["dev.envbuilder.lock-hash"] == labels["dev.envbuilder.lock-hash"]
    assert facts["labels"]["dev.envbuilder.spec-hash"] == labels["dev.envbuilder.spec-hash"]
    # the facts hold no time: a second snapshot of the same image has the very same facts
    assert take(schema, tmp_path, image_a)["facts"] == facts


def test_a_running_container_snapshot_has_the_images_go(images, schema, tmp_path, docker_engine, docker_leak_check):
    image_a, _, _ = images
    container = docker_engine.containers.run(image_a, ["sleep", "infinity"], entrypoint=[], detach=True,
                                             network_mode="none", labels={"dev.envbuilder.owned": "test"})
    try:
        data = take(schema, tmp_path, "--container", container.id)
    finally:
        container.remove(force=True)
    assert data["facts"]["kind"] == "container" and data["facts"]["go_version"] == "go1.22.10"
    assert data["facts"]["labels"] == {}


def test_a_host_snapshot_validates_against_the_schema(schema, tmp_path):
    data = take(schema, tmp_path, "--host")
    assert data["source"] == "host" and data["facts"]["kind"] == "host"
    assert data["facts"]["os_release"], "this host has an /etc/os-release"


def test_images_differing_only_in_goproxy_differ_in_module_resolution(images, docker_leak_check):
    image_a, image_b, goproxy = images
    result = envbuilder("diff", image_a, f"image:{image_b}")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == f"GOPROXY differs: {goproxy} vs {goproxy},direct"
    result = envbuilder("diff", image_a, f"image:{image_b}", "--json")
    report = json.loads(result.stdout)
    assert report["counts"]["output"] == 0 and report["counts"]["module"] == 1
    assert report["differences"][0]["key"] == "env.GOPROXY"


def host_go() -> str | None:
    go = shutil.which("go")
    return subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True).stdout.strip() if go else None


def test_diff_host_image_says_why_it_builds_there_and_not_here(images, docker_leak_check):
    image_a, _, _ = images
    here = host_go()
    assert here != "go1.22.10", "this test needs a machine whose Go (or none) is not the image's"
    result = envbuilder("diff", "--host", image_a, "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["a"] == "host" and report["b"] == f"image {image_a}"
    assert report["headline"] == f"Go version differs: {here or 'none'} vs go1.22.10"
    assert report["differences"][0]["change"] == "output"


def test_release_binaries_built_with_and_without_trimpath_differ_in_output(tmp_path):
    goroot = gotoolchains.goroot("1.22.10")
    (tmp_path / "go.mod").write_text("module example.test/app\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text('package main\n\nfunc main() { println("hi") }\n')
    env = {**os.environ, "GOROOT": str(goroot), "GOTOOLCHAIN": "local", "GOFLAGS": "", "GOPROXY": "off",
           "CGO_ENABLED": "0", "GOCACHE": str(tmp_path / "cache"), "GOPATH": str(tmp_path / "gopath")}
    for name, flags in (("app-trim", ["-trimpath"]), ("app-plain", [])):
        built = subprocess.run([str(goroot / "bin" / "go"), "build", *flags, "-o", name, "."], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=600)
        assert built.returncode == 0, built.stderr
    result = envbuilder("diff", str(tmp_path / "app-trim"), str(tmp_path / "app-plain"), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["headline"] == "-trimpath differs: true vs false"
    assert report["differences"][0]["change"] == "output"
