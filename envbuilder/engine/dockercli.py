"""Find a docker CLI that can run BuildKit builds.

BuildKit is the only path to cache mounts, secrets, multi-platform and remote builders, and docker-py cannot
drive it, so builds go through a CLI. Docker >= 23 needs the buildx plugin for BuildKit; Docker 20.10-22
ships a built-in BuildKit client enabled by DOCKER_BUILDKIT=1. The first `docker` on PATH is often a new
CLI without buildx, so every candidate is probed, not just the first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from envbuilder.errors import EnvironmentProblem

PROBE_TIMEOUT_S = 15
WELL_KNOWN = ("/usr/bin/docker", "/usr/local/bin/docker")


@dataclass(frozen=True)
class DockerCli:
    path: str
    version: str
    buildx: bool  # True: `docker buildx build`; False: `DOCKER_BUILDKIT=1 docker build` (20.10-22.x)

    def build_argv(self) -> list[str]:
        return [self.path, "buildx", "build"] if self.buildx else [self.path, "build"]

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_BUILDKIT": "1"}


def _candidates() -> list[str]:
    found: list[str] = []
    explicit = os.environ.get("ENVBUILDER_DOCKER")
    if explicit:
        found.append(explicit)
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        path = shutil.which("docker", path=directory) if directory else None
        if path:
            found.append(path)
    found.extend(p for p in WELL_KNOWN if os.access(p, os.X_OK))
    unique: list[str] = []
    seen: set[str] = set()
    for p in found:
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            unique.append(p)
    return unique


def _run(argv: list[str]) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                              env={**os.environ, "DOCKER_BUILDKIT": "1"})
    except (OSError, subprocess.TimeoutExpired):
        return None


def _major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0


def probe(path: str) -> tuple[DockerCli | None, str]:
    """(usable CLI or None, why not)."""
    ver = _run([path, "version", "--format", "{{.Client.Version}}"])
    if ver is None or not ver.stdout.strip():
        return None, f"{path}: does not run"
    version = ver.stdout.strip().splitlines()[0]
    bx = _run([path, "buildx", "version"])
    if bx is not None and bx.returncode == 0:
        return DockerCli(path, version, buildx=True), ""
    if _major(version) < 23:
        return DockerCli(path, version, buildx=False), ""
    return None, f"{path} (Docker {version}) has no buildx plugin, and Docker 23+ needs it for BuildKit"


def find_buildkit_cli(need_buildx: bool = False) -> DockerCli:
    reasons = []
    for path in _candidates():
        cli, why = probe(path)
        if cli is not None and (cli.buildx or not need_buildx):
            return cli
        reasons.append(why or f"{path} (Docker {cli.version if cli else '?'}) has no buildx, needed for --builder")
    if not reasons:
        raise EnvironmentProblem("no docker CLI found: install docker.io (Debian) or Docker with the buildx plugin")
    raise EnvironmentProblem("no docker CLI can run BuildKit builds: " + "; ".join(reasons)
                             + " (install docker-buildx, or point ENVBUILDER_DOCKER at a working CLI)")


def cli_path_hint() -> str:
    return str(Path(shutil.which("docker") or "docker"))
