"""Malformed input: every bad file is its own error and the run goes on; nothing escapes, nothing hangs."""

from __future__ import annotations

import os
import random
import shutil
import struct
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envbuilder.inspect.analyze import analyze
from envbuilder.inspect.expect import Expectations
from envbuilder.inspect.run import inspect_paths
from tests.inspect import synth

GOOD = {
    "elf64": synth.elf(synth.inline_blob()),
    "elf32be": synth.elf(synth.pointer_blob(synth.ELF_VADDR, ptr_size=4, big=True), bits=32, big=True, machine=8),
    "pe64": synth.pe(synth.inline_blob()),
    "pe32": synth.pe(synth.pointer_blob(synth.pe_vaddr(32), ptr_size=4), bits=32, machine=0x14C),
    "macho": synth.macho(synth.inline_blob()),
    "fat": synth.fat([(0x01000007, synth.macho(synth.inline_blob(), cputype=0x01000007)),
                      (0x0100000C, synth.macho(synth.inline_blob()))]),
}
REAL = Path(shutil.which("true")).read_bytes()  # a real (non-Go) Debian ELF


def corpus() -> dict[str, bytes]:
    rng = random.Random(1234)
    files: dict[str, bytes] = {"empty": b"", "random": rng.randbytes(4096), "one-byte": b"\x7f",
                               "wrong-magic": b"\x7fELG" + GOOD["elf64"][4:]}
    for name, data in {**GOOD, "real-elf": REAL}.items():
        for cut in sorted({1, 3, 4, 7, 15, 16, 20, 31, 52, 64, 100, 200, 300, len(data) // 2, len(data) - 1} - {0}):
            if cut < len(data):
                files[f"{name}-truncated-{cut}"] = data[:cut]
    elf = bytearray(GOOD["elf64"])
    files["elf-shoff-past-end"] = _patched(elf, 0x28, "<Q", 1 << 40)
    files["elf-phoff-past-end"] = _patched(elf, 0x20, "<Q", len(elf) + 8)
    files["elf-huge-shnum"] = _patched(elf, 0x3C, "<H", 0xFFFF)
    files["elf-huge-phnum"] = _patched(elf, 0x38, "<H", 0xFFFF)
    files["elf-bad-shstrndx"] = _patched(elf, 0x3E, "<H", 0x7FFF)
    files["elf-zero-shentsize"] = _patched(elf, 0x3A, "<H", 0)
    files["elf-segment-past-end"] = _patched(elf, 64 + 8, "<Q", 1 << 33)  # PT_LOAD p_offset
    macho = bytearray(GOOD["macho"])
    files["macho-huge-ncmds"] = _patched(macho, 16, "<I", 0xFFFFFFFF)
    files["macho-huge-sizeofcmds"] = _patched(macho, 20, "<I", 0x7FFFFFFF)
    files["macho-segment-past-end"] = _patched(macho, 32 + 40, "<Q", 1 << 40)  # segment fileoff
    fat = bytearray(GOOD["fat"])
    files["fat-slice-past-end"] = _patched(fat, 16, ">I", 1 << 30)
    files["fat-huge-count"] = _patched(fat, 4, ">I", 19)
    pe = bytearray(GOOD["pe64"])
    files["pe-lfanew-past-end"] = _patched(pe, 0x3C, "<I", 0x7FFFFFF0)
    files["pe-huge-nsections"] = _patched(pe, 0x46, "<H", 0xFFFF)
    files["pe-section-past-end"] = _patched(pe, 0x40 + 24 + 0xF0 + 20, "<I", 1 << 30)  # PointerToRawData
    bad_varint = synth.MAGIC + bytes([8, 2]) + bytes(16) + b"\x80" * 9 + b"\x02"
    files["buildinfo-bad-varint"] = synth.elf(bad_varint)
    files["buildinfo-varint-too-long"] = synth.elf(synth.MAGIC + bytes([8, 2]) + bytes(16) + synth.uvarint(10**6) + b"x")
    files["buildinfo-bad-modinfo"] = synth.elf(synth.inline_blob(modinfo="mod\tone-column\n"))
    return files


def _patched(data: bytearray, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def test_the_synthesized_originals_are_good(tmp_path):
    for name, data in GOOD.items():
        (tmp_path / name).write_bytes(data)
        facts = analyze(str(tmp_path / name))
        assert facts.error is None, (name, facts.error)


def test_each_malformed_file_is_its_own_error_and_the_run_continues(tmp_path):
    files = corpus()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [tmp_path / name for name in files]
    started = time.perf_counter()
    report = inspect_paths(paths, Expectations(), jobs=1)
    assert time.perf_counter() - started < 30
    reads = {Path(r.target).name: r for r in report.results if r.id == "binary.read"}
    assert set(reads) == set(files)
    not_errors = {n: r.actual for n, r in reads.items() if r.status != "error"}
    assert not_errors == {}, "these malformed files were accepted"
    assert "varint" in reads["buildinfo-bad-varint"].message
    assert "past the end" in reads["elf-shoff-past-end"].message
    assert reads["empty"].message == "empty file"


def test_a_directory_with_a_fifo_and_a_broken_symlink(tmp_path):
    d = tmp_path / "dist"
    d.mkdir()
    (d / "good").write_bytes(GOOD["elf64"])
    os.mkfifo(d / "pipe")
    (d / "dangling").symlink_to(d / "gone")
    report = inspect_paths([d], Expectations(), jobs=1)
    reads = {Path(r.target).name: (r.status, r.message) for r in report.results if r.id == "binary.read"}
    assert reads == {"dangling": ("error", "broken symbolic link"), "good": ("pass", ""),
                     "pipe": ("error", "not a regular file (FIFO)")}


def test_a_named_broken_symlink_is_a_file_error_not_bad_input(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    report = inspect_paths([tmp_path / "dangling"], Expectations(), jobs=1)
    assert [(r.status, r.message) for r in report.results] == [("error", "broken symbolic link")]


def test_unreadable_file_is_a_file_error(tmp_path):
    if os.geteuid() == 0:  # root reads anything: make the file unopenable another way
        path = tmp_path / "dir-named-like-a-binary"
        path.mkdir()
        facts = analyze(str(path))
        assert facts.error == "not a regular file (directory)"
    else:
        path = tmp_path / "secret"
        path.write_bytes(GOOD["elf64"])
        path.chmod(0)
        assert analyze(str(path)).error.startswith("cannot open")


def mutations(data: bytes):
    """Byte flips, overwrites with extreme values, truncations and splices: what a damaged download looks like."""
    n = len(data)
    flip = st.tuples(st.integers(0, n - 1), st.integers(1, 255)).map(lambda t: ("xor", t))
    word = st.tuples(st.integers(0, n - 8), st.sampled_from([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 1 << 63])).map(lambda t: ("word", t))
    cut = st.integers(0, n).map(lambda c: ("cut", c))
    return st.lists(st.one_of(flip, flip, word, cut), min_size=1, max_size=8)


def apply(data: bytes, ops) -> bytes:
    out = bytearray(data)
    for kind, arg in ops:
        if kind == "xor" and arg[0] < len(out):
            out[arg[0]] ^= arg[1]
        elif kind == "word" and arg[0] + 8 <= len(out):
            struct.pack_into("<Q", out, arg[0], arg[1])
        elif kind == "cut":
            del out[arg:]
    return bytes(out)


def assert_mutants_are_harmless(original: bytes, path: Path, examples: int) -> None:
    """Hypothesis mutates ORIGINAL into PATH: analyzing must never raise nor take 2 s (shared with oracles)."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(mutations(original))
    def check(ops):
        path.write_bytes(apply(original, ops))
        started = time.perf_counter()
        facts = analyze(str(path))  # must not raise
        assert time.perf_counter() - started < 2.0
        assert facts.error is None or isinstance(facts.error, str)

    check()


@pytest.mark.parametrize("name", [*GOOD, "real-elf"])
def test_mutated_binaries_never_raise_and_never_hang(tmp_path, name):
    assert_mutants_are_harmless(REAL if name == "real-elf" else GOOD[name], tmp_path / name, examples=60)
