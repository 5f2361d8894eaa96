"""Serial and parallel analysis are the same analysis: the process pool (used for large runs) returns exactly
the facts the serial path finds, in the same order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envbuilder.inspect import walk
from tests.inspect import synth

FILES = {
    "elf64": synth.elf(synth.inline_blob()),
    "elf32be": synth.elf(synth.pointer_blob(synth.ELF_VADDR, ptr_size=4, big=True), bits=32, big=True, machine=8),
    "pe64": synth.pe(synth.inline_blob()),
    "macho": synth.macho(synth.inline_blob()),
    "truncated": synth.elf(synth.inline_blob())[:200],
    "real": Path(shutil.which("true") or "/bin/true").read_bytes(),
    "README": b"not a binary\n",
}


def facts_of(results: list[walk.Analyzed]) -> list[tuple[dict, bool]]:
    return [(r.facts.model_dump(), r.walked) for r in results]


def test_the_process_pool_finds_the_serial_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    entries = walk.expand([tmp_path])
    serial = walk.analyze_all(entries, jobs=1)
    monkeypatch.setattr(walk, "PARALLEL_THRESHOLD", 2)
    parallel = walk.analyze_all(entries, jobs=2)
    assert facts_of(parallel) == facts_of(serial)
    assert {r.facts.format for r in serial} >= {"elf", "pe", "macho"}
    assert any(r.facts.error for r in serial)  # the truncated file is its own error in both


def test_small_runs_are_analyzed_in_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elf64").write_bytes(FILES["elf64"])

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started for one file")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_pool)
    [result] = walk.analyze_all(walk.expand([tmp_path]), jobs=8)
    assert result.facts.format == "elf"
