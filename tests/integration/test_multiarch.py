"""Multi-arch for real: a linux/arm64 image built under qemu-user emulation beside its linux/amd64 twin, both
pushed and assembled into one manifest list in the registry, and the arm64 image run from that list.

The images are tiny on purpose (one static C program FROM scratch): emulated builds are slow. The emulation
is registered only while this module runs, and only the handlers it added are removed afterwards.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fixtures.engine import docker_cli

pytestmark = pytest.mark.integration

PLATFORMS = {"amd64": "gcc", "arm64": "aarch64-linux-gnu-gcc"}  # GOARCH-style name -> static C compiler
HELLO_C = """\
#include <stdio.h>
#include <sys/utsname.h>
int main(void) { struct utsname u; uname(&u); printf("hello from %s\\n", u.machine); return 0; }
"""
# The RUN step executes the image's own program at build time (for arm64 under emulation); --no-cache below,
# since a cached step runs nothing.
DOCKERFILE = """\
FROM scratch
ARG TARGETARCH
COPY hello-${TARGETARCH} /hello
RUN ["/hello"]
ENTRYPOINT ["/hello"]
"""
ENV = {"DOCKER_BUILDKIT": "1", "PATH": "/usr/bin:/bin"}


def docker(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([docker_cli(), *args], env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"docker {' '.join(args)}: {done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def arm64_emulation():
    from fixtures import binfmt

    try:
        emulation = binfmt.enable(("qemu-aarch64",))
    except binfmt.EmulationUnavailable as e:
        pytest.fail(f"qemu-user emulation: {e}", pytrace=False)
    yield emulation
    emulation.undo()


@pytest.fixture(scope="module")
def manifest_list(arm64_emulation, registry, tmp_path_factory):
    """REGISTRY/envbuilder-tests/hello:multi listing the amd64 and arm64 images; (list ref, build logs)."""
    context = tmp_path_factory.mktemp("multiarch")
    (context / "hello.c").write_text(HELLO_C)
    (context / "Dockerfile").write_text(DOCKERFILE)
    for arch, compiler in PLATFORMS.items():
        done = subprocess.run([compiler, "-static", "-O2", "-o", str(context / f"hello-{arch}"),
                               str(context / "hello.c")], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    repository = f"{registry.host}/envbuilder-tests/hello"
    refs = {arch: f"{repository}:{arch}" for arch in PLATFORMS}
    logs = {}
    try:
        for arch, ref in refs.items():
            logs[arch] = docker("build", "--no-cache", "--progress", "plain", "--platform", f"linux/{arch}",
                                "-t", ref, str(context)).stderr
            docker("push", ref)
        listed = f"{repository}:multi"
        docker("manifest", "create", "--insecure", listed, *refs.values())
        digest = docker("manifest", "push", "--purge", "--insecure", listed).stdout.strip().splitlines()[-1]
        yield f"{listed}@{digest}", logs
    finally:
        for ref in [*refs.values(), f"{repository}:multi"]:
            subprocess.run([docker_cli(), "rmi", "-f", ref], capture_output=True)


def test_the_arm64_image_was_built_by_running_arm64_code_under_emulation(manifest_list):
    _, logs = manifest_list
    assert "hello from aarch64" in logs["arm64"], logs["arm64"][-2000:]
    assert "hello from x86_64" in logs["amd64"], logs["amd64"][-2000:]


def test_the_manifest_list_in_the_registry_lists_both_platforms(manifest_list):
    ref, _ = manifest_list
    listed = json.loads(docker("manifest", "inspect", "--insecure", ref).stdout)
    assert listed["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert sorted(f"{m['platform']['os']}/{m['platform']['architecture']}" for m in listed["manifests"]) == [
        "linux/amd64", "linux/arm64"]


def test_the_arm64_image_of_the_list_runs_under_emulation(manifest_list):
    ref, _ = manifest_list
    repository = ref.split(":multi@")[0]
    try:
        out = docker("run", "--rm", "--network", "none", "--platform", "linux/arm64", ref).stdout
        assert out.strip() == "hello from aarch64"
        assert docker("image", "inspect", "--format", "{{.Architecture}}", ref).stdout.strip() == "arm64"
    finally:
        subprocess.run([docker_cli(), "rmi", "-f", ref, repository + "@" + ref.split("@")[1]], capture_output=True)


def test_a_registration_that_found_the_handler_in_place_leaves_it_in_place(arm64_emulation):
    from fixtures import binfmt

    second = binfmt.enable(("qemu-aarch64",))
    assert second.added == [] and not second.mounted
    second.undo()
    assert (binfmt.BINFMT_MISC / "qemu-aarch64").exists()


# ---- an envbuilder image for linux/arm64, built and verified under emulation --------------------------------

# Tiny on purpose: no tools, no extra packages and one pure-Go target, the image's own platform: every Go
# compile in the image runs under qemu-user (a probe build, with its std packages, takes minutes there).
ARM64_SPEC = """\
name: {name}
go:
  version: "1.22"
  download: {download}
  index: {index}
modules:
  proxy: [{goproxy}]
  nosumdb: [example.test]
  flags: [-mod=readonly]
base:
  image: {base_image}
platforms: [linux/arm64]
targets: [linux/arm64]
"""
ARM64_NAME = "multiarcharm64"


@pytest.fixture(scope="module")
def arm64_envbuilder_image(arm64_emulation, arm64_base_image, fixture_summary, fixture_urls, tmp_path_factory,
                           docker_engine):
    """The dev image of ARM64_SPEC, built with `--platform linux/arm64` (removed afterwards): (project, tag)."""
    from tests.integration.conftest import Project

    root = tmp_path_factory.mktemp("arm64") / ARM64_NAME
    root.mkdir()
    (root / "envbuilder.yaml").write_text(ARM64_SPEC.format(
        name=ARM64_NAME, download=fixture_urls["GO_MIRROR_URL"], index=fixture_urls["GO_INDEX_URL"],
        goproxy=fixture_urls["GOPROXY_URL"], base_image=arm64_base_image))
    project = Project(root)
    locked = project.run("lock")
    assert locked.returncode == 0, locked.stderr
    built = project.build("--target", "dev", "--platform", "linux/arm64", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    tag = built.stdout.split()[0]
    yield project, tag
    docker_engine.images.remove(tag, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def test_the_arm64_envbuilder_image_runs_an_arm64_go(arm64_envbuilder_image, docker_engine):
    project, tag = arm64_envbuilder_image
    assert tag == f"{ARM64_NAME}:dev-go1.22.10"
    assert docker_engine.images.get(tag).attrs["Architecture"] == "arm64"
    lock = json.loads((project.root / "envbuilder.lock").read_text())
    assert list(lock["go"]["archives"]) == ["linux/arm64"]  # the arm64 tarball, from the mirror
    out = docker("run", "--rm", "--network", "none", "--platform", "linux/arm64", "--entrypoint", "go", tag,
                 "env", "GOARCH", "GOHOSTARCH").stdout
    assert out.split() == ["arm64", "arm64"]


def test_verify_of_the_arm64_envbuilder_image_is_green_under_emulation(arm64_envbuilder_image, docker_leak_check):
    project, tag = arm64_envbuilder_image
    # --skip repro: repro.probe compiles the runtime twice more with empty caches, under emulation: measured
    # 130 s of a 360 s verify on a loaded 2-core machine (the probe build itself: 215 s). Reproducibility is
    # a property of Go's compiler, verified on the amd64 images; what is arm64-specific here is that the
    # image's Go runs and builds and its probe runs natively, which every other check covers.
    done = project.run("verify", tag, "--json", "--skip", "repro", timeout=1800)
    report = json.loads(done.stdout)
    problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert done.returncode == 0 and not problems, problems
    checks = {(r["target"], r["id"]): r for r in report["results"]}
    assert checks[("environment", "toolchain.version")]["actual"] == "go1.22.10"
    for check in ("build.probe", "binary.buildinfo", "binary.go-version-m", "exec.run"):
        assert checks[("linux-arm64", check)]["status"] == "pass", check
    # arm64 is the image's own platform: verify finds it in the image's `go env GOHOSTARCH` and runs the
    # probe there natively (the kernel hands it to qemu-user), not in a runner.
    (ran,) = report["executions"]
    assert (ran["target"], ran["how"], ran["environment"]) == ("linux-arm64", "natively", "under test")
