"""A snapshot as flat `key -> value` text, the form diff compares and ranking classifies.

Keys: go.version, go.binary.sha256, go.binary.path, goroot.sha256, env.<go env name>, goflags.<flag>
(GOFLAGS split per flag), compiler.version.<cmd>, compiler.path.<cmd>, cross.<tool>, os.<os-release key>,
package.<name>, tool.<binary>, label.<name>; for a release binary: go.version, env.<NAME> for build
settings that are environment variables (GOOS, CGO_ENABLED, GOAMD64, ...), build.<setting> for the rest
(-trimpath, -ldflags, vcs.revision, ...), binary.main, binary.path, dep.<module path>.
"""

from __future__ import annotations

import re
import shlex

from envbuilder.snapshot.model import Facts

_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Shown once, as go.version.
_SKIPPED_ENV = frozenset({"GOVERSION", "GOFLAGS"})


def goflags(value: str) -> dict[str, str]:
    """GOFLAGS as flag -> value (`-mod=readonly` -> {"-mod": "readonly"}, a bare flag -> "true")."""
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    out = {}
    for word in words:
        name, eq, flag_value = word.partition("=")
        out["-" + name.lstrip("-")] = flag_value if eq else "true"
    return out


def flatten(facts: Facts) -> dict[str, str]:
    flat: dict[str, str] = {}

    def put(key: str, value: str | None) -> None:
        if value is not None:
            flat[key] = value

    put("go.version", facts.go_version)
    put("go.binary.sha256", facts.go_binary_sha256)
    put("go.binary.path", facts.go_binary)
    put("goroot.sha256", facts.goroot_sha256)
    for name, value in facts.go_env.items():
        if name not in _SKIPPED_ENV:
            put(f"env.{name}", value)
    if "GOFLAGS" in facts.go_env:
        for flag, value in goflags(facts.go_env["GOFLAGS"]).items():
            put(f"goflags.{flag}", value)
    for name, compiler in facts.compilers.items():
        put(f"compiler.version.{name}", compiler.version or "not found")
        put(f"compiler.path.{name}", compiler.path or "not found")
    for name, version in facts.cross_tools.items():
        put(f"cross.{name}", version)
    for name, value in facts.os_release.items():
        put(f"os.{name}", value)
    for name, version in facts.packages.items():
        put(f"package.{name}", version)
    for name, tool in facts.tools.items():
        put(f"tool.{name}", f"{tool.module or tool.package or tool.path}@{tool.version or '?'} "
                            f"({tool.go_version or 'no build info'})")
    for name, value in facts.labels.items():
        put(f"label.{name}", value)
    if facts.binary is not None:
        build = facts.binary
        put("binary.path", build.path)
        put("binary.main", build.main)
        settings = {"-trimpath": "false", **build.settings}  # Go records -trimpath only when set
        for name, value in settings.items():
            put(f"env.{name}" if _ENV_NAME.match(name) else f"build.{name}", value)
        for dep in build.deps:
            put(f"dep.{dep.path}", " ".join(p for p in (dep.version, dep.sum) if p)
                + (f" => {dep.replace}" if dep.replace else ""))
    return flat
