"""Go build info, read from the bytes of a binary (our own parser: no maintained Python one exists).

Format (Go's src/debug/buildinfo/buildinfo.go, cmd/link's Link.buildinfo): a 32-byte header at a 16-byte
aligned address near the start of the data segment (ELF `.go.buildinfo`, Mach-O `__go_buildinfo`, else the
first writable data section/segment):

    "\\xff Go buildinf:" (14 bytes) | pointer size (1 byte) | flags (1 byte) | 16 bytes
    flags & 2 (Go 1.18+, "inline"): varint-length-prefixed strings follow the header: version, modinfo.
    otherwise ("pointer", before 1.18): two pointers (endianness: flags & 1) to Go string headers
    {data pointer, length} for runtime.buildVersion and runtime.modinfo.

modinfo is framed by 16 sentinel bytes at each end and holds the text `runtime/debug.BuildInfo.String()`
writes (path/mod/dep/=>/build lines); `parse_modinfo` is the reverse, as `debug.ParseBuildInfo`.

The format modules describe the binary's address space as `Region`s; everything here reads through them
with bounded reads, so a bad pointer or length is a `Malformed` error, not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

from envbuilder.inspect.facts import GoBuildInfo, Module
from envbuilder.inspect.source import MAX_READ, Malformed, Source

MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
ALIGN = 16
SEARCH_SIZE = 64 * 1024  # Go searches this much from the data start; so do we


@dataclass(frozen=True)
class Region:
    """Virtual addresses [vaddr, vaddr+size) are backed by file bytes [offset, offset+size)."""

    vaddr: int
    offset: int
    size: int


class AddressSpace:
    def __init__(self, src: Source, regions: list[Region]) -> None:
        self.src = src
        self.regions = [r for r in regions if r.size > 0]

    def read(self, addr: int, size: int, exact: bool = True) -> bytes:
        """SIZE bytes at virtual address ADDR from the one region holding ADDR (fewer if not EXACT)."""
        if size == 0:
            return b""
        for r in self.regions:
            if r.vaddr <= addr < r.vaddr + r.size:
                n = min(size, r.vaddr + r.size - addr)
                if exact and n < size:
                    break
                return self.src.read(r.offset + addr - r.vaddr, n, "Go build info data")
        raise Malformed(f"Go build info: address {addr:#x} (+{size}) is not in the file")


def read_build_info(space: AddressSpace, data_start: int | None) -> GoBuildInfo | None:
    """The Go build info of the binary, None when it has none (not a Go binary); Malformed when the
    build-info header is there but what it points to is broken."""
    if data_start is None:
        return None
    try:
        data = space.read(data_start, SEARCH_SIZE, exact=False)
    except Malformed:
        return None  # the data start is not backed by file bytes: not a Go binary we can read
    at = _find_header(data)
    if at is None:
        return None
    header = data[at : at + HEADER_SIZE]
    if len(header) < HEADER_SIZE:
        raise Malformed("Go build info: header truncated")
    ptr_size, flags = header[14], header[15]
    if flags & 2:
        addr = data_start + at + HEADER_SIZE
        vers, addr = _varint_string(space, addr)
        mod, _ = _varint_string(space, addr)
        blob_format = "inline"
    else:
        if ptr_size not in (4, 8):
            raise Malformed(f"Go build info: pointer size {ptr_size} (want 4 or 8)")
        order = "big" if flags & 1 else "little"

        def ptr(b: bytes) -> int:
            return int.from_bytes(b[:ptr_size], order)

        vers = _pointer_string(space, ptr(header[16:]), ptr_size, ptr)
        mod = _pointer_string(space, ptr(header[16 + ptr_size :]), ptr_size, ptr)
        blob_format = "pointer"
    if not vers:
        raise Malformed("Go build info: empty Go version")
    # Strip the sentinels framing modinfo (cmd/go/internal/modload infoStart/infoEnd), as Go does.
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17:-16] == b"\n" else b""
    text = mod.decode("utf-8", errors="replace")
    info = parse_modinfo(text)
    info.go_version = vers.decode("utf-8", errors="replace")
    info.blob_format = blob_format
    info.modinfo = text
    return info


def _find_header(data: bytes) -> int | None:
    start = 0
    while True:
        i = data.find(MAGIC, start)
        if i < 0:
            return None
        if i % ALIGN == 0:
            return i
        start = i + 1


def decode_uvarint(buf: bytes) -> tuple[int, int]:
    """(value, bytes used) of the unsigned LEB128 varint at the start of BUF (encoding/binary.Uvarint)."""
    value = shift = 0
    for i, b in enumerate(buf[:10]):
        if i == 9 and b > 1:
            raise Malformed("Go build info: varint overflows 64 bits")
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i + 1
        shift += 7
    raise Malformed("Go build info: unterminated varint")


def _varint_string(space: AddressSpace, addr: int) -> tuple[bytes, int]:
    length, n = decode_uvarint(space.read(addr, 10, exact=False))
    if length > MAX_READ:
        raise Malformed(f"Go build info: string length {length} is implausible")
    try:
        data = space.read(addr + n, length)
    except Malformed:
        raise Malformed(f"Go build info: string of {length} bytes at {addr:#x} runs past its section") from None
    return data, addr + n + length


def _pointer_string(space: AddressSpace, addr: int, ptr_size: int, ptr) -> bytes:
    hdr = space.read(addr, 2 * ptr_size)
    data_addr, length = ptr(hdr), ptr(hdr[ptr_size:])
    if length > MAX_READ:
        raise Malformed(f"Go build info: string length {length} is implausible")
    return space.read(data_addr, length) if length else b""


# --- modinfo text, the reverse of runtime/debug.BuildInfo.String() --------------------------------------------


def parse_modinfo(text: str) -> GoBuildInfo:
    info = GoBuildInfo(go_version="")
    last: Module | None = None
    for number, line in enumerate(text.split("\n")[:-1], start=1):  # like Go: an unterminated last line is ignored
        try:
            word, _, rest = line.partition("\t")
            if word == "path":
                info.path = rest
            elif word in ("mod", "dep"):
                last = _module(rest.split("\t"))
                if word == "mod":
                    info.main = last
                else:
                    info.deps.append(last)
            elif word == "=>":
                cols = rest.split("\t")
                if len(cols) != 3:
                    raise ValueError(f"expected 3 columns for replacement; got {len(cols)}")
                if last is None:
                    raise ValueError("replacement with no module on previous line")
                last.replace = Module(path=cols[0], version=cols[1], sum=cols[2])
                last = None
            elif word == "build":
                info.settings.append(_setting(rest))
        except ValueError as e:
            raise Malformed(f"Go build info: line {number}: {e}") from None
    return info


def _module(cols: list[str]) -> Module:
    if len(cols) not in (2, 3):
        raise ValueError(f"expected 2 or 3 columns; got {len(cols)}")
    return Module(path=cols[0], version=cols[1], sum=cols[2] if len(cols) == 3 else "")


def _setting(kv: str) -> tuple[str, str]:
    if not kv:
        raise ValueError("build line missing '='")
    if kv[0] == "=":
        raise ValueError("build line with missing key")
    if kv[0] in "\"`":
        key, used = go_unquote_prefix(kv)
        if kv[used : used + 1] != "=":
            raise ValueError("build line missing '=' after quoted key")
        raw = kv[used + 1 :]
    else:
        key, eq, raw = kv.partition("=")
        if not eq:
            raise ValueError("build line missing '=' after key")
    if raw[:1] in ("\"", "`"):
        value, used = go_unquote_prefix(raw)
        if used != len(raw):
            raise ValueError("invalid quoted value in build line")
        return key, value
    return key, raw


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def go_unquote_prefix(s: str) -> tuple[str, int]:
    """Decode the Go string literal at the start of S (strconv.QuotedPrefix + Unquote): (value, chars used).
    Hand-written because Python has no Go-literal decoder; only what strconv.Quote can produce matters."""
    if s[:1] == "`":
        end = s.find("`", 1)
        if end < 0:
            raise ValueError("unterminated raw string")
        return s[1:end], end + 1
    if s[:1] != '"':
        raise ValueError("not a quoted string")
    out: list[str] = []
    raw = bytearray()  # \x and octal escapes are bytes; flush them as UTF-8 together

    def flush() -> None:
        if raw:
            out.append(raw.decode("utf-8", errors="replace"))
            raw.clear()

    i = 1
    while i < len(s):
        c = s[i]
        if c == '"':
            flush()
            return "".join(out), i + 1
        if c != "\\":
            flush()
            out.append(c)
            i += 1
            continue
        e = s[i + 1 : i + 2]
        if e in _ESCAPES:
            flush()
            out.append(_ESCAPES[e])
            i += 2
        elif e == "x":
            raw.append(_hex(s[i + 2 : i + 4], 2))
            i += 4
        elif e in ("u", "U"):
            width = 4 if e == "u" else 8
            flush()
            out.append(chr(_hex(s[i + 2 : i + 2 + width], width)))
            i += 2 + width
        elif e[:1] in "01234567" and e:
            digits = s[i + 1 : i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits) or int(digits, 8) > 255:
                raise ValueError("bad octal escape")
            raw.append(int(digits, 8))
            i += 4
        else:
            raise ValueError("bad escape in quoted string")
    raise ValueError("unterminated quoted string")


def _hex(digits: str, width: int) -> int:
    if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
        raise ValueError("bad hex escape")
    value = int(digits, 16)
    if value > 0x10FFFF and width == 8:
        raise ValueError("escape out of range")
    return value


def format_modinfo(info: GoBuildInfo) -> str:
    """`go version -m` text for INFO (runtime/debug.BuildInfo.String(), with the `go` line first)."""
    lines = [f"go\t{info.go_version}"] if info.go_version else []
    if info.path:
        lines.append(f"path\t{info.path}")

    def module(word: str, m: Module) -> None:
        if m.replace is None:
            lines.append(f"{word}\t{m.path}\t{m.version}\t{m.sum}")
        else:
            lines.append(f"{word}\t{m.path}\t{m.version}")
            module("=>", m.replace)
            lines.append("")  # Go writes the outer module's newline after the replacement's own

    if info.main is not None:
        module("mod", info.main)
    for dep in info.deps:
        module("dep", dep)
    for key, value in info.settings:
        key = go_quote(key) if not key or any(c in key for c in "= \t\r\n\"`") else key
        value = go_quote(value) if any(c in value for c in " \t\r\n\"`") else value
        lines.append(f"build\t{key}={value}")
    return "".join(line + "\n" for line in lines)


def go_quote(s: str) -> str:
    """strconv.Quote for what build settings hold (printable text, quotes, backslashes, control bytes)."""
    out = ['"']
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(c)])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)
