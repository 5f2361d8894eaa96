"""Mach-O facts, thin and fat, with macholib's structure definitions (macholib.mach_o).

We walk the load commands ourselves instead of using `macholib.MachO.MachO` because its loader reads every
section's bytes into memory (MachOHeader.load -> add_section_data), i.e. the whole binary; here we read
the header and the load commands (one bounded read of `sizeofcmds` bytes) and nothing else."""

from __future__ import annotations

import struct

from envbuilder.inspect.arch import MACHO_ARCH, MACHO_CPU_NAME
from envbuilder.inspect.buildinfo import AddressSpace, Region
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.source import Malformed, Source

FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
# Java class files share 0xCAFEBABE; their "nfat_arch" is the class-file version (>= 45). `file` uses the
# same cut-off to tell them apart.
MAX_FAT_ARCHS = 20
VM_PROT_RW = 3
_KINDS = {1: "object", 2: "exe", 4: "core", 6: "shared", 8: "shared"}  # MH_OBJECT, EXECUTE, CORE, DYLIB, BUNDLE
_PLATFORMS = {1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 6: "maccatalyst", 7: "ios-simulator", 11: "visionos"}
_VERSION_MIN = {0x24: "macos", 0x25: "ios", 0x2F: "tvos", 0x30: "watchos"}


def is_fat(head: bytes) -> bool:
    if len(head) < 8:
        return False
    magic, count = struct.unpack(">II", head[:8])
    return magic in (FAT_MAGIC, FAT_MAGIC_64) and 0 < count < MAX_FAT_ARCHS


def read_fat(src: Source, facts: BinaryFacts, read_slice) -> None:
    """Each architecture slice becomes one BinaryFacts in facts.slices, read by READ_SLICE(src, facts)."""
    from macholib.mach_o import fat_arch, fat_arch64, fat_header

    facts.format = "macho-fat"
    facts.os = "darwin"
    header = fat_header.from_str(src.read(0, fat_header._size_, "fat header"), _endian_=">")
    entry = fat_arch64 if header.magic == FAT_MAGIC_64 else fat_arch
    table = src.read(fat_header._size_, entry._size_ * header.nfat_arch, "fat arch table")
    for i in range(header.nfat_arch):
        arch = entry.from_str(table[i * entry._size_ : (i + 1) * entry._size_], _endian_=">")
        piece = BinaryFacts(path=f"{facts.path}[{MACHO_ARCH.get(arch.cputype, hex(arch.cputype))}]", size=arch.size)
        facts.slices.append(piece)
        read_slice(src.slice(arch.offset, arch.size), piece)


def read_macho(src: Source, facts: BinaryFacts) -> tuple[AddressSpace, int | None]:
    from macholib import mach_o as m

    facts.format = "macho"
    facts.os = "darwin"
    magic = src.read(0, 4, "Mach-O magic")
    if magic in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf"):
        endian = ">"
    elif magic in (b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        endian = "<"
    else:
        raise Malformed("not a Mach-O file")
    is64 = magic[0] == 0xCF or magic[3] == 0xCF
    hclass = m.mach_header_64 if is64 else m.mach_header
    h = hclass.from_str(src.read(0, hclass._size_, "Mach-O header"), _endian_=endian)
    facts.bits = 64 if is64 else 32
    facts.endian = "big" if endian == ">" else "little"
    facts.machine = MACHO_CPU_NAME.get(h.cputype, hex(h.cputype))
    facts.arch = MACHO_ARCH.get(h.cputype)
    facts.kind = _KINDS.get(h.filetype, "other")
    facts.pie = bool(h.flags & m.MH_PIE) if facts.kind == "exe" else None
    cmds = src.read(hclass._size_, h.sizeofcmds, "load commands")  # bounded by the file size

    seg_class, sect_class = (m.segment_command_64, m.section_64) if is64 else (m.segment_command, m.section)
    regions: list[Region] = []
    buildinfo_addr: int | None = None
    rw_segment: int | None = None
    nsyms = 0
    defined: int | None = None  # local + external defined symbols, from LC_DYSYMTAB
    pos = 0
    for _ in range(h.ncmds):
        if pos + 8 > len(cmds):
            raise Malformed(f"load commands: {h.ncmds} announced, the table ends after {_}")
        cmd, size = struct.unpack(endian + "II", cmds[pos : pos + 8])
        if size < 8 or pos + size > len(cmds):
            raise Malformed(f"load command {cmd:#x} at {pos:#x} has size {size}, outside sizeofcmds")
        body = cmds[pos + 8 : pos + size]
        if cmd in (m.LC_SEGMENT, m.LC_SEGMENT_64):
            seg = _struct(seg_class, body, endian)
            name = _cstr(seg.segname)
            if seg.filesize and seg.fileoff + seg.filesize > src.size:
                raise Malformed(f"segment {name} at {seg.fileoff:#x} (+{seg.filesize}) is past the end of the file ({src.size})")
            if name != "__PAGEZERO":
                regions.append(Region(seg.vmaddr, seg.fileoff, seg.filesize))
            if rw_segment is None and seg.vmaddr and seg.filesize and seg.initprot == VM_PROT_RW and seg.maxprot == VM_PROT_RW:
                rw_segment = seg.vmaddr
            at = seg_class._size_
            for _j in range(min(seg.nsects, (len(body) - at) // sect_class._size_)):
                sect = _struct(sect_class, body[at : at + sect_class._size_], endian)
                if _cstr(sect.sectname) == "__go_buildinfo":
                    buildinfo_addr = sect.addr
                at += sect_class._size_
        elif cmd == m.LC_LOAD_DYLINKER:
            facts.interpreter = _lc_str(body, endian)
        elif cmd in (m.LC_LOAD_DYLIB, m.LC_LOAD_WEAK_DYLIB, m.LC_REEXPORT_DYLIB, m.LC_LAZY_LOAD_DYLIB):
            facts.needed.append(_lc_str(body, endian))
        elif cmd == m.LC_SYMTAB:
            nsyms = _struct(m.symtab_command, body, endian).nsyms
        elif cmd == m.LC_DYSYMTAB:
            dysym = _struct(m.dysymtab_command, body, endian)
            defined = dysym.nlocalsym + dysym.nextdefsym
        elif cmd == m.LC_BUILD_VERSION:
            bv = _struct(m.build_version_command, body, endian)
            facts.os_abi, facts.min_os = _PLATFORMS.get(bv.platform, str(bv.platform)), _version(bv.minos)
        elif cmd in _VERSION_MIN and facts.min_os is None:
            facts.os_abi, facts.min_os = _VERSION_MIN[cmd], _version(_struct(m.version_min_command, body, endian).version)
        pos += size
    # `-s` keeps the symbols of imported functions (dyld binds them), so stripped = nothing defined left.
    facts.stripped = nsyms == 0 if defined is None else defined == 0
    # Every macOS program links libSystem: "dynamic" is the only linkage there is.
    facts.linkage = "dynamic" if facts.needed or facts.interpreter else "static"
    return AddressSpace(src, regions), buildinfo_addr if buildinfo_addr is not None else rw_segment


def _struct(cls, body: bytes, endian: str):
    if len(body) < cls._size_:
        raise Malformed(f"{cls.__name__}: load command too short ({len(body)} < {cls._size_})")
    return cls.from_str(body[: cls._size_], _endian_=endian)


def _lc_str(body: bytes, endian: str) -> str:
    """The lc_str of a dylib/dylinker command: an offset from the command start (8-byte header included)."""
    (offset,) = struct.unpack(endian + "I", body[:4]) if len(body) >= 4 else (0,)
    return body[max(0, offset - 8) :].split(b"\0")[0].decode(errors="replace")


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0")[0].decode(errors="replace")


def _version(v: int) -> str:
    return f"{v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}"
