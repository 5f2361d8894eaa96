"""Session fixtures for integration tests: the Docker engine, the local base image, the Go mirror and the
module proxy (served by tests/docker-compose.yml through pytest-docker), and a leak check.

Nothing here touches Docker until a test requests one of these fixtures, so unit tests stay Docker-free.
A fixture that cannot provide what it promises fails the test loudly; it never skips.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

# fixtures/ is not an installed package: make it importable however pytest is started (`pytest`, not only
# `python -m pytest` from the repo root).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fixtures import fileserver, gotoolchains
from fixtures.baseimage import BASE_IMAGES, ensure_base_image
from fixtures.engine import EngineUnavailable, docker_objects, ensure_engine, leaked


@pytest.fixture(scope="session")
def docker_engine() -> docker.DockerClient:
    """docker-py client for the engine scripts/ensure-docker.sh provides (starting one if need be)."""
    try:
        return ensure_engine()
    except EngineUnavailable as e:
        pytest.fail(f"integration tests need a Docker engine: {e}", pytrace=False)


@pytest.fixture(scope="session")
def base_image(docker_engine) -> str:
    """The local Debian bookworm minbase image every test image builds FROM (no registry needed)."""
    return ensure_base_image()


@pytest.fixture(scope="session")
def arm64_base_image(docker_engine) -> str:
    """The same Debian minbase for linux/arm64 (debootstrapped under qemu-user once, then cached): what a
    `--platform linux/arm64` build takes FROM."""
    return ensure_base_image(BASE_IMAGES["arm64"], "arm64")


@pytest.fixture(scope="session")
def go_fixture_versions() -> tuple[str, ...]:
    """The Go versions the mirror serves (tarballs + index): two, to prove pinning."""
    return gotoolchains.DEFAULT_VERSIONS


@pytest.fixture(scope="session")
def fixture_summary(docker_engine, go_fixture_versions) -> dict[str, str]:
    """Everything `python -m fixtures prepare` makes, as its KEY -> value summary."""
    return fileserver.prepare(go_fixture_versions)


# pytest-docker: Debian's compose v1, our compose file and project, after the files it mounts exist.
@pytest.fixture(scope="session")
def docker_compose_command() -> str:
    return fileserver.COMPOSE_COMMAND


@pytest.fixture(scope="session")
def docker_compose_file(fixture_summary) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as mp:  # compose interpolates these from the environment
        for k, v in fileserver.compose_env().items():
            mp.setenv(k, v)
        yield str(fileserver.COMPOSE_FILE)


@pytest.fixture(scope="session")
def docker_compose_project_name() -> str:
    return fileserver.PROJECT


@pytest.fixture(scope="session")
def _fileserver_was_running(docker_engine) -> bool:
    return fileserver.running()


@pytest.fixture(scope="session")
def docker_setup(_fileserver_was_running) -> list[str]:
    return [] if _fileserver_was_running else ["up -d"]


@pytest.fixture(scope="session")
def docker_cleanup(_fileserver_was_running) -> list[str]:
    # A server `python -m fixtures serve --background` started is reused and left running for its owner.
    return [] if _fileserver_was_running else ["down -v"]


@pytest.fixture(scope="session")
def fixture_urls(docker_services) -> dict[str, str]:
    try:
        docker_services.wait_until_responsive(check=fileserver.responsive, timeout=30.0, pause=0.3)
    except Exception:  # pytest-docker raises a bare Exception("Timeout ...")
        pytest.fail(f"fixture file server not answering on 127.0.0.1:{fileserver.port()} (port taken? set "
                    f"ENVBUILDER_FIXTURE_PORT); logs: {fileserver.COMPOSE_COMMAND} -p {fileserver.PROJECT} "
                    f"-f {fileserver.COMPOSE_FILE} logs", pytrace=False)
    return fileserver.urls()


@pytest.fixture(scope="session")
def go_mirror_url(fixture_urls) -> str:
    """Base URL of the Go mirror, e.g. http://127.0.0.1:18765/dl/ (tarballs go<V>.linux-amd64.tar.gz)."""
    return fixture_urls["GO_MIRROR_URL"]


@pytest.fixture(scope="session")
def go_index_url(fixture_urls) -> str:
    """The mirror's release index in go.dev's ?mode=json&include=all format."""
    return fixture_urls["GO_INDEX_URL"]


@pytest.fixture(scope="session")
def goproxy_url(fixture_urls) -> str:
    """A GOPROXY holding example.test/hellotool v1.0.0 and v1.1.0 (fixtures/modproxy.py)."""
    return fixture_urls["GOPROXY_URL"]


@pytest.fixture(scope="session")
def tampered_mirror_url(fixture_urls) -> str:
    """A mirror with the genuine index.json whose tarballs no longer match the index's sha256."""
    return fixture_urls["TAMPERED_MIRROR_URL"]


@pytest.fixture
def docker_leak_check(docker_engine) -> Iterator[None]:
    """Fail the test if it leaves containers, volumes or dangling images behind.

    Compares whole-engine snapshots, so another session building on the same engine at the same time can
    cause a false alarm; CI runs one session per machine.
    """
    before = docker_objects(docker_engine)
    yield
    left = leaked(before, docker_objects(docker_engine))
    if left:
        pytest.fail(f"test leaked Docker objects: {left}", pytrace=False)
