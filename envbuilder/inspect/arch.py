"""Machine codes in the three formats, spelled as GOARCH (design.md: "Targets and cgo toolchains")."""

from __future__ import annotations

# ELF e_machine as pyelftools names it; a callable picks by (bits, endian) where one code covers several.
ELF_ARCH = {
    "EM_X86_64": lambda bits, endian: "amd64",
    "EM_386": lambda bits, endian: "386",
    "EM_ARM": lambda bits, endian: "arm",
    "EM_AARCH64": lambda bits, endian: "arm64",
    "EM_S390": lambda bits, endian: "s390x" if bits == 64 else "s390",
    "EM_PPC64": lambda bits, endian: "ppc64le" if endian == "little" else "ppc64",
    "EM_RISCV": lambda bits, endian: "riscv64" if bits == 64 else "riscv",
    "EM_MIPS": lambda bits, endian: ("mips64" if bits == 64 else "mips") + ("le" if endian == "little" else ""),
    "EM_LOONGARCH": lambda bits, endian: "loong64",
    258: lambda bits, endian: "loong64",  # older pyelftools has no name for it
}

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

PE_ARCH = {0x8664: "amd64", 0x14C: "386", 0xAA64: "arm64", 0x1C4: "arm", 0x1C0: "arm"}

# Mach-O cputype (CPU_ARCH_ABI64 = 0x01000000).
MACHO_ARCH = {0x01000007: "amd64", 0x0100000C: "arm64", 7: "386", 12: "arm", 0x01000012: "ppc64", 18: "ppc"}
MACHO_CPU_NAME = {0x01000007: "CPU_TYPE_X86_64", 0x0100000C: "CPU_TYPE_ARM64", 7: "CPU_TYPE_X86", 12: "CPU_TYPE_ARM"}
