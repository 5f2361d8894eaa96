"""The cgo cross toolchain table: one place that maps a Go target to its C compilers and Debian packages.

Rows follow design.md ("Targets and cgo toolchains", Debian bookworm packages). Everything that needs a
C compiler for a target (render, verify) asks `cgo_toolchain()`; nothing else hard-codes a compiler name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the spec model imports this module
    from envbuilder.spec.models import Target


@dataclass(frozen=True)
class CgoToolchain:
    cc: str
    cxx: str
    packages: tuple[str, ...]
    strategy: str = "gnu"  # "gnu" (Debian cross gcc) or "zig" (zig cc wrapper installed by envbuilder)


# ELF e_machine / PE Machine / Mach-O cputype per GOARCH, used by verify and inspect expectations.
ELF_MACHINE = {"amd64": 62, "386": 3, "arm": 40, "arm64": 183, "riscv64": 243, "ppc64le": 21, "s390x": 22,
               "ppc64": 21, "mips64le": 8, "mipsle": 8, "mips": 8, "mips64": 8, "loong64": 258}
PE_MACHINE = {"amd64": 0x8664, "386": 0x14C, "arm64": 0xAA64, "arm": 0x1C4}
MACHO_CPUTYPE = {"amd64": 0x01000007, "arm64": 0x0100000C}

_GNU: dict[tuple[str, str], CgoToolchain] = {
    ("linux", "amd64"): CgoToolchain("x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++", ("gcc", "g++", "libc6-dev")),
    ("linux", "386"): CgoToolchain("i686-linux-gnu-gcc", "i686-linux-gnu-g++",
                                   ("gcc-i686-linux-gnu", "g++-i686-linux-gnu", "libc6-dev-i386-cross")),
    ("linux", "arm64"): CgoToolchain("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++",
                                     ("gcc-aarch64-linux-gnu", "g++-aarch64-linux-gnu", "libc6-dev-arm64-cross")),
    ("linux", "riscv64"): CgoToolchain("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-g++",
                                       ("gcc-riscv64-linux-gnu", "g++-riscv64-linux-gnu",
                                        "libc6-dev-riscv64-cross")),
    ("linux", "ppc64le"): CgoToolchain("powerpc64le-linux-gnu-gcc", "powerpc64le-linux-gnu-g++",
                                       ("gcc-powerpc64le-linux-gnu", "g++-powerpc64le-linux-gnu",
                                        "libc6-dev-ppc64el-cross")),
    ("linux", "s390x"): CgoToolchain("s390x-linux-gnu-gcc", "s390x-linux-gnu-g++",
                                     ("gcc-s390x-linux-gnu", "g++-s390x-linux-gnu", "libc6-dev-s390x-cross")),
    ("windows", "amd64"): CgoToolchain("x86_64-w64-mingw32-gcc-posix", "x86_64-w64-mingw32-g++-posix",
                                       ("gcc-mingw-w64-x86-64-posix", "g++-mingw-w64-x86-64-posix")),
    ("windows", "386"): CgoToolchain("i686-w64-mingw32-gcc-posix", "i686-w64-mingw32-g++-posix",
                                     ("gcc-mingw-w64-i686-posix", "g++-mingw-w64-i686-posix")),
}
# GOARM=7 is hard-float (armhf); GOARM=5/6 use the soft-float armel toolchain.
_ARMHF = CgoToolchain("arm-linux-gnueabihf-gcc", "arm-linux-gnueabihf-g++",
                      ("gcc-arm-linux-gnueabihf", "g++-arm-linux-gnueabihf", "libc6-dev-armhf-cross"))
_ARMEL = CgoToolchain("arm-linux-gnueabi-gcc", "arm-linux-gnueabi-g++",
                      ("gcc-arm-linux-gnueabi", "g++-arm-linux-gnueabi", "libc6-dev-armel-cross"))

# zig targets: (goos, goarch) -> zig target triple. Wrapper scripts /usr/local/bin/zcc-<triple> are rendered.
ZIG_TRIPLES: dict[tuple[str, str], str] = {
    ("windows", "arm64"): "aarch64-windows-gnu",
    ("windows", "amd64"): "x86_64-windows-gnu",
    ("windows", "386"): "x86-windows-gnu",
    ("linux", "amd64"): "x86_64-linux-gnu",
    ("linux", "386"): "x86-linux-gnu",
    ("linux", "arm64"): "aarch64-linux-gnu",
    ("linux", "arm"): "arm-linux-gnueabihf",
    ("linux", "riscv64"): "riscv64-linux-gnu",
    ("linux", "ppc64le"): "powerpc64le-linux-gnu",
    ("linux", "s390x"): "s390x-linux-gnu",
}


def zig_toolchain(goos: str, goarch: str) -> CgoToolchain | None:
    triple = ZIG_TRIPLES.get((goos, goarch))
    if triple is None:
        return None
    return CgoToolchain(f"zcc-{triple}", f"zxx-{triple}", (), strategy="zig")


def cgo_toolchain(goos: str, goarch: str, goarm: str | None = None, strategy: str = "gnu") -> CgoToolchain | None:
    """The C toolchain for a cgo target, or None when envbuilder knows none (e.g. darwin without an SDK)."""
    if strategy == "zig":
        return zig_toolchain(goos, goarch)
    if (goos, goarch) == ("linux", "arm"):
        return _ARMEL if goarm in ("5", "6") else _ARMHF
    if (goos, goarch) == ("windows", "arm64"):
        return zig_toolchain(goos, goarch)  # no Debian mingw for arm64: zig is the only option
    return _GNU.get((goos, goarch))

# zig comes from PyPI's `ziglang` wheel (zig is not in Debian bookworm); pinned so images do not drift.
ZIG_VERSION = "0.13.0.post1"


def target_toolchain(target: Target) -> CgoToolchain | None:
    """The C cross toolchain a target's cgo build uses; None for a pure-Go target."""
    return cgo_toolchain(target.goos, target.goarch, target.goarm, target.strategy) if target.cgo else None


def build_env(target: Target) -> dict[str, str]:
    """The environment that cross-builds TARGET: GOOS/GOARCH/variant/CGO_ENABLED, plus CC/CXX under cgo.
    verify's build probes and the generated CI pipelines both build with exactly this."""
    env = target.go_env()
    toolchain = target_toolchain(target)
    if toolchain is not None:
        env["CC"], env["CXX"] = toolchain.cc, toolchain.cxx
    return env
