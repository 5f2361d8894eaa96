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
