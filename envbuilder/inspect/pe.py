"""PE facts with pefile (`fast_load=True`, on an mmap of the file so only touched pages are read): machine,
PE32/PE32+, DLL or exe, subsystem, ASLR (our "PIE"), COFF symbols (stripped), imported DLLs, and the
sections as the address space the Go build-info reader needs."""

from __future__ import annotations

import mmap
from typing import Any

from envbuilder.inspect.arch import PE_ARCH
from envbuilder.inspect.buildinfo import AddressSpace, Region
from envbuilder.inspect.facts import BinaryFacts
from envbuilder.inspect.source import Malformed, Source

IMAGE_FILE_RELOCS_STRIPPED = 0x0001
IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002
IMAGE_FILE_DLL = 0x2000
DYNAMIC_BASE = 0x0040
# Section characteristics of the initialized, writable data section Go's build info lives in.
RW_DATA = 0x00000040 | 0x40000000 | 0x80000000
ALIGN_MASK = 0x00F00000  # Go masks only ALIGN_32BYTES; any alignment is fine for finding the section
SUBSYSTEMS = {1: "native", 2: "windows-gui", 3: "windows-console", 10: "efi-application", 16: "windows-boot"}


def read_pe(src: Source, facts: BinaryFacts) -> tuple[AddressSpace, int | None]:
    import pefile

    _share_flag_lists(pefile)
    facts.format = "pe"
    facts.os = facts.os_abi = "windows"
    facts.endian = "little"
    with mmap.mmap(src.f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        # No pe.close(): it runs gc.collect() (15 ms a file, most of inspect's time on PE); we own the mmap.
        return _facts(pefile.PE(data=mm, fast_load=True), src, facts)


def _share_flag_lists(pefile: Any) -> None:
    """pefile filters its big flag tables by name prefix again for every header and section it parses (about
    half its time on a Go binary); the tables are constants and every caller only iterates the result, so
    each (table, prefix) is filtered once per process. A file parses exactly as before."""
    if getattr(pefile.retrieve_flags, "shared", False):
        return
    filtered: dict[tuple[int, str], list[tuple[Any, Any]]] = {}
    retrieve = pefile.retrieve_flags

    def retrieve_flags(flag_dict: dict[Any, Any], flag_filter: str) -> list[tuple[Any, Any]]:
        key = (id(flag_dict), flag_filter)
        if key not in filtered:
            filtered[key] = retrieve(flag_dict, flag_filter)
        return filtered[key]

    retrieve_flags.shared = True  # type: ignore[attr-defined]
    pefile.retrieve_flags = retrieve_flags


def _facts(pe, src: Source, facts: BinaryFacts) -> tuple[AddressSpace, int | None]:
    import pefile

    fh, oh = pe.FILE_HEADER, getattr(pe, "OPTIONAL_HEADER", None)
    if oh is None:
        raise Malformed("PE file has no optional header")
    facts.machine = pefile.MACHINE_TYPE.get(fh.Machine, hex(fh.Machine))
    facts.arch = PE_ARCH.get(fh.Machine)
    facts.bits = 64 if oh.Magic == pefile.OPTIONAL_HEADER_MAGIC_PE_PLUS else 32
    if fh.Characteristics & IMAGE_FILE_DLL:
        facts.kind = "shared"
    elif fh.Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE:
        facts.kind = "exe"
    else:
        facts.kind = "object"
    facts.subsystem = SUBSYSTEMS.get(oh.Subsystem, str(oh.Subsystem))
    facts.pie = bool(oh.DllCharacteristics & DYNAMIC_BASE) and not fh.Characteristics & IMAGE_FILE_RELOCS_STRIPPED
    facts.stripped = not (fh.PointerToSymbolTable and fh.NumberOfSymbols)

    # pefile drops a section table cut short by the end of the file with only a warning: check it here.
    table_end = pe.DOS_HEADER.e_lfanew + 24 + fh.SizeOfOptionalHeader + 40 * fh.NumberOfSections
    if table_end > src.size or len(pe.sections) != fh.NumberOfSections:
        raise Malformed(f"section table: {fh.NumberOfSections} sections end at {table_end:#x}, past the end of the file ({src.size})")
    base = oh.ImageBase
    regions: list[Region] = []
    data_start: int | None = None
    for s in pe.sections:
        if s.SizeOfRawData and s.PointerToRawData + s.SizeOfRawData > src.size:
            raise Malformed(f"section {_name(s)} at {s.PointerToRawData:#x} (+{s.SizeOfRawData}) is past the end of the file ({src.size})")
        regions.append(Region(base + s.VirtualAddress, s.PointerToRawData, s.SizeOfRawData))
        if data_start is None and s.VirtualAddress and s.SizeOfRawData and s.Characteristics & ~ALIGN_MASK == RW_DATA:
            data_start = base + s.VirtualAddress

    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]],
                              import_dllnames_only=True)
    facts.needed = [e.dll.decode(errors="replace") for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])]
    # A PE always imports system DLLs (Go's own binaries import kernel32.dll), so "static" is an ELF notion.
    facts.linkage = "dynamic" if facts.needed else "static"
    return AddressSpace(src, regions), data_start


def _name(section) -> str:
    return section.Name.rstrip(b"\0").decode(errors="replace")
