"""`envbuilder build --push` to a real registry, images pinned by digest, and each way a push or pull fails."""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.integration.conftest import registry_project

pytestmark = pytest.mark.integration

DIGEST = r"sha256:[0-9a-f]{64}"


@pytest.fixture(scope="module")
def pushed(tmp_path_factory, registry, base_image, go_mirror_url, go_index_url, goproxy_url, docker_engine):
    """The ci image of a small project, built and pushed once: (project, `REF@sha256:...` it printed)."""
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


def test_push_prints_the_reference_pinned_by_the_digest_the_registry_serves(pushed, registry):
    project, pinned, result = pushed
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.fullmatch(rf"{registry.host}/envbuilder-tests/pushed:ci-go1\.22\.10@{DIGEST}", pinned), result.stdout
    request = urllib.request.Request(f"{registry.url}/v2/envbuilder-tests/pushed/manifests/ci-go1.22.10",
                                     headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
                                     method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["Docker-Content-Digest"] == pinned.split("@")[1]
