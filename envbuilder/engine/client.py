"""docker-py client with a clear exit-3 error when there is no engine."""

from __future__ import annotations

import os

from envbuilder.errors import EnvironmentProblem

TIMEOUT_S = 60


def engine():
    """A connected docker-py client, or EnvironmentProblem naming DOCKER_HOST and what to do."""
    import docker
    from docker.errors import DockerException

    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        client = docker.from_env(timeout=TIMEOUT_S)
        client.ping()
    except (DockerException, OSError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise EnvironmentProblem(
            f"no Docker engine at {where}: {reason} (start one, e.g. `bash scripts/ensure-docker.sh`, "
            "or set DOCKER_HOST)"
        ) from None
    return client
