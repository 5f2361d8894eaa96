"""Target profiles: the one place that says what envbuilder knows about a Go target.

A profile is one row per target (GOOS/GOARCH, and GOARM where the C ABI differs): its cgo toolchains per
strategy (Debian cross gcc, zig cc), the dynamic loader and sysroot of a cgo build, and how verify runs a
binary built for it (natively, through the sysroot's loader, under qemu-user or wine, or by its headers
only). What an executable of the target looks like (format, machine code, word size, byte order) comes
from its GOOS and the per-GOARCH header facts in ARCHES, which also cover the architectures that have no
profile (pure-Go targets such as linux/loong64), so inspect can name every GOARCH.

Render (apt packages, zig wrappers), spec validation, verify and inspect all read this module; adding a
target is adding its row to PROFILES (Debian bookworm package names).
"""

from __future__ import annotations

import shlex

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the spec model imports this module
    from envbuilder.spec.models import Target

Format = Literal["elf", "pe", "macho"]
Endian = Literal["little", "big"]

# zig comes from PyPI's `ziglang` wheel (zig is not in Debian bookworm), pinned with the sha256 PyPI publishes
# for its manylinux x86-64 wheel (the images' platform), so images do not drift. 0.14.1, not 0.13: Go >= 1.24
# links ELF with -Wl,--build-id=0x<hash>, which zig 0.13 refuses ("unsupported linker arg"); 0.14.1 takes it.
ZIG_VERSION = "0.14.1"
ZIG_WHEEL = "ziglang-0.14.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl"
ZIG_WHEEL_SHA256 = "6eb9d4d759b292c83810dbee2e9e8e3fbfbf01d864e6e9811bae711fd74e1c2f"
# The glibc versions zig's abilists cover: a floor (`cgo.glibc`) must lie within them. zig's own table
# (std/zig/target.zig, glibc_min) raises the lower end for younger ports; GLIBC_FLOOR_MIN is the least any
# target takes (older releases predate the headers zig ships for them).
ZIG_GLIBC_MAX = (2, 41)
GLIBC_FLOOR_MIN = (2, 17)


# ---- what an executable of a GOARCH looks like -----------------------------------------------------------


@dataclass(frozen=True)
class Arch:
    """Header facts of one GOARCH: word size, byte order, and its machine code in each executable format."""

    goarch: str
    bits: int
    endian: Endian
    elf: int | None = None  # ELF e_machine
    pe: int | None = None  # PE/COFF Machine
    macho: int | None = None  # Mach-O cputype (CPU_ARCH_ABI64 = 0x01000000)

    def machine(self, fmt: Format) -> int | None:
        return {"elf": self.elf, "pe": self.pe, "macho": self.macho}[fmt]


# Every GOARCH of Go's `dist list`; EM_MIPS and EM_PPC64 cover several GOARCHes told apart by bits and byte order.
ARCHES: dict[str, Arch] = {a.goarch: a for a in (
    Arch("amd64", 64, "little", elf=62, pe=0x8664, macho=0x01000007),
    Arch("386", 32, "little", elf=3, pe=0x14C, macho=7),
    Arch("arm64", 64, "little", elf=183, pe=0xAA64, macho=0x0100000C),
    Arch("arm", 32, "little", elf=40, pe=0x1C4, macho=12),
    Arch("riscv64", 64, "little", elf=243),
    Arch("ppc64le", 64, "little", elf=21),
    Arch("ppc64", 64, "big", elf=21, macho=0x01000012),
    Arch("s390x", 64, "big", elf=22),
    Arch("mips64le", 64, "little", elf=8),
    Arch("mips64", 64, "big", elf=8),
    Arch("mipsle", 32, "little", elf=8),
    Arch("mips", 32, "big", elf=8),
    Arch("loong64", 64, "little", elf=258),
    Arch("wasm", 32, "little"),
)}

# Executable format per GOOS (other GOOSes are not checked by format).
FORMATS: dict[str, Format] = {"linux": "elf", "windows": "pe", "darwin": "macho"}


@dataclass(frozen=True)
class Header:
    """What the header of a binary built for a target says."""

    format: Format | None
    machine: int | None  # e_machine / Machine / cputype in that format
    goarch: str  # the machine spelled as GOARCH, as inspect reports it
    bits: int
    endian: Endian


def header(goos: str, goarch: str) -> Header:
    arch = ARCHES.get(goarch) or Arch(goarch, 64, "little")  # a GOARCH newer than the table: no machine code
    fmt = FORMATS.get(goos)
    return Header(fmt, arch.machine(fmt) if fmt else None, goarch, arch.bits, arch.endian)


# ---- cgo toolchains -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Libc:
    """The C library a zig Linux build links: glibc (with GLIBC, a version floor such as "2.28") or musl."""

    musl: bool = False
    glibc: str | None = None


# zig's glibc_min per GOARCH (std/zig/target.zig): the first glibc of younger ports.
_ZIG_GLIBC_MIN = {"arm64": (2, 17), "ppc64le": (2, 19), "riscv64": (2, 27)}


@dataclass(frozen=True)
class CgoToolchain:
    cc: str
    cxx: str
    packages: tuple[str, ...]
    strategy: str = "gnu"  # "gnu" (Debian cross gcc) or "zig" (zig cc wrapper installed by envbuilder)
    zig_triple: str | None = None  # the target the zig wrappers pass to `zig cc -target`
    # What a cgo binary needs at run time in the cross sysroot (the verify runner's qemu -L): the C library
    # and libgcc_s, without compilers or headers.
    runtime: tuple[str, ...] = ()


def _gnu(triple: str, libc: str) -> CgoToolchain:
    """Debian's cross gcc for TRIPLE (gcc-TRIPLE, g++-TRIPLE) with its C library libc6-dev-LIBC-cross."""
    return CgoToolchain(f"{triple}-gcc", f"{triple}-g++", (f"gcc-{triple}", f"g++-{triple}", f"libc6-dev-{libc}-cross"),
                        runtime=(f"libc6-{libc}-cross", f"libgcc-s1-{libc}-cross"))


def _mingw(triple: str, package_arch: str) -> CgoToolchain:
    # the -posix variants: Go's runtime/cgo needs winpthreads
    return CgoToolchain(f"{triple}-gcc-posix", f"{triple}-g++-posix",
                        (f"gcc-mingw-w64-{package_arch}-posix", f"g++-mingw-w64-{package_arch}-posix"))


# ---- how verify runs a binary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wine:
    """Windows binaries under wine64. Go's runtime needs ProcessPrng (bcryptprimitives.dll), which wine < 9
    lacks; verify builds a shim DLL with the first of `shim_cc` the environment has."""

    shim_cc: tuple[str, ...]
    packages: tuple[str, ...] = ("wine64",)
    # The mingw that builds the shim into the verify runner (in a stage of its own: the runner keeps the DLL only).
    shim_packages: tuple[str, ...] = ("gcc-mingw-w64-x86-64-posix",)


@dataclass(frozen=True)
class Execution:
    """How verify runs a probe built for the target in a Linux environment that is not the target itself
    (the default: nowhere else, e.g. linux/amd64, whose cgo toolchains are rendered for amd64 images)."""

    ia32_on: str | None = None  # a platform whose kernel runs it directly (a cgo build: through the sysroot's loader)
    qemu: str | None = None  # the qemu-user binary (run with -L <sysroot>)
    wine: Wine | None = None
    headers_only: str | None = None  # why it runs nowhere: verify checks its headers only

    @property
    def packages(self) -> tuple[str, ...]:
        """Debian packages of the emulator (installed with verify.emulate: in the verify runner, or with
        verify.in_image in the images themselves)."""
        if self.qemu:
            return ("qemu-user-static",)
        return self.wine.packages if self.wine else ()


# ---- profiles -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    goos: str
    goarch: str
    variants: tuple[str, ...] = ()  # the GOARM values this row covers; () covers every variant of the GOARCH
    gnu: CgoToolchain | None = None  # Debian cross gcc
    zig: str | None = None  # zig target triple; envbuilder renders zcc-<triple>/zxx-<triple> wrappers
    loader: str | None = None  # PT_INTERP of a cgo (glibc) build
    sysroot: str | None = None  # the cross C library's root: qemu -L, and the loader's home for linux/386
    execution: Execution = field(default_factory=Execution)

    @property
    def header(self) -> Header:
        return header(self.goos, self.goarch)

    @property
    def zig_toolchain(self) -> CgoToolchain | None:
        return self.zig_toolchain_for(None)

    def zig_triple(self, libc: Libc | None = None) -> str | None:
        """The zig target for LIBC on Linux: glibc with a floor (x86_64-linux-gnu.2.28), musl
        (x86_64-linux-musl: a static binary), or None/glibc without a floor: the triple as written."""
        if self.zig is None or self.goos != "linux" or libc is None:
            return self.zig
        if libc.musl:
            return self.zig.replace("-gnu", "-musl", 1)  # gnueabihf -> musleabihf, gnuabi64 -> muslabi64
        return f"{self.zig}.{libc.glibc}" if libc.glibc else self.zig

    @property
    def glibc_min(self) -> tuple[int, int]:
        """The oldest glibc floor zig takes for this target."""
        return max(GLIBC_FLOOR_MIN, _ZIG_GLIBC_MIN.get(self.goarch, GLIBC_FLOOR_MIN))

    def zig_toolchain_for(self, libc: Libc | None = None) -> CgoToolchain | None:
        triple = self.zig_triple(libc)
        if triple is None:
            return None
        return CgoToolchain(f"zcc-{triple}", f"zxx-{triple}", (), strategy="zig", zig_triple=triple)

    def toolchain(self, strategy: str | None = "gnu", libc: Libc | None = None) -> CgoToolchain | None:
        """The C toolchain of STRATEGY; "gnu" falls back to zig where Debian has no cross gcc (windows/arm64).
        LIBC chooses a zig toolchain's C library (Linux)."""
        if strategy == "zig" or self.gnu is None:
            return self.zig_toolchain_for(libc)
        return self.gnu


_DARWIN = Execution(headers_only="Mach-O cannot run here: checked by its headers only")

PROFILES: tuple[Profile, ...] = (
    Profile("linux", "amd64",
            gnu=CgoToolchain("x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++", ("gcc", "g++", "libc6-dev")),
            zig="x86_64-linux-gnu", loader="/lib64/ld-linux-x86-64.so.2"),  # runs where the environment is linux/amd64
    # x86-64 kernels run IA-32 binaries themselves (and bookworm's qemu-i386 crashes on Go 386 programs, so it
    # is left to other hosts); a cgo one needs the i386 loader, which only the cross sysroot has.
    Profile("linux", "386", gnu=_gnu("i686-linux-gnu", "i386"), zig="x86-linux-gnu", loader="/lib/ld-linux.so.2",
            sysroot="/usr/i686-linux-gnu", execution=Execution(ia32_on="linux/amd64", qemu="qemu-i386-static")),
    Profile("linux", "arm64", gnu=_gnu("aarch64-linux-gnu", "arm64"), zig="aarch64-linux-gnu",
            loader="/lib/ld-linux-aarch64.so.1", sysroot="/usr/aarch64-linux-gnu",
            execution=Execution(qemu="qemu-aarch64-static")),
    # GOARM=7 is hard-float (armhf); GOARM=5/6 use the soft-float armel ABI (gcc and zig alike).
    Profile("linux", "arm", ("7",), gnu=_gnu("arm-linux-gnueabihf", "armhf"), zig="arm-linux-gnueabihf",
            loader="/lib/ld-linux-armhf.so.3", sysroot="/usr/arm-linux-gnueabihf",
            execution=Execution(qemu="qemu-arm-static")),
    Profile("linux", "arm", ("5", "6"), gnu=_gnu("arm-linux-gnueabi", "armel"), zig="arm-linux-gnueabi",
            loader="/lib/ld-linux.so.3", sysroot="/usr/arm-linux-gnueabi", execution=Execution(qemu="qemu-arm-static")),
    Profile("linux", "riscv64", gnu=_gnu("riscv64-linux-gnu", "riscv64"), zig="riscv64-linux-gnu",
            loader="/lib/ld-linux-riscv64-lp64d.so.1", sysroot="/usr/riscv64-linux-gnu",
            execution=Execution(qemu="qemu-riscv64-static")),
    Profile("linux", "ppc64le", gnu=_gnu("powerpc64le-linux-gnu", "ppc64el"), zig="powerpc64le-linux-gnu",
            loader="/lib64/ld64.so.2", sysroot="/usr/powerpc64le-linux-gnu",
            execution=Execution(qemu="qemu-ppc64le-static")),
    Profile("linux", "s390x", gnu=_gnu("s390x-linux-gnu", "s390x"), zig="s390x-linux-gnu", loader="/lib/ld64.so.1",
            sysroot="/usr/s390x-linux-gnu", execution=Execution(qemu="qemu-s390x-static")),
    Profile("linux", "mips64le", gnu=_gnu("mips64el-linux-gnuabi64", "mips64el"), loader="/lib64/ld.so.1",
            sysroot="/usr/mips64el-linux-gnuabi64", execution=Execution(qemu="qemu-mips64el-static")),
    Profile("windows", "amd64", gnu=_mingw("x86_64-w64-mingw32", "x86-64"), zig="x86_64-windows-gnu",
            execution=Execution(wine=Wine(shim_cc=("x86_64-w64-mingw32-gcc-posix", "x86_64-w64-mingw32-gcc")))),
    Profile("windows", "386", gnu=_mingw("i686-w64-mingw32", "i686"), zig="x86-windows-gnu"),  # no 32-bit wine
    Profile("windows", "arm64", zig="aarch64-windows-gnu"),  # Debian has no mingw for arm64: zig only
    Profile("darwin", "amd64", execution=_DARWIN),  # cgo needs the user's Apple SDK (spec `sdk`)
    Profile("darwin", "arm64", execution=_DARWIN),
)

_DEFAULT_VARIANT = {"arm": "7"}  # Go's default GOARM


def profile(goos: str, goarch: str, variant: str | None = None) -> Profile | None:
    """The profile of GOOS/GOARCH (VARIANT: GOARM; GOAMD64 levels share one row), or None when envbuilder
    knows the target only as a pure-Go one."""
    variant = variant or _DEFAULT_VARIANT.get(goarch)
    rows = [p for p in PROFILES if (p.goos, p.goarch) == (goos, goarch)]
    return next((p for p in rows if variant in p.variants), None) or next((p for p in rows if not p.variants), None)


def cgo_toolchain(goos: str, goarch: str, goarm: str | None = None, strategy: str | None = "gnu",
                  libc: Libc | None = None) -> CgoToolchain | None:
    """The C toolchain for a cgo target, or None when envbuilder knows none (e.g. darwin without an SDK)."""
    p = profile(goos, goarch, goarm)
    return p.toolchain(strategy, libc) if p else None


def target_toolchain(target: Target) -> CgoToolchain | None:
    """The C cross toolchain a target's cgo build uses (its own strategy, else the spec's `cgo`); None for a
    pure-Go target."""
    if not target.cgo:
        return None
    return cgo_toolchain(target.goos, target.goarch, target.goarm, target.toolchain_strategy, target.zig_libc)


# How verify's probe builds, the generated CI jobs and the ci image's warm cache (ci.warm_cache) all invoke
# Go: its build cache keys include -trimpath, so the three must build with the same flags to share entries.
GO_BUILD = ("go", "build", "-trimpath")


# cgo's default CGO_CFLAGS and CGO_LDFLAGS. verify's C probe compiles with them too: zig builds a target's C
# runtime per optimize mode (-O2 is ReleaseFast, no -O Debug), so the probe links in the mode cgo links in.
CGO_DEFAULT_FLAGS = ("-O2", "-g")


def c_probe_link(cc: str, out: str, source: str) -> str:
    """verify's C probe link, with cgo's default flags."""
    return shlex.join([cc, *CGO_DEFAULT_FLAGS, "-x", "c", "-o", out, source])


def build_line(target: Target, *args: str) -> str:
    """`env GOOS=.. GOARCH=.. CGO_ENABLED=.. [CC=.. CXX=..] go build -trimpath ARGS`, one shell line: how the
    image build's warm-ups build with exactly build_env."""
    env = [f"{k}={v}" for k, v in sorted(build_env(target).items())]
    return shlex.join(["env", *env, *GO_BUILD, *args])


def build_env(target: Target) -> dict[str, str]:
    """The environment that cross-builds TARGET: GOOS/GOARCH/variant/CGO_ENABLED, plus CC/CXX under cgo.
    verify's build probes and the generated CI pipelines both build with exactly this."""
    env = target.go_env()
    toolchain = target_toolchain(target)
    if toolchain is not None:
        env["CC"], env["CXX"] = toolchain.cc, toolchain.cxx
    return env
