"""The ci image's warm Go build cache (spec `ci.warm_cache`): the standard-library builds its Dockerfile runs.

Go keys each compiled package by what changes its object code: GOOS/GOARCH and variant, CGO_ENABLED, CC and
its flags, -trimpath. So each target's std is compiled with exactly the env (profiles.build_env) and flags
(profiles.GO_BUILD) of verify's probe builds and the generated CI jobs, and their first builds in a fresh
container find every std package of every target in GOCACHE.
"""

from __future__ import annotations

from typing import Any

from envbuilder.identity import GOCACHE
from envbuilder.profiles import build_line, target_toolchain
from envbuilder.spec.models import Spec, Target

# 2100-01-01T00:00:00Z. Go deletes cache entries unused for 5 days and re-dates used entries older than an
# hour: dated in the future, the warmed entries survive in an image of any age, and a container reads them
# without writing (no chtimes, so no copy-up of every entry into the container's layer).
FUTURE_MTIME = 4102444800
# The ci stage builds as root: compilers that cache in HOME write here, a cache mount, not a layer.
CI_HOME_CACHE = "/root/.cache"
# zig's cache of the std builds (C files compiled, nothing linked): in the cache mount, not over the image's
# warmed zig cache (zigcache.ZIG_CACHE_DIR), which would copy its touched manifests into this layer.
CI_ZIG_CACHE = f"{CI_HOME_CACHE}/zig"


def warmed_targets(spec: Spec) -> list[Target]:
    """The targets whose std the image compiles: all of them, but a cgo target without an envbuilder-managed
    C toolchain (darwin with an Apple SDK: its compiler is the user's business, as in verify)."""
    return [t for t in spec.targets if not t.cgo or target_toolchain(t) is not None]


def warm_command(target: Target) -> str:
    """`env GOOS=.. GOARCH=.. CGO_ENABLED=.. [CC=.. CXX=..] go build -trimpath std`, one shell line."""
    return build_line(target, "std")


def warm_cache_context(spec: Spec) -> dict[str, Any] | None:
    """What the Dockerfile's ci stage lays out to warm GOCACHE, or None when ci.warm_cache is off."""
    if not spec.ci.warm_cache:
        return None
    targets = warmed_targets(spec)
    zig = any(tc is not None and tc.strategy == "zig" for tc in map(target_toolchain, targets))
    return {"commands": [warm_command(t) for t in targets], "gocache": GOCACHE, "mtime": FUTURE_MTIME,
            "home_cache": CI_HOME_CACHE, "zig_cache": CI_ZIG_CACHE if zig else None}
