"""What goes into .devcontainer/devcontainer.json: the dev target, the remote user, cache volumes,
pinned module settings as containerEnv, VS Code customizations and lifecycle commands."""

from __future__ import annotations

from typing import Any

from envbuilder.identity import cache_volumes
from envbuilder.lock import Lock
from envbuilder.spec.models import Spec


def devcontainer_context(spec: Spec, lock: Lock) -> dict[str, Any]:
    dc = spec.devcontainer
    env = dict(spec.modules.env())
    env["GOTOOLCHAIN"] = lock.go.toolchain
    lifecycle = [(k, v) for k, v in (("postCreateCommand", dc.post_create), ("postStartCommand", dc.post_start)) if v]
    return {
        "name": spec.name,
        "dockerfile": "../Dockerfile",
        "context": "..",
        "build_options": [],
        "user": dc.user,
        "mounts": [{"source": s, "target": t} for s, t in cache_volumes(spec).items()],
        "container_env": list(env.items()),
        "run_args": list(dc.run_args),
        "cap_add": ["SYS_PTRACE"] if dc.ptrace else [],
        "security_opt": ["seccomp=unconfined"] if dc.ptrace else [],
        "lifecycle": lifecycle,
        "extensions": list(dc.extensions),
        "vscode_settings": {
            "go.goroot": "/usr/local/go",
            "go.gopath": "/go",
            "go.toolsManagement.autoUpdate": False,
            "go.toolsManagement.checkForUpdates": "off",
            "gopls": {"build.env": {"GOTOOLCHAIN": lock.go.toolchain}},
        },
    }
