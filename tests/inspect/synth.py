"""Minimal, valid ELF / PE / Mach-O files around a data blob, and Go build-info blobs in both formats.

Go toolchains from PyPI start at 1.21, so the pre-1.18 pointer format, big-endian and 32-bit layouts are
written here from the format's definition (src/debug/buildinfo/buildinfo.go, cmd/link Link.buildinfo).
"""

from __future__ import annotations

import struct

MAGIC = b"\xff Go buildinf:"
# cmd/go/internal/modload infoStart / infoEnd: the 16-byte sentinels framing modinfo.
INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")

MODINFO = (
    "path\texample.test/app\n"
    "mod\texample.test/app\tv1.2.3\th1:abc=\n"
    "dep\texample.test/dep\tv0.1.0\th1:def=\n"
    "dep\texample.test/old\tv1.0.0\n"
    "=>\t./local\t\t\n"
    "build\t-buildmode=exe\n"
    "build\t-compiler=gc\n"
    "build\t-ldflags=\"-s -w -X main.version=1.2.3\"\n"
    "build\t-trimpath=true\n"
    "build\tCGO_ENABLED=0\n"
    "build\tGOARCH=arm\n"
    "build\tGOOS=linux\n"
    "build\tGOARM=7\n"
    "build\tvcs=git\n"
    "build\tvcs.revision=0123456789abcdef0123456789abcdef01234567\n"
    "build\tvcs.time=2024-01-01T00:00:00Z\n"
    "build\tvcs.modified=false\n"
)


def uvarint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def framed(modinfo: str) -> bytes:
    return INFO_START + modinfo.encode() + INFO_END if modinfo else b""


def inline_blob(version: str = "go1.22.10", modinfo: str = MODINFO, ptr_size: int = 8, big: bool = False) -> bytes:
    """Go 1.18+: header (flags bit 2 set), then varint-prefixed version and framed modinfo."""
    header = MAGIC + bytes([ptr_size, 2 | int(big)]) + bytes(16)
    mod = framed(modinfo)
    return header + uvarint(len(version)) + version.encode() + uvarint(len(mod)) + mod


def pointer_blob(vaddr: int, version: str = "go1.16.15", modinfo: str = MODINFO, ptr_size: int = 8,
                 big: bool = False) -> bytes:
    """Before Go 1.18: header holds pointers to two Go string headers {data, len}, all at VADDR onwards."""
    order = ">" if big else "<"
    word = "Q" if ptr_size == 8 else "I"
    mod = framed(modinfo)
    vers_hdr = vaddr + 32
    mod_hdr = vers_hdr + 2 * ptr_size
    vers_data = mod_hdr + 2 * ptr_size
    mod_data = vers_data + len(version)
    header = MAGIC + bytes([ptr_size, int(big)]) + struct.pack(order + 2 * word, vers_hdr, mod_hdr)
    header += bytes(32 - len(header))
    strings = struct.pack(order + 4 * word, vers_data, len(version), mod_data, len(mod))
    return header + strings + version.encode() + mod


# --- containers ------------------------------------------------------------------------------------------------

ELF_VADDR = 0x500000


def elf(data: bytes, *, bits: int = 64, big: bool = False, machine: int = 62, osabi: int = 0, etype: int = 2,
        section: str = ".go.buildinfo", vaddr: int = ELF_VADDR, interp: bytes | None = None) -> bytes:
    """ELF with one RW PT_LOAD holding DATA at VADDR (plus PT_INTERP if given) and sections
    [null, SECTION, .shstrtab] (SECTION covers DATA)."""
    o = ">" if big else "<"
    w = "Q" if bits == 64 else "I"
    ehsize, phentsize, shentsize = (64, 56, 64) if bits == 64 else (52, 32, 40)
    phnum = 2 if interp else 1
    data_off = _align(ehsize + phnum * phentsize, 16)
    interp_off = data_off + len(data)
    shstr = b"\0.shstrtab\0" + section.encode() + b"\0"
    shstr_off = interp_off + len(interp or b"")
    sh_off = _align(shstr_off + len(shstr), 8)
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 2 if big else 1, 1, osabi]) + bytes(8)
    ehdr = ident + struct.pack(o + "HHI" + 3 * w + "IHHHHHH", etype, machine, 1, 0, ehsize, sh_off, 0, ehsize,
                               phentsize, phnum, shentsize, 3, 1)

    def phdr(ptype: int, flags: int, off: int, addr: int, size: int) -> bytes:
        if bits == 64:
            return struct.pack(o + "IIQQQQQQ", ptype, flags, off, addr, addr, size, size, 16)
        return struct.pack(o + "IIIIIIII", ptype, off, addr, addr, size, size, flags, 16)

    phdrs = phdr(1, 6, data_off, vaddr, len(data))
    if interp:
        phdrs += phdr(3, 4, interp_off, 0, len(interp))

    def shdr(name: int, stype: int, flags: int, addr: int, off: int, size: int) -> bytes:
        return struct.pack(o + "II" + 4 * w + "II" + 2 * w, name, stype, flags, addr, off, size, 0, 0, 1, 0)

    shdrs = bytes(shentsize) + shdr(11, 1, 3, vaddr, data_off, len(data)) + shdr(1, 3, 0, 0, shstr_off, len(shstr))
    body = ehdr + phdrs
    body += bytes(data_off - len(body)) + data + (interp or b"") + shstr
    return body + bytes(sh_off - len(body)) + shdrs


PE_RVA = 0x1000


def pe(data: bytes, *, bits: int = 64, machine: int = 0x8664, dll: bool = False, subsystem: int = 3) -> bytes:
    """PE with one initialized, writable `.data` section holding DATA at image base + 0x1000."""
    image_base = 0x140000000 if bits == 64 else 0x400000
    raw_size = _align(max(len(data), 1), 0x200)
    opt = struct.pack("<HBBIIIII", 0x20B if bits == 64 else 0x10B, 1, 0, 0, raw_size, 0, 0, 0)
    if bits == 32:
        opt += struct.pack("<I", 0)  # BaseOfData
    opt += struct.pack("<Q" if bits == 64 else "<I", image_base)
    opt += struct.pack("<IIHHHHHHIIIIHH", 0x1000, 0x200, 6, 0, 0, 0, 6, 0, 0, 0x2000, 0x200, 0, subsystem, 0x8160)
    opt += struct.pack("<4Q" if bits == 64 else "<4I", 0x100000, 0x1000, 0x100000, 0x1000)
    opt += struct.pack("<II", 0, 16) + bytes(16 * 8)
    characteristics = 0x0022 | (0x2000 if dll else 0)
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, len(opt), characteristics)
    section = struct.pack("<8sIIIIIIHHI", b".data", len(data), PE_RVA, raw_size, 0x200, 0, 0, 0, 0, 0xC0000040)
    dos = b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40)
    headers = dos + b"PE\0\0" + coff + opt + section
    return headers + bytes(0x200 - len(headers)) + data + bytes(raw_size - len(data))


def pe_vaddr(bits: int = 64) -> int:
    return (0x140000000 if bits == 64 else 0x400000) + PE_RVA


MACHO_VADDR = 0x100004000


def macho(data: bytes, *, bits: int = 64, big: bool = False, cputype: int = 0x0100000C,
          section: str = "__go_buildinfo", vaddr: int = MACHO_VADDR, minos: int = 0x000B0000) -> bytes:
    """Mach-O executable: a __DATA segment with one section (DATA) at VADDR, and LC_BUILD_VERSION."""
    o = ">" if big else "<"
    hsize = 32 if bits == 64 else 28
    if bits == 64:
        seg_size, sect_size = 72 + 80, 80
    else:
        seg_size, sect_size = 56 + 68, 68
    build = struct.pack(o + "IIIIII", 0x32, 24, 1, minos, minos, 0)
    sizeofcmds = seg_size + len(build)
    data_off = _align(hsize + sizeofcmds, 16)
    if bits == 64:
        seg = struct.pack(o + "II16sQQQQiiII", 0x19, seg_size, b"__DATA", vaddr, len(data), data_off, len(data), 3, 3, 1, 0)
        sect = struct.pack(o + "16s16sQQIIIIIIII", section.encode(), b"__DATA", vaddr, len(data), data_off, 4, 0, 0, 0, 0, 0, 0)
        header = struct.pack(o + "IiiIIIII", 0xFEEDFACF, cputype, 0, 2, 2, sizeofcmds, 0x200085, 0)
    else:
        seg = struct.pack(o + "II16sIIIIiiII", 0x1, seg_size, b"__DATA", vaddr, len(data), data_off, len(data), 3, 3, 1, 0)
        sect = struct.pack(o + "16s16sIIIIIIIII", section.encode(), b"__DATA", vaddr, len(data), data_off, 4, 0, 0, 0, 0, 0)
        header = struct.pack(o + "IiiIIII", 0xFEEDFACE, cputype, 0, 2, 2, sizeofcmds, 0x200085)
    body = header + seg + sect + build
    return body + bytes(data_off - len(body)) + data


def fat(slices: list[tuple[int, bytes]], align: int = 14) -> bytes:
    """A universal binary (what `lipo -create` writes): big-endian fat header, then 2^ALIGN-aligned slices."""
    out = bytearray(struct.pack(">II", 0xCAFEBABE, len(slices)))
    offset = _align(8 + 20 * len(slices), 1 << align)
    placed = []
    for cputype, body in slices:
        out += struct.pack(">iiIII", cputype, 0, offset, len(body), align)
        placed.append((offset, body))
        offset = _align(offset + len(body), 1 << align)
    for at, body in placed:
        out += bytes(at - len(out)) + body
    return bytes(out)


def _align(n: int, a: int) -> int:
    return (n + a - 1) // a * a
