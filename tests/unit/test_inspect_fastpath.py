"""`envbuilder inspect` and `python -m envbuilder.inspect` parse a plain command line without Typer, and answer
exactly as Typer does: the same arguments reach the command, the same stdout, stderr and exit code, good input
or bad. Anything not certainly plain (help, unknown, repeated or odd options, usage errors) goes to Typer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder import cli
from envbuilder.commands import inspect as command
from envbuilder.inspect.fastpath import parse
from tests.inspect import synth

ENV = {**os.environ, "COLUMNS": "100"}
# What differs between two runs of the same inspection: the clock.
CLOCK = re.compile(r'"(started|finished|duration)": [^,\n]*')


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "app_linux_amd64").write_bytes(synth.elf(synth.inline_blob()))
    (tmp_path / "dist" / "README").write_text("not a binary\n")
    return tmp_path / "dist"


def typers_arguments(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict:
    """The keyword arguments Typer passes to the inspect command for ARGV."""
    seen: dict = {}

    def record(paths, **options):
        seen.update(paths=paths, **options)
        return 0

    monkeypatch.setattr(command, "main", record)
    with pytest.raises(SystemExit):
        cli.main(["inspect", *argv])
    return seen


@pytest.mark.parametrize("argv", [
    ["app"],
    ["--json", "app", "dist"],
    ["app", "--json", "--expect-static"],
    ["--expect", "linux/amd64,linux/arm64", "--expect=windows/amd64", "app"],
    ["--expect-go", "1.22", "--expect-glibc=2.28", "--expect-trimpath", "--expect-names", "app"],
    ["-j", "2", "dist"], ["-j2", "dist"], ["--jobs=12", "dist"],
    ["--junit", "out/report.xml", "app"],
    ["--json-schema"],
    [],
    [b"app\xff \x1b[31m".decode("utf-8", "surrogateescape")],
])
def test_a_plain_command_line_reaches_the_command_as_typer_passes_it(argv, monkeypatch):
    assert parse(argv) == typers_arguments(argv, monkeypatch)


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["app", "--help"],
    ["--compare", "a", "b"], ["--goreleaser", "dist/artifacts.json"],
    ["--jobs", "0"], ["-j", "x"], ["--jobs", "+2"], ["-j", "02"], ["-j=2", "app"],
    ["--bogus", "app"], ["-x"], ["--json=yes", "app"], ["--jso", "app"],
    ["--expect-go"], ["--expect-go", "--json", "app"], ["--expect-go=", "app"], ["--expect", "", "app"],
    ["--expect-go", "1.21", "--expect-go", "1.22", "app"], ["--json", "--json", "app"],
    ["--", "-app"], ["-"], [""],
])
def test_anything_else_is_left_to_typer(argv):
    assert parse(argv) is None


def run(argv: list[str], cwd: Path, *, typer: bool, module: bool = False) -> tuple[int, str, str]:
    if typer:
        entry = "inspect_main(sys.argv[1:])" if module else "main(['inspect', *sys.argv[1:]])"
        cmd = [sys.executable, "-c", f"import sys; from envbuilder.cli import inspect_main, main; {entry}"]
    else:
        cmd = [sys.executable, "-m", "envbuilder.inspect" if module else "envbuilder", *([] if module else ["inspect"])]
    done = subprocess.run([*cmd, *argv], cwd=cwd, capture_output=True, text=True, env=ENV, timeout=60)
    return done.returncode, CLOCK.sub(r'"\1": T', done.stdout), done.stderr


@pytest.mark.parametrize("argv", [
    ["dist"],
    ["--json", "--expect", "linux/amd64", "dist/app_linux_amd64"],
    ["--expect", "linux/arm64", "--expect-names", "--junit", "report.xml", "dist"],
    ["--expect-go", "1.22", "--expect-static", "dist/app_linux_amd64"],
    ["--json-schema"],
    # bad input the command itself finds: one line, exit 2
    [], ["missing"], ["--expect", "linux/z80", "dist"], ["--expect-go", "banana", "dist"], ["--expect-glibc", "2", "dist"],
    ["--junit", "dist", "dist"],
    # usage errors: Typer's own lines
    ["--jobs", "0", "dist"], ["--bogus", "dist"], ["--expect-go"],
])
@pytest.mark.parametrize("module", [False, True], ids=["envbuilder inspect", "python -m envbuilder.inspect"])
def test_the_fast_path_answers_as_typer_does(argv, module, dist):
    fast = run(argv, dist.parent, typer=False, module=module)
    assert fast == run(argv, dist.parent, typer=True, module=module)
    assert "Traceback" not in fast[2]


def test_a_plain_inspection_loads_neither_typer_nor_pydantic(dist):
    code = ("import sys; sys.argv = ['envbuilder', 'inspect', '--json', sys.argv[1]]; from envbuilder.__main__ import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code, str(dist / "app_linux_amd64")], capture_output=True, text=True,
                          timeout=60)
    loaded = eval(done.stderr.strip().splitlines()[-1])
    assert '"binaries"' in done.stdout and "elftools" in loaded
    assert set(loaded) & {"typer", "click", "pydantic", "pydantic_core"} == set()


@pytest.mark.parametrize("typer", [False, True], ids=["fast path", "Typer"])
def test_a_reader_that_leaves_early_ends_the_run_with_exit_1_and_no_traceback(typer, dist):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        cmd = ([sys.executable, "-c", "import sys; from envbuilder.cli import main; main(['inspect', *sys.argv[1:]])"]
               if typer else [sys.executable, "-m", "envbuilder", "inspect"])
        done = subprocess.run([*cmd, "--json", str(dist)], stdout=write_end, stderr=subprocess.PIPE, text=True,
                              env=ENV, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (1, "")
