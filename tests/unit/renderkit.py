"""Helpers for render tests: a lock built without network, and parsers that read rendered files back."""

from __future__ import annotations

import json
import re

from envbuilder.lock import ArchiveLock, BaseLock, GoLock, Lock, ToolLock, ZigLock, spec_hash, zig_pin
from envbuilder.spec.models import Spec

FAKE_SHA = "ab" * 32


def offline_go(spec: Spec, version: str, requested: str) -> GoLock:
    """A locked Go VERSION (for REQUESTED) whose archives point at the spec's mirror."""
    base = spec.go.download if spec.go.download.endswith("/") else spec.go.download + "/"
    archives = {
        p: ArchiveLock(filename=f"go{version}.linux-{p.split('/')[1]}.tar.gz",
                       url=f"{base}go{version}.linux-{p.split('/')[1]}.tar.gz", sha256=FAKE_SHA, size=1)
        for p in spec.platforms
    }
    return GoLock(requested=requested, version=version, toolchain=spec.go.toolchain, archives=archives)


def offline_lock(spec: Spec, version: str = "1.22.10") -> Lock:
    """What `envbuilder lock` would write, minus the network: archives point at the spec's mirror."""
    tools = [ToolLock(module=t.split("@")[0], version=t.split("@")[1], stage="dev") for t in spec.tools]
    tools += [ToolLock(module=t.split("@")[0], version=t.split("@")[1], stage="ci") for t in spec.ci.tools]
    image, _, digest = spec.base.image.partition("@")  # the lock keeps a pinned digest apart
    zig = zig_pin(spec)
    return Lock(spec_hash=spec_hash(spec), go=offline_go(spec, version, spec.go.version),
                base=BaseLock(image=image, digest=digest or None), tools=tools,
                zig=ZigLock(**zig) if zig else None)


def dockerfile_unquote(word: str) -> str:
    """Undo Dockerfile double-quoting (ENV values): \\\\ \\" \\$ escapes inside "..."."""
    assert word.startswith('"') and word.endswith('"'), word
    return re.sub(r'\\(.)', r"\1", word[1:-1])


def parse_dockerfile(text: str):
    import dockerfile  # BuildKit's own parser (Go), wrapped: the oracle for what BuildKit will execute

    return dockerfile.parse_string(text)


def env_instructions(text: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for cmd in parse_dockerfile(text):
        if cmd.cmd == "ENV":
            pairs = cmd.value
            for i in range(0, len(pairs), 2):
                env[pairs[i]] = dockerfile_unquote(pairs[i + 1])
    return env


def parse_jsonc(text: str) -> dict:
    """devcontainer.json is JSONC: envbuilder writes only whole-line // comments (the header)."""
    return json.loads("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")))


def parse_hcl(text: str) -> dict:
    """Parse with python-hcl2 and decode its quoted strings (it keeps HCL's quotes and escapes verbatim)."""
    import hcl2

    def decode(node):
        if isinstance(node, dict):
            return {decode(k): decode(v) for k, v in node.items() if k not in ("__is_block__", "__comments__")}
        if isinstance(node, list):
            return [decode(v) for v in node]
        if isinstance(node, str) and len(node) >= 2 and node[0] == node[-1] == '"':
            return json.loads(node).replace("$${", "${").replace("%%{", "%{")
        return node

    return decode(hcl2.loads(text))
