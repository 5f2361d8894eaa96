"""ELF facts with pyelftools: header, segments (interpreter, PT_LOAD), sections (stripped, .go.buildinfo),
dynamic tags (DT_NEEDED, PIE flag). Offsets are validated against the file size before pyelftools walks
them, so a truncated or lying file is one `Malformed` error."""

from __future__ import annotations

import struct
from typing import Any, Callable, Iterator

from elftools.elf import elffile  # imported with this module: analyze imports it only for an ELF file
from elftools.elf.dynamic import Dynamic

from envbuilder.inspect.arch import ELF_OS, elf_arch
from envbuilder.inspect.buildinfo import AddressSpace, Region
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.source import Malformed, Source

PF_X, PF_W = 1, 2
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DF_1_PIE = 0x08000000
_KINDS = {"ET_EXEC": "exe", "ET_DYN": "shared", "ET_REL": "object", "ET_CORE": "core"}


def read_elf(src: Source, facts: BinaryFacts) -> tuple[AddressSpace, int | None]:
    _share_struct_definitions()
    facts.format = "elf"
    elf = elffile.ELFFile(src.view())
    h = elf.header
    facts.bits = elf.elfclass
    facts.endian = "little" if elf.little_endian else "big"
    facts.machine = str(h["e_machine"])
    facts.arch = elf_arch(h["e_machine"], facts.bits, facts.endian)
    facts.os_abi = str(h["e_ident"]["EI_OSABI"])
    facts.os = ELF_OS.get(facts.os_abi)
    facts.kind = _KINDS.get(h["e_type"], "other")

    _check_table(src, h["e_phoff"], h["e_phnum"], h["e_phentsize"], "program headers")
    regions: list[Region] = []
    writable_load: int | None = None
    dynamic: tuple[int, int] | None = None  # the PT_DYNAMIC segment's (p_offset, p_filesz)
    for i, kind, offset, filesz, vaddr, flags in _program_headers(src, elf, facts.bits):
        if offset + filesz > src.size:
            kind = elf.get_segment(i)["p_type"]  # its name, as pyelftools spells it for this machine
            raise Malformed(f"segment {kind} at {offset:#x} (+{filesz}) is past the end of the file ({src.size})")
        if kind == PT_LOAD:
            regions.append(Region(vaddr, offset, filesz))
            if writable_load is None and flags & (PF_X | PF_W) == PF_W:
                writable_load = vaddr
        elif kind == PT_INTERP:
            facts.interpreter = src.read(offset, min(filesz, 4096), "PT_INTERP").split(b"\0")[0].decode(errors="replace")
        elif kind == PT_DYNAMIC:
            dynamic = (offset, filesz)

    buildinfo_addr: int | None = None
    has_symtab = False
    strtab_index: int | None = None  # the dynamic section's sh_link: the string table of its DT_NEEDED names
    if h["e_shoff"]:
        _check_table(src, h["e_shoff"], 1, h["e_shentsize"], "section headers")
        count = elf.num_sections()  # reads section 0 when the count is extended (e_shnum 0)
        for name, addr, sh_type, offset, link in _section_table(src, h, count, elf.little_endian, facts.bits):
            if sh_type == SHT_DYNAMIC and dynamic is not None and offset == dynamic[0] and strtab_index is None:
                strtab_index = link
            if name == ".symtab":
                has_symtab = True
            elif name == ".go.buildinfo":
                buildinfo_addr = addr
    facts.stripped = not has_symtab

    flags_1 = 0
    if dynamic is not None:
        for tag in _dynamic(elf, *dynamic, strtab_index).iter_tags():
            if tag.entry.d_tag == "DT_NEEDED":
                facts.needed.append(tag.needed)
            elif tag.entry.d_tag == "DT_FLAGS_1":
                flags_1 = tag.entry.d_val
    facts.linkage = "dynamic" if facts.interpreter or facts.needed else "static"
    if facts.kind == "shared" and (facts.interpreter or flags_1 & DF_1_PIE):
        facts.kind = "exe"  # ET_DYN with an interpreter (or DF_1_PIE) is a position-independent executable
        facts.pie = True
    elif facts.kind == "exe":
        facts.pie = False
    data_start = buildinfo_addr if buildinfo_addr is not None else writable_load
    return AddressSpace(src, regions), data_start


def _dynamic(elf: Any, offset: int, filesz: int, strtab_index: int | None) -> Dynamic:
    """The dynamic table, as pyelftools' DynamicSegment reads it, without its search for the dynamic
    section: that builds every section header before it through construct (~1 ms a binary). Its string
    table is checked as pyelftools' DynamicSection checks it; without one, DT_STRTAB locates it."""
    strings = elf.get_section(strtab_index, _STRTAB_TYPES) if strtab_index is not None else None
    return Dynamic(elf.stream, elf, strings, offset, filesz == 0)


_STRTAB_TYPES = ("SHT_STRTAB", "SHT_NOBITS", "SHT_NULL")


def _share_struct_definitions() -> None:
    """Make ELFFile build its struct definitions once per layout (class, byte order, type, machine, OS ABI)
    instead of once per file: building them costs more than parsing a Go binary's headers. They are
    stateless parsers, so every file parses exactly as before. ELFFile finds the class by its module-level
    name, the one hook it has."""
    if elffile.ELFStructs is not _SharedStructs:
        elffile.ELFStructs = _SharedStructs


class _SharedStructs(elffile.ELFStructs):
    _built: dict[tuple[Any, ...], dict[str, Any]] = {}

    def create_basic_structs(self) -> None:
        self._reuse(("basic", self.little_endian, self.elfclass), super().create_basic_structs)

    def create_advanced_structs(self, e_type: Any = None, e_machine: Any = None, e_ident_osabi: Any = None) -> None:
        build = super().create_advanced_structs
        self._reuse(("advanced", self.little_endian, self.elfclass, e_type, e_machine, e_ident_osabi),
                    lambda: build(e_type, e_machine, e_ident_osabi))

    def _reuse(self, key: tuple[Any, ...], build: Callable[[], None]) -> None:
        built = self._built.get(key)
        if built is None:
            build()
            self._built[key] = dict(vars(self))
        else:
            vars(self).update(built)


# Elf32_Phdr / Elf64_Phdr, in the file's order of fields.
_PHDR = {32: ("IIIIIIII", ("p_type", "p_offset", "p_vaddr", "p_paddr", "p_filesz", "p_memsz", "p_flags")),
         64: ("IIQQQQQQ", ("p_type", "p_flags", "p_offset", "p_vaddr", "p_paddr", "p_filesz"))}


def _program_headers(src: Source, elf: Any, bits: int) -> Iterator[tuple[int, int, int, int, int, int]]:
    """(index, p_type, p_offset, p_filesz, p_vaddr, p_flags) of each segment. Like the section table, the
    program header table is a fixed-layout array read with one bounded read and struct (pyelftools' construct
    costs ~0.2 ms a segment). Anything unusual (extended count, entries smaller than the struct) takes
    pyelftools' own path, so a hostile file fails exactly as before."""
    h = elf.header
    fmt, names = _PHDR[bits]
    row = struct.Struct(("<" if elf.little_endian else ">") + fmt)
    count, entsize = h["e_phnum"], h["e_phentsize"]
    if count >= 0xFFFF or entsize < row.size:
        for i, seg in enumerate(elf.iter_segments()):
            p_type = seg["p_type"]
            number = p_type if isinstance(p_type, int) else _PT_NUMBERS.get(p_type, -1)
            yield i, number, seg["p_offset"], seg["p_filesz"], seg["p_vaddr"], seg["p_flags"]
        return
    table = src.read(h["e_phoff"], count * entsize, "program headers") if count else b""
    for i in range(count):
        fields = dict(zip(names, row.unpack_from(table, i * entsize)))
        yield i, fields["p_type"], fields["p_offset"], fields["p_filesz"], fields["p_vaddr"], fields["p_flags"]


_PT_NUMBERS = {"PT_LOAD": PT_LOAD, "PT_DYNAMIC": PT_DYNAMIC, "PT_INTERP": PT_INTERP}


# Elf32_Shdr / Elf64_Shdr: (sh_name, sh_type, sh_addr, sh_offset, sh_size, sh_link); sh_flags and the tail
# skipped.
_SHDR = {32: ("IIxxxxIIII", 40), 64: ("IIxxxxxxxxQQQI", 64)}
SHT_DYNAMIC, SHT_NOBITS = 6, 8


def _section_table(src: Source, h, count: int, little: bool, bits: int):
    """(name, addr, sh_type, sh_offset, sh_link) of each section. pyelftools builds every section header through construct
    (~0.1 ms each, 3 ms per Go binary: most of inspect's time); the table is a fixed-layout array, so we
    read it with one bounded read and struct, using the header values pyelftools parsed."""
    fmt, size = _SHDR[bits]
    entsize = h["e_shentsize"]
    if entsize < size:
        raise Malformed(f"section headers: entry size {entsize} < {size}")
    _check_table(src, h["e_shoff"], count, entsize, "section headers")
    table = src.read(h["e_shoff"], count * entsize, "section headers")
    unpack = struct.Struct(("<" if little else ">") + fmt).unpack_from
    rows = [unpack(table, i * entsize) for i in range(count)]
    strndx = h["e_shstrndx"]
    if strndx == 0xFFFF and rows:  # SHN_XINDEX: the real index is in section 0's sh_link
        strndx = struct.unpack_from(("<" if little else ">") + "I", table, 24 if bits == 32 else 40)[0]
    if not 0 < strndx < count:
        raise Malformed(f"section name table index {strndx} is not a section (of {count})")
    _, _, _, str_off, str_size, _ = rows[strndx]
    names = src.read(str_off, str_size, "section names")
    for name_off, sh_type, addr, offset, sec_size, link in rows:
        if sh_type != SHT_NOBITS and offset + sec_size > src.size:
            raise Malformed(f"section at {offset:#x} (+{sec_size}) is past the end of the file ({src.size})")
        end = names.find(b"\0", name_off)
        yield names[name_off : end if end >= 0 else len(names)].decode(errors="replace"), addr, sh_type, offset, link


def _check_table(src: Source, offset: int, count: int, entsize: int, what: str) -> None:
    if count and (offset + count * entsize > src.size or entsize == 0):
        raise Malformed(f"{what}: {count} x {entsize} bytes at {offset:#x} are past the end of the file ({src.size})")
