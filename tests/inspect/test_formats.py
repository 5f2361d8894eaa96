"""Header facts per format, on synthesized files and on real Debian binaries (no Go needed)."""

from __future__ import annotations

import shutil
import struct

import pytest

from envbuilder.inspect.analyze import NOT_A_BINARY, analyze
from tests.inspect import synth


@pytest.mark.parametrize("machine,bits,big,arch", [
    (62, 64, False, "amd64"), (3, 32, False, "386"), (40, 32, False, "arm"), (183, 64, False, "arm64"),
    (22, 64, True, "s390x"), (21, 64, False, "ppc64le"), (21, 64, True, "ppc64"), (243, 64, False, "riscv64"),
    (8, 32, True, "mips"), (8, 64, False, "mips64le"),
])
def test_elf_machine_is_spelled_as_goarch(facts_of, machine, bits, big, arch):
    facts = facts_of(synth.elf(b"data", bits=bits, big=big, machine=machine))
    assert (facts.format, facts.arch, facts.os, facts.bits) == ("elf", arch, "linux", bits)


def test_elf_osabi_names_the_os(facts_of):
    facts = facts_of(synth.elf(b"data", osabi=9))
    assert (facts.os_abi, facts.os) == ("ELFOSABI_FREEBSD", "freebsd")


def test_elf_static_executable(facts_of):
    facts = facts_of(synth.elf(b"data"))
    assert (facts.kind, facts.linkage, facts.pie, facts.interpreter, facts.stripped) == ("exe", "static", False, None, True)


def test_elf_pie_has_an_interpreter_and_is_dynamic(facts_of):
    facts = facts_of(synth.elf(b"data", etype=3, interp=b"/lib64/ld-linux-x86-64.so.2\0"))
    assert (facts.kind, facts.pie, facts.linkage, facts.interpreter) == ("exe", True, "dynamic", "/lib64/ld-linux-x86-64.so.2")


def test_elf_shared_object_and_relocatable(facts_of):
    assert facts_of(synth.elf(b"d", etype=3)).kind == "shared"
    assert facts_of(synth.elf(b"d", etype=1)).kind == "object"


def test_a_real_debian_binary_is_dynamic_pie_and_not_go():
    facts = analyze(shutil.which("ls"))
    assert facts.error is None and facts.go is None
    assert (facts.format, facts.kind, facts.pie, facts.linkage) == ("elf", "exe", True, "dynamic")
    assert "libc.so.6" in facts.needed and facts.interpreter.startswith("/lib")


@pytest.mark.parametrize("bits,machine,arch", [(64, 0x8664, "amd64"), (32, 0x14C, "386"), (64, 0xAA64, "arm64")])
def test_pe_facts(facts_of, bits, machine, arch):
    facts = facts_of(synth.pe(b"data", bits=bits, machine=machine))
    assert (facts.format, facts.os, facts.arch, facts.bits, facts.kind) == ("pe", "windows", arch, bits, "exe")
    assert (facts.subsystem, facts.pie, facts.stripped) == ("windows-console", True, True)


def test_pe_dll_and_gui_subsystem(facts_of):
    facts = facts_of(synth.pe(b"data", dll=True, subsystem=2))
    assert (facts.kind, facts.subsystem) == ("shared", "windows-gui")


def test_macho_facts(facts_of):
    facts = facts_of(synth.macho(b"data", minos=0x000C0300))
    assert (facts.format, facts.os, facts.arch, facts.kind, facts.pie) == ("macho", "darwin", "arm64", "exe", True)
    assert (facts.os_abi, facts.min_os) == ("macos", "12.3.0")


def test_fat_macho_reports_each_slice(facts_of):
    data = synth.fat([(0x01000007, synth.macho(synth.inline_blob(), cputype=0x01000007)),
                      (0x0100000C, synth.macho(synth.inline_blob()))])
    facts = facts_of(data)
    assert facts.format == "macho-fat" and facts.error is None
    assert [s.arch for s in facts.slices] == ["amd64", "arm64"]
    assert all(s.go.go_version == "go1.22.10" for s in facts.slices)
    assert facts.platform == "darwin/amd64+arm64"


def test_a_java_class_file_is_not_a_fat_macho(facts_of):
    facts = facts_of(struct.pack(">IHH", 0xCAFEBABE, 0, 52) + b"\0" * 64)  # class file version 52 (Java 8)
    assert facts.format == "unknown" and facts.error == NOT_A_BINARY


def test_a_text_file_is_not_a_binary(facts_of):
    assert facts_of(b"#!/bin/sh\necho hi\n").error == NOT_A_BINARY
