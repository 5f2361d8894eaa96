"""`envbuilder snapshot` and `envbuilder diff` on real environments, and reproducible images.

Tiny images (one linux/amd64 pure-Go target, one tool from the local module proxy) are built once for the module from one pinned spec:
`base.snapshot` names this machine's Debian mirror (the one the fixture base image uses) as the only apt
source and `base.packages` pins make. Pairs that differ in ONE thing are diffed: GOPROXY, the Go version,
a cgo compiler package; and the first image against a second `build --no-cache` of the same lock. Also a
container of one image, this host, and two release binaries built with and without -trimpath.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from fixtures import gotoolchains
from fixtures.baseimage import debian_mirrors

from .conftest import Project

pytestmark = pytest.mark.integration

# make's version in Debian bookworm (the fixture base image's suite), the whole life of that release.
MAKE_VERSION = "4.3-4.1"
SPEC = """\
name: {name}
go:
  version: "{go}"
  download: {download}
  index: {index}
modules:
  proxy: [{proxy}]
  sumdb: sum.golang.org
  nosumdb: [example.test]
  flags: [-mod=readonly]
base:
  image: {base_image}
  snapshot: {snapshot}
  packages: [{packages}]
targets:
  - linux/amd64
tools: [example.test/hellotool@v1.1.0]
"""


def envbuilder(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "NO_COLOR": "1", "CI": "1"})


@pytest.fixture(scope="module")
def schema() -> dict:
    result = envbuilder("snapshot", "--json-schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@dataclass
class Images:
    """Tags of the module's images, and the project the first was built from."""

    plain: str  # Go 1.22, GOPROXY=<proxy>, make pinned
    proxy_direct: str  # ... but GOPROXY=<proxy>,direct
    go124: str  # ... but Go 1.24
    with_gcc: str  # ... but gcc installed as well
    plain_project: Project
    goproxy: str
    mirror: str


@pytest.fixture(scope="module")
def images(tmp_path_factory, docker_engine, base_image, go_mirror_url, go_index_url, goproxy_url):
    """Four dev images from specs that differ from the first in one thing each, built once for the module
    (the first with --no-cache, as the first of two no-cache builds), removed at the end."""
    root = tmp_path_factory.mktemp("snapshot")
    token = secrets.token_hex(3)
    mirror, _ = debian_mirrors()
    make = f"make={MAKE_VERSION}"
    variants = (("plain", "1.22", goproxy_url, make, ["--no-cache"]),
                ("direct", "1.22", f"{goproxy_url}, direct", make, []),
                ("go124", "1.24", goproxy_url, make, []),
                ("gcc", "1.22", goproxy_url, f"{make}, gcc", []))
    tags, projects = [], []
    try:
        for variant, go, proxy, packages, flags in variants:
            name = f"snap{variant}{token}"
            (root / name).mkdir()
            (root / name / "envbuilder.yaml").write_text(SPEC.format(
                name=name, go=go, download=go_mirror_url, index=go_index_url, proxy=proxy, base_image=base_image,
                snapshot=mirror, packages=packages))
            project = Project(root / name)
            assert (locked := project.run("lock")).returncode == 0, locked.stderr
            built = project.build("--target", "dev", *flags, timeout=1800)
            assert built.returncode == 0, built.stderr[-3000:]
            tags.append(built.stdout.split()[0])
            projects.append(project)
        yield Images(*tags, plain_project=projects[0], goproxy=goproxy_url, mirror=mirror)
    finally:
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


@pytest.fixture(scope="module")
def snapshot_file(images, schema, tmp_path_factory):
    """One snapshot file per image, taken on first use and shared by the diffs of the module."""
    root, taken = tmp_path_factory.mktemp("snapshots"), {}

    def snapshot_of(tag: str) -> str:
        if tag not in taken:
            (root / tag.replace(":", "_")).mkdir()
            take(schema, root / tag.replace(":", "_"), tag)
            taken[tag] = str(root / tag.replace(":", "_") / "snapshot.json")
        return taken[tag]

    return snapshot_of


def diff_json(a: str, b: str) -> tuple[int, dict]:
    result = envbuilder("diff", a, b, "--json")
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_an_image_snapshot_records_its_go_toolchain_modules_packages_and_labels(images, schema, snapshot_file,
                                                                               docker_engine, docker_leak_check):
    data = json.loads(Path(snapshot_file(images.plain)).read_text())
    facts = data["facts"]
    assert data["source"] == f"image {images.plain}" and facts["kind"] == "image"
    assert facts["go_version"] == "go1.22.10"
    assert len(facts["go_binary_sha256"]) == 64 and len(facts["goroot_sha256"]) == 64
    assert facts["go_env"]["GOPROXY"] == images.goproxy and facts["go_env"]["GOFLAGS"] == "-mod=readonly"
    # go env CC names gcc, which this pure-Go image does not install: recorded as not found
    assert facts["go_env"]["CC"] == "gcc" and facts["compilers"]["gcc"] == {"path": None, "version": None}
    assert facts["os_release"]["ID"] == "debian"
    assert facts["tools"]["hellotool"]["version"] == "v1.1.0"
    labels = docker_engine.images.get(images.plain).labels
    assert facts["labels"]["dev.envbuilder.lock-hash"] == labels["dev.envbuilder.lock-hash"]
    assert facts["labels"]["dev.envbuilder.spec-hash"] == labels["dev.envbuilder.spec-hash"]
    # the facts hold no time: a second snapshot of the same image has the very same facts
    assert take(schema, Path(snapshot_file(images.plain)).parent.parent, images.plain)["facts"] == facts


def test_a_pinned_package_is_installed_at_its_version_from_the_snapshot_source(images, snapshot_file,
                                                                               docker_engine, docker_leak_check):
    facts = json.loads(Path(snapshot_file(images.plain)).read_text())["facts"]
    assert facts["packages"]["make"] == MAKE_VERSION
    sources = docker_engine.containers.run(images.plain, ["sh", "-c", "cat /etc/apt/sources.list.d/*"],
                                           entrypoint=[], remove=True, network_mode="none").decode()
    assert f"URIs: {images.mirror}\n" in sources and sources.count("URIs:") == 1, sources
    checks = [layer for layer in docker_engine.images.get(images.plain).history() if "madison" in layer["CreatedBy"]]
    assert [layer["Size"] for layer in checks] == [0], "the pin check leaves apt's lists and caches in the mounts"


def test_a_pin_the_apt_sources_lack_fails_the_build_with_one_line_naming_it(make_project, docker_engine,
                                                                            docker_leak_check):
    project = make_project(f"wrongpin{secrets.token_hex(3)}", packages="make=4.2-1")
    result = project.build("--target", "base")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (f"envbuilder: base.packages: make=4.2-1: no such version in the apt sources "
                    f"(they have: {MAKE_VERSION})"), last


def test_a_running_container_snapshot_has_the_images_go(images, schema, tmp_path, docker_engine, docker_leak_check):
    container = docker_engine.containers.run(images.plain, ["sleep", "infinity"], entrypoint=[], detach=True,
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
    goproxy = images.goproxy
    result = envbuilder("diff", images.plain, f"image:{images.proxy_direct}")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == f"GOPROXY differs: {goproxy} vs {goproxy},direct"
    result = envbuilder("diff", images.plain, f"image:{images.proxy_direct}", "--json")
    report = json.loads(result.stdout)
    assert report["counts"]["output"] == 0 and report["counts"]["module"] == 1
    assert report["differences"][0]["key"] == "env.GOPROXY"


def test_images_differing_only_in_the_go_version_differ_in_output_bits(images, snapshot_file, docker_leak_check):
    code, report = diff_json(snapshot_file(images.plain), snapshot_file(images.go124))
    assert code == 1
    assert report["headline"] == "Go version differs: go1.22.10 vs go1.24.11"
    output = {d["key"] for d in report["differences"] if d["change"] == "output"}
    assert {"go.version", "goroot.sha256", "go.binary.sha256"} <= output
    assert report["counts"]["module"] == 0


def test_images_differing_only_in_a_cgo_compiler_package_differ_in_output_bits(images, snapshot_file,
                                                                                docker_leak_check):
    """gcc on PATH turns cgo on (go env CGO_ENABLED 0 -> 1): the top line; the compiler and its Debian
    packages follow in the same class."""
    code, report = diff_json(snapshot_file(images.plain), snapshot_file(images.with_gcc))
    assert code == 1
    assert report["headline"] == "CGO_ENABLED differs: 0 vs 1"
    output = {d["key"] for d in report["differences"] if d["change"] == "output"}
    assert {"env.CGO_ENABLED", "compiler.version.gcc", "package.gcc", "package.gcc-12", "package.binutils"} <= output
    assert report["counts"]["module"] == 0
    assert "go.version" not in output and "goroot.sha256" not in output


def test_two_no_cache_builds_of_one_lock_have_the_same_go_bytes_and_package_and_tool_versions(
        images, snapshot_file, schema, tmp_path, docker_engine, docker_leak_check):
    rebuilt = f"{images.plain.split(':')[0]}-rebuilt:dev"
    built = images.plain_project.build("--target", "dev", "--no-cache", "--tag", rebuilt, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    try:
        assert docker_engine.images.get(rebuilt).id != docker_engine.images.get(images.plain).id, "really rebuilt"
        take(schema, tmp_path, rebuilt)
    finally:
        docker_engine.images.remove(rebuilt, force=True)
        docker_engine.images.prune(filters={"dangling": True})
    first = json.loads(Path(snapshot_file(images.plain)).read_text())["facts"]
    second = json.loads((tmp_path / "snapshot.json").read_text())["facts"]
    for fact in ("go_binary_sha256", "goroot_sha256", "packages", "tools"):
        assert first[fact] == second[fact], fact
    code, report = diff_json(snapshot_file(images.plain), str(tmp_path / "snapshot.json"))
    assert code == 0, report["differences"]
    assert report["counts"]["output"] == 0 and report["counts"]["module"] == 0


def host_go() -> str | None:
    go = shutil.which("go")
    return subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True).stdout.strip() if go else None


def test_diff_host_image_says_why_it_builds_there_and_not_here(images, docker_leak_check):
    image_a = images.plain
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
