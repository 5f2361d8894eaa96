"""Image facts from the local engine through docker-py (never the CLI: its output formats drift)."""

from __future__ import annotations

import os

ENGINE_TIMEOUT_S = 5


def local_image_ref(image: str) -> tuple[str | None, str | None]:
    """(registry digest, local image ID) of IMAGE as the local engine knows it; (None, None) when there is
    no engine or no such image. Locking must work without Docker, so this never raises."""
    if os.environ.get("ENVBUILDER_NO_ENGINE"):
        return None, None
    try:
        import docker
        from docker.errors import DockerException

        client = docker.from_env(timeout=ENGINE_TIMEOUT_S)
    except Exception:  # noqa: BLE001 - no engine, bad DOCKER_HOST: locking goes on unpinned
        return None, None
    try:
        img = client.images.get(image)
    except (DockerException, OSError):
        return None, None
    finally:
        client.close()
    digest = None
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    for rd in img.attrs.get("RepoDigests") or []:
        name, _, d = rd.partition("@")
        if name == repo or name.endswith("/" + repo):
            digest = d
            break
    return digest, img.id
