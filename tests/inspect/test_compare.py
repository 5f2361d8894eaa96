"""`inspect --compare A B`: where two binaries differ, in their format's terms, and the known cause; exit 0
identical, 1 different, 2 bad input. The files are the small, valid ELF/PE/Mach-O binaries of synth.py."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder.inspect import compare as c
from envbuilder.inspect.compare import NotComparable, compare_files
from tests.inspect import synth

TRIMMED = synth.MODINFO
UNTRIMMED = synth.MODINFO.replace("build\t-trimpath=true\n", "")


def elf_with(section: str, data: bytes, modinfo: str = TRIMMED) -> bytes:
    """synth.elf with its section named SECTION: its e_shstrndx points at the name table (index 2)."""
    body = bytearray(synth.elf(synth.inline_blob(modinfo=modinfo) + data, section=section))
    struct.pack_into("<H", body, 62, 2)
    return bytes(body)


def pe_stamped(stamp: int) -> bytes:
    """A PE whose COFF header carries TimeDateStamp STAMP (what a linker writes for the build time)."""
    data = bytearray(synth.pe(synth.inline_blob()))
    coff = struct.unpack_from("<I", data, 0x3C)[0] + 4
    struct.pack_into("<I", data, coff + 4, stamp)
    return bytes(data)


def test_identical_files_have_no_differences(write):
    a, b = write(synth.elf(synth.inline_blob()), "a"), write(synth.elf(synth.inline_blob()), "b")
    result = compare_files(a, b)
    assert result.identical and result.differences == [] and result.summary() == "identical"
    assert result.sha256_a == result.sha256_b and result.format == "elf"


def test_a_differing_elf_section_is_named_with_the_build_paths_it_holds(write):
    a = write(elf_with(".debug_str", b"\0/tmp/build-a/src/probe.c\0"), "a")
    b = write(elf_with(".debug_str", b"\0/tmp/build-b/src/probe.c\0"), "b")
    result = compare_files(a, b)
    assert not result.identical
    [section] = [d for d in result.differences if d.where == "section"]
    assert section.name == ".debug_str" and section.label("elf") == "ELF section .debug_str"
    assert section.a != section.b and "bytes sha256:" in section.a
    assert section.cause == ("an absolute build path in DWARF: /tmp/build-a/src/probe.c vs "
                             "/tmp/build-b/src/probe.c; C compiled without -ffile-prefix-map (e.g. paths in "
                             "CGO_CFLAGS)")
    assert "ELF section .debug_str" in result.summary() and "/tmp/build-a/src/probe.c" in result.summary()


def test_a_build_path_in_a_build_without_trimpath_names_the_missing_flag(write):
    a = write(elf_with(".rodata", b"\0/home/a/app/main.go\0", UNTRIMMED), "a")
    b = write(elf_with(".rodata", b"\0/home/b/app/main.go\0", UNTRIMMED), "b")
    [section] = compare_files(a, b).differences
    assert section.cause == "an absolute build path in .rodata: /home/a/app/main.go vs /home/b/app/main.go; " + \
        c.NO_TRIMPATH
    a = write(elf_with(".go.buildinfo", b"\0/home/a/app/main.go\0", UNTRIMMED), "a2")
    b = write(elf_with(".go.buildinfo", b"\0/home/b/app/main.go\0", UNTRIMMED), "b2")
    [section] = compare_files(a, b).differences
    assert section.cause == c.BUILDINFO_SECTION


def test_a_pe_timestamp_is_a_header_field_with_its_cause(write):
    result = compare_files(write(pe_stamped(0), "a.exe"), write(pe_stamped(0x6553F100), "b.exe"))
    assert [(d.where, d.name, d.a, d.b) for d in result.differences] == [
        ("header", "TimeDateStamp", "0x0", "0x6553f100")]
    assert result.differences[0].cause == c.TIMESTAMP
    assert result.differences[0].label("pe") == "PE header field TimeDateStamp"


def test_only_a_differing_build_id_says_so(write):
    a = write(elf_with(".note.go.buildid", b"A" * 28), "a")
    b = write(elf_with(".note.go.buildid", b"B" * 28), "b")
    [note] = compare_files(a, b).differences
    assert (note.where, note.name, note.cause) == ("section", ".note.go.buildid", c.ONLY_BUILD_ID)


def test_go_build_info_differences_are_listed_by_setting(write):
    a = write(synth.macho(synth.inline_blob(modinfo=TRIMMED)), "a")
    b = write(synth.macho(synth.inline_blob(modinfo=UNTRIMMED.replace("vcs.modified=false", "vcs.modified=true"))), "b")
    result = compare_files(a, b)
    assert result.format == "macho"
    by_name = {d.name: d for d in result.differences}
    assert by_name["-trimpath"].a == "true" and by_name["-trimpath"].b is None
    assert by_name["-trimpath"].cause == c.NO_TRIMPATH
    assert (by_name["vcs.modified"].a, by_name["vcs.modified"].b) == ("false", "true")
    assert by_name["__DATA,__go_buildinfo"].label("macho") == "Mach-O section __DATA,__go_buildinfo"
    assert by_name["__DATA"].where == "segment"


def test_files_of_two_formats_differ_in_format(write):
    result = compare_files(write(synth.elf(synth.inline_blob()), "a"), write(synth.pe(synth.inline_blob()), "b"))
    assert [(d.where, d.name, d.a, d.b) for d in result.differences] == [("file", "format", "elf", "pe")]


def test_missing_files_and_non_binaries_cannot_be_compared(write, tmp_path):
    good = write(synth.elf(synth.inline_blob()), "good")
    with pytest.raises(NotComparable, match=r"missing: no such file$"):
        compare_files(good, tmp_path / "missing")
    with pytest.raises(NotComparable, match=r"notes.txt: not an executable or library"):
        compare_files(write(b"just text\n", "notes.txt"), good)


# ---- the command --------------------------------------------------------------------------------------------


def inspect(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder", "inspect", *map(str, args)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "300"})


def test_the_command_exits_0_identical_1_different_with_a_table_or_json(write):
    a, same = write(pe_stamped(0), "a.exe"), write(pe_stamped(0), "same.exe")
    b = write(pe_stamped(0x6553F100), "b.exe")
    identical = inspect("--compare", a, same)
    assert identical.returncode == 0 and identical.stdout.startswith("identical:")
    table = inspect("--compare", a, b)
    assert table.returncode == 1 and "PE header field TimeDateStamp" in table.stdout and c.TIMESTAMP in table.stdout
    as_json = inspect("--compare", a, b, "--json")
    data = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and data["identical"] is False
    assert data["differences"] == [{"where": "header", "name": "TimeDateStamp", "a": "0x0", "b": "0x6553f100",
                                    "cause": c.TIMESTAMP}]


@pytest.mark.parametrize("args, message", [
    (("{good}", "{missing}"), "envbuilder: {missing}: no such file"),
    (("{text}", "{good}"), "envbuilder: {text}: not an executable or library (unrecognized format)"),
    (("{good}",), "envbuilder: inspect --compare: give exactly two files A B (got 1)"),
    (("{good}", "{good}", "--expect-static"), "envbuilder: inspect --compare: --expect-static cannot be combined "
                                              "with --compare"),
])
def test_bad_input_is_one_line_and_exit_2(write, tmp_path, args, message):
    names = {"good": write(synth.elf(synth.inline_blob()), "good"), "missing": tmp_path / "missing",
             "text": write(b"hello\n", "notes.txt")}
    done = inspect("--compare", *(a.format(**names) for a in args))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [message.format(**names)]


def test_bytes_outside_every_part_are_located_by_offset(write):
    padded = bytearray(synth.elf(synth.inline_blob()))
    padded[121] = 0xFF  # the padding between the program headers and the first section
    result = compare_files(write(synth.elf(synth.inline_blob()), "a"), write(bytes(padded), "b"))
    assert [(d.where, d.name, d.a) for d in result.differences] == [
        ("file", "bytes", f"first difference at 0x79 of {len(padded)}")]
