"""Projects for image tests: specs that build FROM the local base, fetch Go from the local mirror and tools
from the local module proxy (builds use --network host to reach 127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SPEC = """\
name: {name}
go:
  version: "{version}"
  download: {download}
  index: {index}
modules:
  proxy: [{goproxy}]
  sumdb: sum.golang.org
  nosumdb: [example.test]
  flags: [-mod=readonly]
base:
  image: {base_image}
  packages: [{packages}]
targets:
{targets}
tools: [example.test/hellotool@v1.1.0]
verify: {{emulate: {emulate}}}
"""


@dataclass
class Project:
    root: Path

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "envbuilder", *args], cwd=self.root, capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "CI": "1", **(env or {})})

    def build(self, *args: str, **kw) -> subprocess.CompletedProcess:
        return self.run("build", "--network", "host", *args, **kw)


def new_project(root: Path, *, name: str, base_image: str, mirror: str, index: str, goproxy: str,
                version: str = "1.22", packages: str = "make", targets: tuple[str, ...] = ("linux/amd64",),
                emulate: bool = False) -> Project:
    """Write a spec into ROOT/NAME that uses the local fixtures, and lock it."""
    root = root / name
    root.mkdir()
    (root / "envbuilder.yaml").write_text(SPEC.format(
        name=name, version=version, download=mirror, index=index, goproxy=goproxy, base_image=base_image,
        packages=packages, targets="\n".join(f"  - {t}" for t in targets), emulate=str(emulate).lower()))
    project = Project(root)
    locked = project.run("lock")
    assert locked.returncode == 0, locked.stderr
    return project


@pytest.fixture
def make_project(tmp_path, base_image, go_mirror_url, go_index_url, goproxy_url):
    def make(name: str, version: str = "1.22", download: str | None = None, packages: str = "make",
             targets: tuple[str, ...] = ("linux/amd64",), emulate: bool = False) -> Project:
        return new_project(tmp_path, name=name, base_image=base_image, mirror=download or go_mirror_url,
                           index=go_index_url, goproxy=goproxy_url, version=version, packages=packages,
                           targets=targets, emulate=emulate)

    return make


@pytest.fixture
def built_images(docker_engine):
    """Tags a test builds; removed afterwards (with the dangling layers they leave), so no test leaks."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        try:
            docker_engine.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - already gone is fine
            pass
    docker_engine.images.prune(filters={"dangling": True})


@pytest.fixture(scope="session")
def registry():
    """A distribution registry on a free 127.0.0.1 port with its storage in a temporary directory; stopped
    and its storage removed at the end of the session, whatever the tests did."""
    from fixtures import registry as registries

    try:
        server = registries.start()
    except registries.RegistryUnavailable as e:
        pytest.fail(f"registry fixture: {e}", pytrace=False)
    yield server
    server.stop()


def registry_project(tmp_root: Path, registry, *, name: str, base_image: str, mirror: str, index: str,
                     goproxy: str, **kw) -> Project:
    """A locked project whose ci.image is a repository of REGISTRY (what `build --push` pushes to)."""
    project = new_project(tmp_root, name=name, base_image=base_image, mirror=mirror, index=index, goproxy=goproxy,
                          **kw)
    spec = project.root / "envbuilder.yaml"
    spec.write_text(spec.read_text() + f"ci: {{image: {registry.host}/envbuilder-tests/{name}}}\n")
    locked = project.run("lock")
    assert locked.returncode == 0, locked.stderr
    return project


@pytest.fixture(scope="session")
def pushed(tmp_path_factory, registry, base_image, go_mirror_url, go_index_url, goproxy_url, docker_engine):
    """The ci image of a small project (its ci.image in REGISTRY), built and pushed once per session:
    (project, the `REF@sha256:...` that `build --push` printed, the build's result)."""
    project = registry_project(tmp_path_factory.mktemp("push"), registry, name="pushed", base_image=base_image,
                               mirror=go_mirror_url, index=go_index_url, goproxy=goproxy_url)
    result = project.build("--target", "ci", "--push")
    pinned = result.stdout.strip()
    yield project, pinned, result
    for tag in ("pushed:ci-go1.22.10", pinned.split("@")[0], pinned):
        try:
            docker_engine.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - already gone is fine
            pass
