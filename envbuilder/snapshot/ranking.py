"""Which differences matter: every fact key has one class, decided by ONE table (`FACT_CLASSES`).

- output: changes the bytes a build produces (Go version and toolchain bytes, GOFLAGS, cgo and its
  compilers, the architecture level, -trimpath and other build settings, dependencies, and the Debian
  packages of compilers, C libraries and linkers);
- module: changes which module versions a build resolves or accepts (GOPROXY, GOSUMDB, GOPRIVATE,
  GONOPROXY, GONOSUMDB, GOINSECURE, GOVCS, GOFLAGS -mod, GOTOOLCHAIN);
- cosmetic: everything else (paths, cache locations, other env, other packages, installed Go tools, OS
  release, image labels): worth seeing, never a reason the build differs.

Rows are in order of importance; the first row whose pattern (`fnmatch`, `*` any text) matches a key
decides it, so a specific row goes above a general one. Adding a fact is adding one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

ChangeClass = Literal["output", "module", "cosmetic"]
CLASS_ORDER: tuple[ChangeClass, ...] = ("output", "module", "cosmetic")
CLASS_TITLES: dict[ChangeClass, str] = {"output": "output", "module": "module resolution", "cosmetic": "cosmetic"}


@dataclass(frozen=True)
class FactClass:
    pattern: str
    change: ChangeClass
    title: str  # "{}" is replaced by the key's name: what follows the pattern's family (`env.`, `dep.`)

    def describe(self, key: str) -> str:
        if "*" not in self.pattern:
            return self.title
        # the name is the key after the pattern's family (`package.`, `compiler.version.`)
        head = self.pattern.split("*", 1)[0]
        family = head[: head.rfind(".") + 1]
        return self.title.format(key[len(family):])


_OUTPUT_ENV = ("GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64",
               "GORISCV64", "GOWASM", "GOEXPERIMENT", "CC", "CXX", "AR", "PKG_CONFIG")
_MODULE_ENV = ("GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE", "GOVCS", "GOTOOLCHAIN")
# Debian packages whose version changes what cgo compiles or links.
_OUTPUT_PACKAGES = ("gcc*", "g++*", "cpp*", "libc6-dev*", "libgcc*-dev*", "libstdc++*-dev*", "binutils*",
                    "*mingw*", "clang*", "lld*", "llvm*", "zig*")

FACT_CLASSES: tuple[FactClass, ...] = (
    FactClass("go.version", "output", "Go version"),
    FactClass("goroot.sha256", "output", "GOROOT contents"),
    FactClass("go.binary.sha256", "output", "go binary"),
    FactClass("env.CGO_ENABLED", "output", "CGO_ENABLED"),
    FactClass("goflags.-mod", "module", "GOFLAGS -mod"),
    FactClass("goflags.-modfile", "module", "GOFLAGS -modfile"),
    FactClass("goflags.*", "output", "GOFLAGS {}"),
    FactClass("build.-trimpath", "output", "-trimpath"),
    *(FactClass(f"env.{name}", "output", name) for name in _OUTPUT_ENV),
    FactClass("env.CGO_*", "output", "{}"),
    FactClass("compiler.version.*", "output", "{} version"),
    FactClass("cross.zig", "output", "zig version"),
    FactClass("cross.*mingw32*", "output", "{} version"),
    FactClass("build.-ldflags", "output", "-ldflags"),
    FactClass("build.-buildmode", "output", "-buildmode"),
    FactClass("build.vcs.time", "cosmetic", "vcs.time"),  # follows vcs.revision
    FactClass("build.*", "output", "build setting {}"),
    FactClass("binary.main", "output", "main module"),
    FactClass("binary.path", "output", "main package"),
    FactClass("dep.*", "output", "dependency {}"),
    *(FactClass(f"package.{glob}", "output", "package {}") for glob in _OUTPUT_PACKAGES),
    *(FactClass(f"env.{name}", "module", name) for name in _MODULE_ENV),
    FactClass("go.binary.path", "cosmetic", "go binary path"),
    FactClass("compiler.path.*", "cosmetic", "{} path"),
    FactClass("env.*", "cosmetic", "{}"),
    FactClass("cross.*", "cosmetic", "{} version"),
    FactClass("tool.*", "cosmetic", "tool {}"),
    FactClass("package.*", "cosmetic", "package {}"),
    FactClass("os.*", "cosmetic", "os-release {}"),
    FactClass("label.*", "cosmetic", "label {}"),
    FactClass("*", "cosmetic", "{}"),
)


def classify(key: str) -> tuple[int, FactClass]:
    """(row index, row) of the first FACT_CLASSES row matching KEY (the last row matches everything)."""
    for index, row in enumerate(FACT_CLASSES):
        if fnmatchcase(key, row.pattern):
            return index, row
    raise AssertionError("the last row of FACT_CLASSES matches every key")


def rank(key: str) -> tuple[int, int, str]:
    """Sort key: class first, then the row's place in the table, then the key."""
    index, row = classify(key)
    return CLASS_ORDER.index(row.change), index, key
