"""A second runner: another Docker engine on this machine, empty like a fresh CI runner, that reuses the
build cache and pulls the images a first runner pushed to the registry."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import pytest

from fixtures.engine import docker_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def second_runner(base_image, docker_engine):
    """A second dockerd (own roots, socket, bridge) holding only the base image; stopped and removed after."""
    from fixtures import runner as runners

    try:
        engine = runners.start()
    except runners.RunnerUnavailable as e:
        pytest.fail(f"second engine: {e}", pytrace=False)
    try:
        save = subprocess.Popen([docker_cli(), "save", base_image], stdout=subprocess.PIPE)
        loaded = subprocess.run([docker_cli(), "load"], stdin=save.stdout, env=engine.env, capture_output=True,
                                text=True)
        assert save.wait() == 0 and loaded.returncode == 0, loaded.stderr
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="module")
def runner_build(pushed, second_runner):
    """The same spec and lock built on the second runner with --cache-from the first runner's push."""
    project, pinned, first = pushed
    assert first.returncode == 0, first.stderr[-3000:]
    result = project.build("--target", "ci", "--cache-from", pinned, "--tag", "pushed:ci-runner2",
                           env={"DOCKER_HOST": second_runner.host})
    return result, pinned


def step_lines(log: str, marker: str) -> list[str]:
    """The BuildKit plain-progress lines of the step whose header contains MARKER (header first)."""
    lines = log.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("#") and marker in line)
    number = lines[header].split()[0]
    return [line for line in lines if line.split(" ", 1)[0] == number]


def test_the_second_runner_takes_the_go_and_apt_layers_from_the_registry_cache(runner_build):
    result, _ = runner_build
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    for step in ("apt-get install", "curl -fsSL", "COPY --from=go-download"):
        lines = step_lines(log, step)
        assert lines[-1].endswith(" CACHED"), "\n".join(lines)
        # A step that ran prints its output as "#N SECONDS TEXT" lines: these printed nothing.
        assert not [line for line in lines if re.match(r"^#\d+ \d+\.\d+ ", line)], "\n".join(lines)


def test_verify_pulls_an_image_pinned_by_digest_that_the_runner_does_not_have(runner_build, second_runner, pushed):
    _, pinned = runner_build
    project = pushed[0]
    assert not second_runner.client().images.list(name=pinned.split(":ci-go")[0])
    result = project.run("verify", pinned, "--only", "toolchain", env={"DOCKER_HOST": second_runner.host})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    repo_digests = second_runner.client().images.get(pinned).attrs["RepoDigests"]
    assert pinned.split(":ci-go")[0] + "@" + pinned.split("@")[1] in repo_digests


def test_snapshot_records_an_image_pinned_by_digest(runner_build, second_runner, pushed):
    _, pinned = runner_build
    result = pushed[0].run("snapshot", pinned, env={"DOCKER_HOST": second_runner.host})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "go1.22.10" in result.stdout


def test_the_first_engine_still_builds_on_its_default_network_after_the_runner_stopped(second_runner, base_image,
                                                                                       docker_engine):
    second_runner.stop()
    assert not Path(second_runner.root).exists()
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert f" {second_runner.bridge}:" not in links and " docker0:" in links
    tag = f"envbuilder-test-default-net:{uuid.uuid4().hex[:12]}"
    # No --network: the RUN step gets an address on the first engine's docker0, as a default build does.
    done = subprocess.run([docker_cli(), "build", "--no-cache", "--progress", "plain", "-t", tag, "-"],
                          input=f"FROM {base_image}\nRUN cat /proc/net/route | tail -n +2 | wc -l\n",
                          env={"DOCKER_BUILDKIT": "1", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    try:
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        docker_engine.images.remove(tag, force=True)
