"""What a correct environment looks like, derived from spec + lock: the suite's expected values.

Binary expectations per target follow design.md's table (ELF e_machine, PE Machine, Mach-O cputype are
compared through their GOARCH spelling, which the inspect parsers give) plus the glibc dynamic loader each
Debian cross toolchain links against.
"""

from __future__ import annotations

from dataclasses import dataclass

from envbuilder.lock import Lock
from envbuilder.spec.models import Spec, Target
from envbuilder.toolchains import CgoToolchain, build_env, cgo_toolchain

FORMAT = {"linux": "elf", "windows": "pe", "darwin": "macho"}
BITS_32 = {"386", "arm", "mips", "mipsle", "wasm"}
BIG_ENDIAN = {"s390x", "ppc64", "mips", "mips64"}
# PT_INTERP of glibc binaries per GOARCH (GOARM 5/6 use the soft-float loader).
INTERPRETER = {
    "amd64": "/lib64/ld-linux-x86-64.so.2",
    "386": "/lib/ld-linux.so.2",
    "arm64": "/lib/ld-linux-aarch64.so.1",
    "arm": "/lib/ld-linux-armhf.so.3",
    "riscv64": "/lib/ld-linux-riscv64-lp64d.so.1",
    "ppc64le": "/lib64/ld64.so.2",
    "s390x": "/lib/ld64.so.1",
}
# qemu-user binary and the cross sysroot (-L) for dynamically linked foreign Linux binaries.
QEMU = {"arm64": "aarch64", "arm": "arm", "386": "i386", "riscv64": "riscv64", "ppc64le": "ppc64le", "s390x": "s390x"}
SYSROOT = {"arm64": "/usr/aarch64-linux-gnu", "386": "/usr/i686-linux-gnu", "riscv64": "/usr/riscv64-linux-gnu",
           "ppc64le": "/usr/powerpc64le-linux-gnu", "s390x": "/usr/s390x-linux-gnu"}


@dataclass(frozen=True)
class TargetExpectation:
    target: Target
    toolchain: CgoToolchain | None

    @property
    def key(self) -> str:
        return self.target.key

    @property
    def output(self) -> str:
        return f"out/{self.key}" + (".exe" if self.target.goos == "windows" else "")

    @property
    def format(self) -> str | None:
        return FORMAT.get(self.target.goos)

    @property
    def bits(self) -> int:
        return 32 if self.target.goarch in BITS_32 else 64

    @property
    def endian(self) -> str:
        return "big" if self.target.goarch in BIG_ENDIAN else "little"

    @property
    def interpreter(self) -> str | None:
        if self.target.goos != "linux" or not self.target.cgo:
            return None
        if self.target.goarch == "arm" and self.target.goarm in ("5", "6"):
            return "/lib/ld-linux.so.3"
        return INTERPRETER.get(self.target.goarch)

    def build_env(self) -> dict[str, str]:
        return build_env(self.target)  # the one definition, shared with the generated CI pipelines


@dataclass(frozen=True)
class Expectations:
    spec: Spec
    lock: Lock
    go: str | None = None  # which locked Go (go.matrix); None: the primary

    @property
    def go_version(self) -> str:
        return self.lock.go_for(self.go).version

    @property
    def module_env(self) -> dict[str, str]:
        return self.spec.modules.env()

    def targets(self) -> list[TargetExpectation]:
        out = []
        for t in self.spec.targets:
            tc = cgo_toolchain(t.goos, t.goarch, t.goarm, t.strategy) if t.cgo else None
            out.append(TargetExpectation(t, tc))
        return out

    def tools(self, stage: str) -> list[tuple[str, str]]:
        return [(t.module, t.version) for t in self.lock.tools if t.stage == stage]
