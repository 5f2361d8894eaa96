"""Fixtures for inspect tests: write bytes to a file and analyze it. The Go-built oracle set lives in
oracle.py (integration only); everything else here runs without Go or Docker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from envbuilder.inspect.analyze import analyze
from envbuilder.inspect.facts import BinaryFacts


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(data: bytes, name: str = "bin") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture
def facts_of(write) -> Callable[..., BinaryFacts]:
    def _facts(data: bytes, name: str = "bin") -> BinaryFacts:
        return analyze(str(write(data, name)))

    return _facts


@pytest.fixture(scope="session")
def oracle_bin() -> Path:
    """The directory of Go-built oracle binaries (tests/inspect/oracle.py), built once and cached."""
    from tests.inspect.oracle import build_all

    return build_all() / "bin"
