"""What goes into .devcontainer/devcontainer.json: the dev target, the remote user, cache volumes,
pinned module settings as containerEnv, VS Code customizations and lifecycle commands.

The container runs as root (containerUser) and the editor, terminals and lifecycle commands as the spec's
user (remoteUser): root is needed only by the dev image's entrypoint (overrideCommand false runs it), which
hands GOPATH and the cache volumes to the user's UID after updateRemoteUserUID changed it (see the dev stage
of Dockerfile.j2). An image LABEL devcontainer.metadata entrypoint would not do: the CLI reads that label
from the Dockerfile's base image, not from the stage it builds (devcontainers/spec#739).
"""

from __future__ import annotations

from typing import Any

from envbuilder.identity import GOPATH, GOROOT, cache_volumes
from envbuilder.lock import Lock
from envbuilder.spec.models import Spec

# Installed by the dev stage: waits for the entrypoint's ownership fix, then runs its argument with sh -c.
READY = "/usr/local/bin/envbuilder-devcontainer-ready"


def _lifecycle(spec: Spec) -> list[tuple[str, Any]]:
    dc = spec.devcontainer
    # onCreateCommand always waits for the ownership fix, so no lifecycle command races it.
    on_create: list[str] = [READY, dc.on_create] if dc.on_create else [READY]
    commands: list[tuple[str, Any]] = [("onCreateCommand", on_create)]
    commands += [(k, v) for k, v in (("postCreateCommand", dc.post_create), ("postStartCommand", dc.post_start)) if v]
    return commands


def _vscode_settings(spec: Spec, lock: Lock) -> dict[str, Any]:
    """The Go extension and gopls use the pinned Go and the image's tools; nothing updates itself."""
    tools_env = {"GOTOOLCHAIN": lock.go.toolchain}
    settings: dict[str, Any] = {
        "go.goroot": GOROOT,
        "go.gopath": GOPATH,
        "go.toolsGopath": GOPATH,
        "go.toolsEnvVars": tools_env,
        "go.toolsManagement.autoUpdate": False,
        "go.toolsManagement.checkForUpdates": "off",
        "gopls": {"build.env": tools_env},
    }
    installed = {t.module.rsplit("/", 1)[-1]: t for t in lock.tools if t.stage == "dev"}
    if "gopls" in installed:  # the pinned gopls from the image, not one the extension would fetch @latest
        settings["go.alternateTools"] = {"gopls": f"{GOPATH}/bin/gopls"}
    return settings


def devcontainer_context(spec: Spec, lock: Lock) -> dict[str, Any]:
    dc = spec.devcontainer
    env = dict(spec.modules.env())
    env["GOTOOLCHAIN"] = lock.go.toolchain
    return {
        "name": spec.name,
        "dockerfile": "../Dockerfile",
        "context": "..",
        "build_options": list(dc.build_options),
        "user": dc.user,
        "mounts": [{"source": s, "target": t} for s, t in cache_volumes(spec).items()],
        "container_env": list(env.items()),
        "run_args": list(dc.run_args),
        "forward_ports": list(dc.forward_ports),
        "cap_add": ["SYS_PTRACE"] if dc.ptrace else [],
        "security_opt": ["seccomp=unconfined"] if dc.ptrace else [],
        "lifecycle": _lifecycle(spec),
        "extensions": list(dc.extensions),
        "vscode_settings": _vscode_settings(spec, lock),
    }
