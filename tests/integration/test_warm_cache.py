"""ci.warm_cache: the ci image carries Go's standard library compiled for every target, so the cross builds of
a fresh container (as the CI jobs run them) compile the project's own packages only."""

from __future__ import annotations

import shlex

import pytest

from envbuilder.identity import OWNED_LABEL
from envbuilder.profiles import GO_BUILD, build_env
from envbuilder.spec.models import Target

from .conftest import new_project

pytestmark = pytest.mark.integration

TARGETS = ("linux/amd64", "linux/arm64")  # the native target and a pure-Go cross one
PROGRAM = {
    "go.mod": "module example.test/warm\n\ngo 1.22\n",
    "main.go": 'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n)\n\nfunc main() { fmt.Println(http.StatusOK) }\n',
}


@pytest.fixture(scope="module")
def warm_image(tmp_path_factory, docker_engine, base_image, go_mirror_url, go_index_url, goproxy_url):
    """The ci stage of a two-target spec with ci.warm_cache, built once for this module."""
    project = new_project(tmp_path_factory.mktemp("warm"), name="warmcache-test", base_image=base_image,
                          mirror=go_mirror_url, index=go_index_url, goproxy=goproxy_url, targets=TARGETS)
    spec = project.root / "envbuilder.yaml"
    spec.write_text(spec.read_text() + "ci: {warm_cache: true}\n")
    relocked = project.run("lock")
    assert relocked.returncode == 0, relocked.stderr
    built = project.build("--target", "ci", timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    tag = built.stdout.split()[0]
    yield tag
    docker_engine.images.remove(tag, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def _cross_build_script() -> str:
    """Write PROGRAM, then build it for every target as the generated CI jobs do; `-v` names each package
    the build compiles (a package found in GOCACHE is not named)."""
    lines = ["set -e", "mkdir -p /tmp/warm", "cd /tmp/warm"]
    lines += [f"printf %s {shlex.quote(text)} > {name}" for name, text in PROGRAM.items()]
    for platform in TARGETS:
        env = [f"{k}={v}" for k, v in sorted(build_env(Target(platform=platform)).items())]
        lines.append(f"echo '== {platform}' >&2")
        lines.append(shlex.join(["env", *env, *GO_BUILD, "-v", "-o", f"/tmp/out-{platform.replace('/', '-')}", "."]))
    return "\n".join(lines)


def _compiled_per_target(log: str) -> dict[str, list[str]]:
    compiled: dict[str, list[str]] = {}
    current = None
    for line in log.splitlines():
        if line.startswith("== "):
            current = line[3:]
            compiled[current] = []
        elif line.strip() and current:
            compiled[current].append(line.strip())
    return compiled


# The image's user (root in the ci stage) and another UID, as CI runners may run a job's container.
@pytest.mark.parametrize("user", ["", "4242:4242"], ids=["image-user", "other-uid"])
def test_a_fresh_container_cross_builds_compiling_only_the_project(warm_image, docker_engine, user):
    log = docker_engine.containers.run(warm_image, ["sh", "-c", _cross_build_script()], user=user, remove=True,
                                       network_mode="none", stdout=False, stderr=True,
                                       labels={OWNED_LABEL: "test-warm-cache"}).decode()
    assert _compiled_per_target(log) == {p: ["example.test/warm"] for p in TARGETS}, log[-3000:]
