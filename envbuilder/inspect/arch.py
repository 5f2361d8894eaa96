"""Machine codes in the three formats, spelled as GOARCH: derived from envbuilder.profiles.ARCHES (the
header facts of every GOARCH), plus a few codes no GOARCH uses that inspect still names."""

from __future__ import annotations

from elftools.elf.enums import ENUM_E_MACHINE

from envbuilder.profiles import ARCHES

# 31-bit s390 and riscv32 share e_machine with a GOARCH but are none: (e_machine, bits) -> name.
ELF_OTHER = {(22, 32): "s390", (243, 32): "riscv"}


def elf_arch(e_machine: str | int, bits: int, endian: str) -> str | None:
    """The GOARCH of an ELF header (pyelftools gives e_machine by name, or as a number it has no name for).
    EM_MIPS and EM_PPC64 are told apart by word size and byte order; where a header matches no GOARCH
    exactly, the one its code, byte order or word size still singles out is named."""
    code = e_machine if isinstance(e_machine, int) else ENUM_E_MACHINE.get(e_machine)
    if (code, bits) in ELF_OTHER:
        return ELF_OTHER[(code, bits)]
    same_code = [a for a in ARCHES.values() if a.elf is not None and a.elf == code]
    for fits in (lambda a: (a.bits, a.endian) == (bits, endian), lambda a: a.endian == endian,
                 lambda a: a.bits == bits, lambda a: True):
        named = {a.goarch for a in same_code if fits(a)}
        if len(named) == 1:
            return named.pop()
    return None


# ELF EI_OSABI -> GOOS. Go writes ELFOSABI_NONE (System V) for linux, android, dragonfly and illumos, so
# "linux" from System V is a best guess (see expect.os_compatible).
ELF_OS = {
    "ELFOSABI_SYSV": "linux",
    "ELFOSABI_LINUX": "linux",
    "ELFOSABI_FREEBSD": "freebsd",
    "ELFOSABI_NETBSD": "netbsd",
    "ELFOSABI_OPENBSD": "openbsd",
    "ELFOSABI_SOLARIS": "solaris",
}
SYSV_OSES = {"linux", "android", "dragonfly", "illumos", "solaris", "openbsd", "netbsd"}

PE_ARCH = {a.pe: a.goarch for a in ARCHES.values() if a.pe} | {0x1C0: "arm"}  # 0x1C0: ARM without Thumb-2

# Mach-O cputype (CPU_ARCH_ABI64 = 0x01000000); 18 is 32-bit PowerPC, which no GOARCH targets.
MACHO_ARCH = {a.macho: a.goarch for a in ARCHES.values() if a.macho} | {18: "ppc"}
MACHO_CPU_NAME = {0x01000007: "CPU_TYPE_X86_64", 0x0100000C: "CPU_TYPE_ARM64", 7: "CPU_TYPE_X86", 12: "CPU_TYPE_ARM"}
