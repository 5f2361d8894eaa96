"""zig's global cache, warmed in the image for exactly the spec's zig targets.

zig builds the C runtime of a target the first time something links for it (compiler_rt, glibc's stub
libraries and crt files per glibc floor, musl's libc.a, mingw's crt and import libraries) and keeps them in
its global cache. A fresh container's cache is cold, so every target's first cgo link takes minutes. The
base stage therefore links verify's probe once per zig toolchain, with the env (profiles.build_env) and
flags (profiles.GO_BUILD) of verify's probe builds and the generated CI jobs, so the pieces zig caches are
the ones those builds ask for (zig keys them by target, glibc version and optimize mode, which cgo's flags
choose), and verify's C probe (with cgo's flags; zig still keys mingw's and musl's libraries apart from
Go's link, so the probe adds some). zig locks and may rewrite
a manifest even on a hit, so the cache stays writable by every user.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from envbuilder.profiles import build_line, c_probe_link, target_toolchain
from envbuilder.spec.models import Spec, Target

ZIG_CACHE_DIR = "/opt/zig-cache"  # ZIG_GLOBAL_CACHE_DIR of the images
WARM_DIR = "/tmp/zig-warm"  # the probe, its outputs and HOME (Go's telemetry) of the warm step; removed after it
# Go's build cache of the warm step: a cache mount, so Go's part of the warm stays out of the image.
WARM_GOCACHE = "/root/.cache/envbuilder-zig-warm"
WARM_GOCACHE_ID = "envbuilder-gocache-zigwarm"
PROBE_FILES = ("go.mod", "main.go", "cgo.go", "nocgo.go")
C_PROBE = "probe.c"  # verify's C probe


def zig_warm_targets(spec: Spec) -> list[Target]:
    """One cgo target per zig toolchain (wrapper) of the spec, in spec order: targets that share a wrapper
    (amd64 levels, GOARM 5 and 6) link the same zig pieces."""
    seen: set[str] = set()
    targets = []
    for t in spec.targets:
        tc = target_toolchain(t)
        if tc is None or tc.strategy != "zig" or tc.cc in seen:
            continue
        seen.add(tc.cc)
        targets.append(t)
    return targets


def zig_warm_command(target: Target, out: str) -> str:
    """`env GOOS=.. CGO_ENABLED=1 CC=zcc-.. go build -trimpath -o OUT .`, one shell line."""
    return build_line(target, "-o", out, ".")


def zig_c_probe_command(target: Target, source: str, out: str) -> str:
    """verify's C probe link for TARGET's zig wrapper."""
    tc = target_toolchain(target)
    assert tc is not None
    return c_probe_link(tc.cc, out, source)


def zig_cache_context(spec: Spec) -> dict[str, Any] | None:
    """What the Dockerfile's base stage lays out to warm zig's cache, or None without zig targets."""
    targets = zig_warm_targets(spec)
    if not targets:
        return None
    probe = resources.files("envbuilder.templates").joinpath("probe")
    # tabs become spaces: the Dockerfile's quoting takes no control characters, and Go does not mind
    files = [{"name": name, "lines": probe.joinpath(f"{name}.txt").read_text().expandtabs(4).splitlines()}
             for name in PROBE_FILES]
    c_probe = {"name": C_PROBE, "lines": probe.joinpath(C_PROBE).read_text().expandtabs(4).splitlines()}
    return {"dir": ZIG_CACHE_DIR, "warm_dir": WARM_DIR, "gocache": WARM_GOCACHE,
            "gocache_id": WARM_GOCACHE_ID, "probe": files, "c_probe": c_probe,
            "commands": [zig_warm_command(t, f"{WARM_DIR}/out/{t.key}") for t in targets],
            "c_commands": [zig_c_probe_command(t, f"{WARM_DIR}/{C_PROBE}", f"{WARM_DIR}/out/c-{t.key}")
                           for t in targets]}
