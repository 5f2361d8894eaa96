"""The Go build-info parser on synthesized blobs: both formats (Go 1.18+ inline varints, older pointers),
both endiannesses and pointer sizes, inside ELF, PE and Mach-O; and the modinfo text grammar."""

from __future__ import annotations

import pytest

from envbuilder.inspect.buildinfo import decode_uvarint, go_unquote_prefix, parse_modinfo
from envbuilder.inspect.source import Malformed
from tests.inspect import synth

LAYOUTS = [  # (container, bits, big-endian, machine/cputype)
    ("elf", 64, False, 62),
    ("elf", 32, False, 3),
    ("elf", 64, True, 22),
    ("elf", 32, True, 8),
    ("pe", 64, False, 0x8664),
    ("pe", 32, False, 0x14C),
    ("macho", 64, False, 0x0100000C),
    ("macho", 32, True, 18),
]


def container(kind: str, blob_for, bits: int, big: bool, machine: int) -> bytes:
    if kind == "elf":
        return synth.elf(blob_for(synth.ELF_VADDR), bits=bits, big=big, machine=machine)
    if kind == "pe":
        return synth.pe(blob_for(synth.pe_vaddr(bits)), bits=bits, machine=machine)
    vaddr = synth.MACHO_VADDR if bits == 64 else 0x4000
    return synth.macho(blob_for(vaddr), bits=bits, big=big, cputype=machine, vaddr=vaddr)


@pytest.mark.parametrize("blob_format", ["inline", "pointer"])
@pytest.mark.parametrize("kind,bits,big,machine", LAYOUTS)
def test_build_info_is_read_from_every_layout(facts_of, kind, bits, big, machine, blob_format):
    ptr = bits // 8
    if blob_format == "inline":
        blob_for = lambda vaddr: synth.inline_blob("go1.22.10", ptr_size=ptr, big=big)  # noqa: E731
    else:
        blob_for = lambda vaddr: synth.pointer_blob(vaddr, "go1.16.15", ptr_size=ptr, big=big)  # noqa: E731
    facts = facts_of(container(kind, blob_for, bits, big, machine))
    assert facts.error is None
    assert facts.bits == bits and facts.endian == ("big" if big else "little")
    go = facts.go
    assert go is not None and go.blob_format == blob_format
    assert go.go_version == ("go1.22.10" if blob_format == "inline" else "go1.16.15")
    assert go.modinfo == synth.MODINFO
    assert go.path == "example.test/app"
    assert (go.main.path, go.main.version, go.main.sum) == ("example.test/app", "v1.2.3", "h1:abc=")
    assert [(d.path, d.version) for d in go.deps] == [("example.test/dep", "v0.1.0"), ("example.test/old", "v1.0.0")]
    assert go.deps[1].replace is not None and go.deps[1].replace.path == "./local"
    assert (go.goos, go.goarch, go.arch_level, go.cgo, go.trimpath) == ("linux", "arm", "7", False, True)
    assert go.setting("-ldflags") == "-s -w -X main.version=1.2.3"
    assert go.setting("vcs.revision") == "0123456789abcdef0123456789abcdef01234567"


def test_a_binary_without_build_info_is_not_go_and_not_an_error(facts_of):
    facts = facts_of(synth.elf(b"just data, no magic here" * 10))
    assert facts.error is None and facts.go is None and not facts.is_go


def test_magic_must_be_16_byte_aligned(facts_of):
    misaligned = b"\0" * 3 + synth.inline_blob()
    assert facts_of(synth.elf(misaligned)).go is None


def test_build_info_without_modinfo_has_only_the_version(facts_of):
    facts = facts_of(synth.elf(synth.inline_blob("go1.21.13", modinfo="")))
    assert facts.go.go_version == "go1.21.13" and facts.go.settings == [] and facts.go.main is None


def test_a_string_longer_than_the_search_window_is_still_read(facts_of):
    deps = "".join(f"dep\texample.test/m{i:05d}\tv1.0.{i}\th1:{'x' * 40}=\n" for i in range(1500))  # ~100 KiB
    facts = facts_of(synth.elf(synth.inline_blob(modinfo="path\tp\n" + deps)))
    assert facts.error is None and len(facts.go.deps) == 1500


@pytest.mark.parametrize("blob,message", [
    (synth.MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 3, "unterminated varint"),
    (synth.MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 9 + b"\x7f", "overflows 64 bits"),
    (synth.MAGIC + bytes([8, 2]) + bytes(16) + synth.uvarint(5000) + b"go1.2", "runs past its section"),
    (synth.MAGIC + bytes([8, 2]) + bytes(16) + synth.uvarint(1 << 40), "implausible"),
    (synth.MAGIC + bytes([3, 0]) + bytes(16), "pointer size 3"),
    (synth.MAGIC + bytes([8, 0]) + (0xDEAD0000).to_bytes(8, "little") * 2, "not in the file"),
    (synth.MAGIC + bytes([8, 2]) + bytes(16) + b"\x00\x00", "empty Go version"),
    (synth.MAGIC + bytes([8, 2]), "header truncated"),
])
def test_broken_build_info_is_a_per_file_error(facts_of, blob, message):
    facts = facts_of(synth.elf(blob))
    assert facts.go is None
    assert facts.error is not None and message in facts.error and facts.error.startswith("malformed ELF")


def test_uvarint_matches_encoding_binary():
    for n in (0, 1, 127, 128, 300, 2**35, 2**64 - 1):
        assert decode_uvarint(synth.uvarint(n) + b"tail") == (n, len(synth.uvarint(n)))
    with pytest.raises(Malformed):
        decode_uvarint(b"")


def test_modinfo_settings_are_unquoted_like_strconv():
    info = parse_modinfo(
        'build\t-ldflags="-X \\"main.v=1 2\\" -s"\n'
        'build\t"odd key"=`raw value`\n'
        'build\tCGO_CFLAGS=\n'
        'build\t-tags="a,b\\tc\\x41\\u00e9"\n'
    )
    assert info.settings == [("-ldflags", '-X "main.v=1 2" -s'), ("odd key", "raw value"), ("CGO_CFLAGS", ""),
                             ("-tags", "a,b\tcA\u00e9")]


@pytest.mark.parametrize("text,message", [
    ("mod\tonly-one-column\n", "line 1: expected 2 or 3 columns"),
    ("path\tp\n=>\ta\tb\tc\n", "line 2: replacement with no module"),
    ("mod\ta\tb\tc\n=>\tonly\ttwo\n", "expected 3 columns for replacement"),
    ("build\t=v\n", "missing key"),
    ("build\tnoequals\n", "missing '=' after key"),
    ('build\tk="unterminated\n', "unterminated quoted string"),
    ('build\tk="bad \\q escape"\n', "bad escape"),
])
def test_malformed_modinfo_names_the_line(text, message):
    with pytest.raises(Malformed, match=message):
        parse_modinfo(text)


def test_an_unterminated_last_line_is_ignored_like_go():
    assert parse_modinfo("path\tp\nbuild\tGOOS=linux").settings == []


def test_go_unquote_prefix_reports_what_it_consumed():
    assert go_unquote_prefix('"a\\"b"=rest') == ('a"b', 6)
    assert go_unquote_prefix("`x y`=rest") == ("x y", 5)
    assert go_unquote_prefix('"\\303\\251"') == ("\u00e9", 10)  # octal bytes are UTF-8 together
