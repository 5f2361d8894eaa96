"""`inspect --expect-glibc`: the newest GLIBC_x.y an ELF program requires (its .gnu.version_r) against a floor,
read by a reader that plain inspection never loads."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder.inspect.glibc import newest_glibc_need
from tests.inspect import synth

SHT_STRTAB, SHT_GNU_VERNEED = 3, 0x6FFFFFFE


def elf_needing(needs: dict[str, list[str]]) -> bytes:
    """A little-endian ELF64 executable whose version-needs table asks each library for its versions."""
    strings = b"\0"
    offsets: dict[str, int] = {}
    for name in [*needs, *(v for versions in needs.values() for v in versions)]:
        if name not in offsets:
            offsets[name] = len(strings)
            strings += name.encode() + b"\0"
    verneed = b""
    for i, (library, versions) in enumerate(needs.items()):
        size = 16 + 16 * len(versions)
        last = i == len(needs) - 1
        verneed += struct.pack("<HHIII", 1, len(versions), offsets[library], 16, 0 if last else size)
        for j, version in enumerate(versions):
            verneed += struct.pack("<IHHII", 0, 0, j + 2, offsets[version], 0 if j == len(versions) - 1 else 16)
    shstrtab = b"\0.dynstr\0.gnu.version_r\0.shstrtab\0"
    dynstr_at = 64
    verneed_at = dynstr_at + len(strings)
    shstrtab_at = verneed_at + len(verneed)
    sections_at = shstrtab_at + len(shstrtab)
    header = (b"\x7fELF\x02\x01\x01" + b"\0" * 9
              + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0, 0, sections_at, 0, 64, 56, 0, 64, 4, 3))

    def section(name: int, kind: int, offset: int, size: int, link: int = 0, info: int = 0) -> bytes:
        return struct.pack("<IIQQQQIIQQ", name, kind, 0, 0, offset, size, link, info, 1, 0)

    table = (b"\0" * 64 + section(1, SHT_STRTAB, dynstr_at, len(strings))
             + section(9, SHT_GNU_VERNEED, verneed_at, len(verneed), link=1, info=len(needs))
             + section(24, SHT_STRTAB, shstrtab_at, len(shstrtab)))
    return header + strings + verneed + shstrtab + table


def inspect(path: Path, floor: str) -> tuple[int, dict]:
    done = subprocess.run([sys.executable, "-m", "envbuilder.inspect", str(path), "--expect-glibc", floor, "--json"],
                          capture_output=True, text=True, timeout=60)
    return done.returncode, next(r for r in json.loads(done.stdout)["results"] if r["id"] == "binary.glibc")


@pytest.fixture
def needs_2_34(tmp_path: Path) -> Path:
    path = tmp_path / "app"
    path.write_bytes(elf_needing({"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_PRIVATE"],
                                  "libm.so.6": ["GLIBC_2.29"]}))
    return path


def test_the_newest_glibc_version_needed_is_found_across_libraries(needs_2_34):
    need = newest_glibc_need(str(needs_2_34))
    assert (need.version, need.name, need.library) == ((2, 34), "GLIBC_2.34", "libc.so.6")


def test_three_part_versions_compare_by_number(tmp_path):
    path = tmp_path / "app"
    path.write_bytes(elf_needing({"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"]}))
    assert newest_glibc_need(str(path)).name == "GLIBC_2.17"


def test_a_program_needing_a_newer_glibc_fails_the_floor_naming_the_symbol_version(needs_2_34):
    rc, result = inspect(needs_2_34, "2.28")
    assert rc == 1 and result["status"] == "fail"
    assert result["actual"] == "GLIBC_2.34 (libc.so.6)"
    assert result["message"] == "requires GLIBC_2.34 from libc.so.6, newer than glibc 2.28"


def test_a_program_within_the_floor_passes(needs_2_34):
    rc, result = inspect(needs_2_34, "2.34")
    assert rc == 0 and result["status"] == "pass"


def test_a_static_program_needs_no_glibc_version(tmp_path):
    path = tmp_path / "static"
    path.write_bytes(synth.elf(synth.inline_blob()))
    rc, result = inspect(path, "2.17")
    assert result["status"] == "pass" and result["actual"] == "no GLIBC_ symbol version required"


def test_a_bad_floor_is_one_line_and_exit_2(needs_2_34):
    done = subprocess.run([sys.executable, "-m", "envbuilder.inspect", str(needs_2_34), "--expect-glibc", "2.x"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "envbuilder: --expect-glibc: '2.x' is not a glibc version like 2.28"


def test_the_reader_is_loaded_only_when_a_floor_is_asked_for(needs_2_34):
    code = ("import sys; sys.argv = ['envbuilder', 'inspect', *sys.argv[1:]]; from envbuilder.__main__ import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(repr('envbuilder.inspect.glibc' in sys.modules))")

    def loads_reader(*args: str) -> bool:
        done = subprocess.run([sys.executable, "-c", code, str(needs_2_34), *args], capture_output=True, text=True,
                              timeout=60)
        return done.stderr.strip().splitlines()[-1] == "True"

    assert not loads_reader()
    assert loads_reader("--expect-glibc", "2.28")
