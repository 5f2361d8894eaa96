"""Two binaries compared: where they differ, in their format's own terms (ELF sections and segments, PE header
fields and sections, Mach-O load commands, segments and sections, Go build info), with the known cause when
one is recognised (an absolute build path, a missing -trimpath, a PE timestamp, a build-id).

`envbuilder inspect --compare A B` and verify's `repro.probe` check both call `compare_files`. Unlike one-file
inspect, a comparison reads both files whole: every byte counts. Each format's parser is imported only when a
file of that format is compared.
"""

from __future__ import annotations

import hashlib
import re
import struct
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from envbuilder.inspect.analyze import analyze
from envbuilder.inspect.facts import BinaryFacts, GoBuildInfo

Where = Literal["file", "header", "segment", "section", "load-command", "buildinfo"]
_FORMAT_NAMES = {"elf": "ELF", "pe": "PE", "macho": "Mach-O", "macho-fat": "fat Mach-O"}
_WHERE_NAMES = {"header": "header field", "segment": "segment", "section": "section", "load-command": "load command",
                "buildinfo": "Go build info", "file": "file"}

# Causes recognised from where a difference is.
BUILD_ID = "a build-id difference: the build-id hashes the build's inputs, so it follows any other difference"
ONLY_BUILD_ID = "only the build-id differs: the inputs hashed into it differ (e.g. a build path) though the code does not"
TIMESTAMP = ("a timestamp (PE TimeDateStamp): the linker stamped the build time; link with -Wl,--no-insert-timestamp "
             "or set SOURCE_DATE_EPOCH")
CHECKSUM = "the PE checksum covers the whole file: it follows any other difference"
BUILDINFO_SECTION = "the Go build info differs (see its rows)"
NO_TRIMPATH = "a missing -trimpath: the build records absolute source paths"
_BUILD_ID_PARTS = {".note.go.buildid", ".note.gnu.build-id", "LC_UUID"}
# An absolute path of at least three names (shorter slash runs turn up in any binary data).
_ABSOLUTE_PATH = re.compile(rb"(?:/[A-Za-z0-9._+-]+){3,}/?")
_GO_BUILD_ID = re.compile(rb'\xff Go build ID: "[^"\n]{1,400}"')


class Difference(BaseModel):
    """One place the two files differ: A's and B's value there (content as size and digest)."""

    where: Where
    name: str  # ".debug_line", "TimeDateStamp", "LC_UUID", "-trimpath", "bytes"
    a: str | None = None  # None: A has no such part
    b: str | None = None
    cause: str | None = None

    def label(self, file_format: str) -> str:
        prefix = "" if self.where in ("buildinfo", "file") else _FORMAT_NAMES.get(file_format, file_format) + " "
        return f"{prefix}{_WHERE_NAMES[self.where]} {self.name}"


class Comparison(BaseModel):
    """`envbuilder inspect --compare A B --json`: identical when the sha256 are; else every difference found."""

    a: str
    b: str
    format: str
    size_a: int
    size_b: int
    sha256_a: str
    sha256_b: str
    differences: list[Difference] = Field(default_factory=list)

    @computed_field  # in the JSON output too
    @property
    def identical(self) -> bool:
        return self.sha256_a == self.sha256_b

    def summary(self, limit: int = 4) -> str:
        """One line: where it differs (first LIMIT places) and the causes recognised."""
        if self.identical:
            return "identical"
        shown = [d.label(self.format) for d in self.differences[:limit]]
        more = len(self.differences) - limit
        causes = list(dict.fromkeys(d.cause for d in self.differences if d.cause))
        text = "differs in " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        return text + ("; cause: " + "; ".join(causes) if causes else "")


class NotComparable(ValueError):
    """A file that cannot be compared (missing, unreadable, not a binary): its one-line reason."""


def compare_files(a: Path, b: Path) -> Comparison:
    facts_a, facts_b = _facts(a), _facts(b)
    data_a, data_b = a.read_bytes(), b.read_bytes()
    result = Comparison(a=str(a), b=str(b), format=facts_a.format, size_a=len(data_a), size_b=len(data_b),
                        sha256_a=hashlib.sha256(data_a).hexdigest(), sha256_b=hashlib.sha256(data_b).hexdigest())
    if result.identical:
        return result
    if facts_a.format != facts_b.format:
        result.differences.append(Difference(where="file", name="format", a=facts_a.format, b=facts_b.format))
        return result
    parts_a, parts_b = _split(facts_a.format, data_a), _split(facts_a.format, data_b)
    diffs = _diff(parts_a.values, parts_b.values) + _diff(_buildinfo_parts(facts_a.go), _buildinfo_parts(facts_b.go))
    if not diffs:
        diffs.append(_first_byte(data_a, data_b))
    _explain(diffs, parts_a, parts_b, facts_a.go, facts_b.go)
    result.differences = diffs
    return result


def _split(file_format: str, data: bytes) -> Parts:
    split = _PARTS.get(file_format)
    try:
        return split(data) if split else Parts()
    # A file analyze could read may still hold what a full walk trips on (a section past the end, ...):
    # it is then compared byte by byte.
    except Exception:  # noqa: BLE001
        return Parts()


def _facts(path: Path) -> BinaryFacts:
    facts = analyze(str(path))
    if facts.error:
        raise NotComparable(f"{path}: {facts.error}")
    return facts


# ---- parts: (where, name) -> a printable value; content is "N bytes sha256:<first 16 hex>" -------------------

Key = tuple[str, str]


class Parts:
    """A file split into named parts: each part's printable value, and a section's bytes (to look for causes)."""

    def __init__(self) -> None:
        self.values: dict[Key, str] = {}
        self.contents: dict[Key, bytes] = {}

    def put(self, where: str, name: str, value: str, content: bytes | None = None) -> None:
        """Names can repeat (two sections called .text): the later ones get #2, #3."""
        key, n = (where, name), 1
        while key in self.values:
            n += 1
            key = (where, f"{name}#{n}")
        self.values[key] = value if content is None else f"{value} {_content(content)}".strip()
        if content is not None:
            self.contents[key] = content


def _content(data: bytes) -> str:
    return f"{len(data)} bytes sha256:{hashlib.sha256(data).hexdigest()[:16]}"


def _elf_parts(data: bytes) -> Parts:
    import io

    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    parts = Parts()
    header = elf.header
    for field in ("e_type", "e_machine", "e_version", "e_entry", "e_flags", "e_phnum", "e_shnum", "e_shstrndx"):
        parts.put("header", field, str(header[field]))
    parts.put("header", "EI_OSABI", str(header["e_ident"]["EI_OSABI"]))
    for i, seg in enumerate(elf.iter_segments()):
        h = seg.header
        parts.put("segment", f"{i} {h['p_type']}", f"vaddr {h['p_vaddr']:#x} filesz {h['p_filesz']:#x} "
             f"memsz {h['p_memsz']:#x} flags {h['p_flags']:#x}")
    for section in elf.iter_sections():
        h = section.header
        if not section.name and h["sh_type"] == "SHT_NULL":
            continue
        body = b"" if h["sh_type"] == "SHT_NOBITS" else data[h["sh_offset"] : h["sh_offset"] + h["sh_size"]]
        parts.put("section", section.name, f"{h['sh_type']} flags {h['sh_flags']:#x}", body)
    return parts


def _pe_parts(data: bytes) -> Parts:
    import pefile

    pe = pefile.PE(data=data, fast_load=True)
    parts = Parts()
    for structure in (pe.FILE_HEADER, pe.OPTIONAL_HEADER):
        for field in (k for keys in structure.__keys__ for k in keys[:1]):
            value = getattr(structure, field, None)
            if isinstance(value, int):
                parts.put("header", field, hex(value))
    for i, directory in enumerate(pe.OPTIONAL_HEADER.DATA_DIRECTORY):
        name = directory.name.removeprefix("IMAGE_DIRECTORY_ENTRY_") if directory.name else str(i)
        parts.put("header", f"DataDirectory {name}", f"rva {directory.VirtualAddress:#x} size {directory.Size:#x}")
    for s in pe.sections:
        body = data[s.PointerToRawData : s.PointerToRawData + s.SizeOfRawData]
        parts.put("section", s.Name.rstrip(b"\0").decode(errors="replace"),
             f"characteristics {s.Characteristics:#x} virtual size {s.Misc_VirtualSize:#x}", body)
    return parts


def _macho_parts(data: bytes) -> Parts:
    from macholib import mach_o as m

    endian = ">" if data[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf") else "<"
    is64 = data[0] == 0xCF or data[3] == 0xCF
    hclass = m.mach_header_64 if is64 else m.mach_header
    h = hclass.from_str(data[: hclass._size_], _endian_=endian)
    parts = Parts()
    for field in ("cputype", "cpusubtype", "filetype", "ncmds", "sizeofcmds", "flags"):
        parts.put("header", field, hex(getattr(h, field)))
    seg_class, sect_class = (m.segment_command_64, m.section_64) if is64 else (m.segment_command, m.section)
    pos = hclass._size_
    for _ in range(h.ncmds):
        cmd, size = struct.unpack(endian + "II", data[pos : pos + 8])
        body = data[pos + 8 : pos + size]
        if cmd in (m.LC_SEGMENT, m.LC_SEGMENT_64):
            seg = seg_class.from_str(body[: seg_class._size_], _endian_=endian)
            segname = _cstr(seg.segname)
            parts.put("segment", segname, f"vmaddr {seg.vmaddr:#x} vmsize {seg.vmsize:#x} filesize {seg.filesize:#x}")
            at = seg_class._size_
            for _j in range(seg.nsects):
                sect = sect_class.from_str(body[at : at + sect_class._size_], _endian_=endian)
                content = data[sect.offset : sect.offset + sect.size] if sect.offset else b""
                parts.put("section", f"{segname},{_cstr(sect.sectname)}", "", content)
                at += sect_class._size_
        elif cmd == m.LC_UUID:
            parts.put("load-command", "LC_UUID", body[:16].hex())
        else:
            parts.put("load-command", m.LC_NAMES.get(cmd, hex(cmd)), "", body)
        pos += size
    return parts


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0")[0].decode(errors="replace")


_PARTS = {"elf": _elf_parts, "pe": _pe_parts, "macho": _macho_parts}


def _diff(a: dict[Key, str], b: dict[Key, str]) -> list[Difference]:
    return [Difference(where=where, name=name, a=a.get((where, name)), b=b.get((where, name)))  # type: ignore[arg-type]
            for where, name in dict.fromkeys([*a, *b]) if a.get((where, name)) != b.get((where, name))]


def _buildinfo_parts(info: GoBuildInfo | None) -> dict[Key, str]:
    if info is None:
        return {}
    parts: dict[Key, str] = {("buildinfo", "go"): info.go_version, ("buildinfo", "path"): info.path}
    if info.main:
        parts[("buildinfo", "mod")] = f"{info.main.path} {info.main.version} {info.main.sum}".strip()
    for dep in info.deps:
        parts[("buildinfo", f"dep {dep.path}")] = f"{dep.version} {dep.sum}".strip()
    for key, value in info.settings:
        parts[("buildinfo", key)] = value
    return parts


def _first_byte(a: bytes, b: bytes) -> Difference:
    """No part differs (bytes between sections, or a format we do not split): where the bytes first do."""
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return Difference(where="file", name="bytes", a=f"first difference at {at:#x} of {len(a)}",
                      b=f"first difference at {at:#x} of {len(b)}")


# ---- causes -------------------------------------------------------------------------------------------------


def _explain(diffs: list[Difference], parts_a: Parts, parts_b: Parts, go_a: GoBuildInfo | None,
             go_b: GoBuildInfo | None) -> None:
    untrimmed = any(go is not None and not go.trimpath for go in (go_a, go_b))
    for d in diffs:
        key = (d.where, d.name)
        content_a, content_b = parts_a.contents.get(key, b""), parts_b.contents.get(key, b"")
        if d.name in _BUILD_ID_PARTS:
            d.cause = BUILD_ID
        elif d.where == "header" and d.name == "TimeDateStamp":
            d.cause = TIMESTAMP
        elif d.where == "header" and d.name == "CheckSum":
            d.cause = CHECKSUM
        elif d.where == "section" and d.name in (".go.buildinfo", "__DATA,__go_buildinfo"):
            d.cause = BUILDINFO_SECTION
        elif d.where == "buildinfo" and d.name == "-trimpath":
            d.cause = NO_TRIMPATH
        elif d.where == "section":
            d.cause = _section_cause(d.name, content_a, content_b, untrimmed)
    if all(d.cause in (BUILD_ID, CHECKSUM) for d in diffs):
        for d in diffs:
            d.cause = ONLY_BUILD_ID if d.cause == BUILD_ID else d.cause


def _section_cause(section: str, a: bytes, b: bytes, untrimmed: bool) -> str | None:
    """The Go build ID Go writes at the start of the text (PE, Mach-O), or an absolute path one section has
    and the other has not (the build directory, in DWARF or the C objects)."""
    ids_a, ids_b = set(_GO_BUILD_ID.findall(a)), set(_GO_BUILD_ID.findall(b))
    if ids_a != ids_b and _GO_BUILD_ID.sub(b"", a) == _GO_BUILD_ID.sub(b"", b):
        return BUILD_ID
    paths_a = set(_ABSOLUTE_PATH.findall(_GO_BUILD_ID.sub(b"", a)))
    paths_b = set(_ABSOLUTE_PATH.findall(_GO_BUILD_ID.sub(b"", b)))
    only_a, only_b = sorted(paths_a - paths_b), sorted(paths_b - paths_a)
    if not (only_a and only_b):
        return "DWARF: follows the build's source paths" if _is_dwarf(section) and untrimmed else None
    place = "DWARF" if _is_dwarf(section) else "the C objects" if not untrimmed else section
    why = NO_TRIMPATH if untrimmed else "C compiled without -ffile-prefix-map (e.g. paths in CGO_CFLAGS)"
    return f"an absolute build path in {place}: {_shown(only_a[0])} vs {_shown(only_b[0])}; {why}"


def _is_dwarf(section: str) -> bool:
    # PE keeps long section names (.debug_info) in its string table: pefile shows them as /4, /19, ...
    return section.startswith((".debug", ".zdebug", "__DWARF", "/"))


def _shown(path: bytes) -> str:
    return path.decode(errors="replace")


def render(result: Comparison, console) -> None:
    """The people-facing output: one line when identical, else a table of the differences."""
    from rich.table import Table

    from envbuilder.report import cell

    if result.identical:
        console.print(f"identical: {cell(result.a)} and {cell(result.b)} (sha256 {result.sha256_a})")
        return
    table = Table(title=f"{cell(result.a)} vs {cell(result.b)}", expand=False)
    for column in ("where", "A", "B", "known cause"):
        table.add_column(column, overflow="fold")
    table.add_row("file", f"{result.size_a} bytes sha256:{result.sha256_a[:16]}",
                  f"{result.size_b} bytes sha256:{result.sha256_b[:16]}", "")
    for d in result.differences:
        table.add_row(cell(d.label(result.format)), cell(d.a if d.a is not None else "(none)"),
                      cell(d.b if d.b is not None else "(none)"), cell(d.cause or ""))
    console.print(table)
    console.print(f"different: {len(result.differences)} place(s)")
