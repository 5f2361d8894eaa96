"""Find the running devcontainer of a workspace, the way the devcontainer CLI and VS Code find it.

`devcontainer up` labels its container with the workspace's absolute path (devcontainer.local_folder) and
the config file's (devcontainer.config_file); those are the CLI's default --id-label pair, so they identify
the container VS Code or the CLI would reuse. The remote user comes from the container's
devcontainer.metadata label: the CLI stores the merged metadata there (image metadata first, then
devcontainer.json), and, as in the CLI's merge, the last entry that sets remoteUser wins.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envbuilder.errors import EnvironmentProblem, InputError

LOCAL_FOLDER = "devcontainer.local_folder"
CONFIG_FILE = "devcontainer.config_file"
METADATA = "devcontainer.metadata"


class DevcontainerNotRunning(EnvironmentProblem):
    """No running devcontainer for the workspace (exit 3): the message says how to start one."""


def find_devcontainer(workspace: Path, *, config: Path | None = None, client: Any = None) -> tuple[str, str]:
    """(container id, remote user) of the running devcontainer for WORKSPACE.

    CONFIG narrows the match to one devcontainer.json when a workspace has several. CLIENT is a docker-py
    client (default: envbuilder.engine.client.engine(), exit 3 without an engine)."""
    if not workspace.is_dir():
        raise InputError(f"{workspace}: not a directory (give the workspace folder of the devcontainer)")
    if client is None:
        from envbuilder.engine.client import engine

        client = engine()
    matches = _labelled(client, workspace, config)
    running = [c for c in matches if c.status == "running"]
    start = f"start it with `devcontainer up --workspace-folder {workspace}`"
    if not running:
        if matches:
            raise DevcontainerNotRunning(f"the devcontainer of {workspace} ({matches[0].short_id}) is "
                                         f"{matches[0].status}: {start}")
        raise DevcontainerNotRunning(f"no devcontainer for {workspace}: {start}")
    if len(running) > 1:
        ids = ", ".join(sorted(c.short_id for c in running))
        raise InputError(f"{len(running)} running devcontainers for {workspace} ({ids}): give the "
                         "devcontainer.json to pick one")
    container = running[0]
    return container.id, remote_user(container.attrs)


def _labelled(client: Any, workspace: Path, config: Path | None) -> list[Any]:
    """Containers whose devcontainer.local_folder is WORKSPACE, spelled as given or with symlinks
    resolved (the CLI records the path it was given, made absolute)."""
    spellings = {str(workspace.absolute()), str(workspace.resolve())}
    found: dict[str, Any] = {}
    for folder in sorted(spellings):
        filters = {"label": [f"{LOCAL_FOLDER}={folder}"]}
        if config is not None:
            filters["label"].append(f"{CONFIG_FILE}={config.absolute()}")
        for c in client.containers.list(all=True, filters=filters, ignore_removed=True):
            found[c.id] = c
    return list(found.values())


def remote_user(attrs: dict[str, Any]) -> str:
    """The remote user of a devcontainer from its inspect data (remoteUser, else containerUser, else the
    image's user, else root: the CLI's order)."""
    config = attrs.get("Config") or {}
    try:
        entries = json.loads((config.get("Labels") or {}).get(METADATA) or "[]")
    except ValueError:
        entries = []
    if isinstance(entries, dict):
        entries = [entries]
    entries = [e for e in entries if isinstance(e, dict)]
    for key in ("remoteUser", "containerUser"):
        users = [e[key] for e in entries if isinstance(e.get(key), str) and e[key]]
        if users:
            return users[-1]
    return config.get("User") or "root"
