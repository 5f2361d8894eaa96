"""Push images to a registry and pull them by digest, through the engine (docker-py).

The engine streams a push as JSON events; an error event can follow layers that were already uploaded, so a
push counts only when the stream ends with the manifest's digest and no error, and the registry then serves
that digest. Every failure is one line: the registry unreachable or refusing is an environment problem
(exit 3); an image or platform the registry does not have is a failed check (exit 1).
"""

from __future__ import annotations

import re

from envbuilder.errors import CheckFailed, EnvironmentProblem

DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
# What the engine says when it cannot reach a registry at all (as opposed to the registry saying no).
_UNREACHABLE = ("connection refused", "no such host", "i/o timeout", "dial tcp", "connection reset",
                "network is unreachable", "no route to host")
_MISSING = ("manifest unknown", "not found", "does not exist", "no such manifest", "no matching manifest")


def split_ref(ref: str) -> tuple[str, str | None, str | None]:
    """(repository, tag or None, digest or None) of REF: registry:5000/a/b:tag@sha256:..."""
    name, _, digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        repo, _, tag = name.rpartition(":")
        return repo, tag, digest or None
    return name, None, digest or None


def registry_host(ref: str) -> str:
    """The registry part of REF (Docker Hub when the first path part is no host name)."""
    first = ref.split("/", 1)[0]
    return first if "/" in ref and ("." in first or ":" in first or first == "localhost") else "docker.io"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def _registry_error(ref: str, action: str, message: str) -> EnvironmentProblem | CheckFailed:
    lowered = message.lower()
    host = registry_host(ref)
    if any(m in lowered for m in _UNREACHABLE):
        return EnvironmentProblem(f"registry {host} does not answer ({action} {ref}): {_one_line(message)}")
    if action == "pull" and any(m in lowered for m in _MISSING):
        return CheckFailed(f"{ref}: no such image in registry {host}: {_one_line(message)}")
    return EnvironmentProblem(f"registry {host} refused the {action} of {ref}: {_one_line(message)}")


def push(client, ref: str) -> str:
    """Push REF (repository:tag) through the engine; return `repository@sha256:...`, once the registry
    serves it."""
    from docker.errors import DockerException

    repo, tag, _ = split_ref(ref)
    digest = None
    try:
        for event in client.api.push(repo, tag=tag, stream=True, decode=True):
            if "error" in event:
                raise _registry_error(ref, "push", event.get("error") or str(event.get("errorDetail")))
            aux = event.get("aux") or {}
            if DIGEST_RE.match(str(aux.get("Digest", ""))):
                digest = aux["Digest"]
    except DockerException as exc:
        raise _registry_error(ref, "push", str(exc)) from None
    if digest is None:
        raise EnvironmentProblem(f"push of {ref} ended without a digest from registry {registry_host(ref)}")
    try:
        client.api.inspect_distribution(f"{repo}@{digest}")
    except DockerException as exc:
        raise _registry_error(ref, "push", f"the registry does not serve the pushed {digest}: {exc}") from None
    return f"{ref}@{digest}"


def ensure_local(client, ref: str) -> None:
    """Pull REF when the engine does not have it (an image pinned by digest found on another runner)."""
    from docker.errors import DockerException, ImageNotFound

    try:
        client.images.get(ref)
        return
    except ImageNotFound:
        pass
    except DockerException as exc:
        raise EnvironmentProblem(f"image {ref}: {_one_line(str(exc))}") from None
    repo, tag, digest = split_ref(ref)
    try:
        for event in client.api.pull(repo, tag=digest or tag or "latest", stream=True, decode=True):
            if "error" in event:
                raise _registry_error(ref, "pull", event.get("error") or str(event.get("errorDetail")))
    except DockerException as exc:
        raise _registry_error(ref, "pull", str(exc)) from None
