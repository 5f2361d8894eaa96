"""`envbuilder --version` and `envbuilder --help` answer without Typer, word for word as Typer would, and load
only what they print; any other command line still goes to Typer, which builds only the command named (its
help and errors are the group's, word for word)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from envbuilder import DISTRIBUTION
from envbuilder.fastpath import short_help

# What neither answer needs: the CLI framework, the models, templates, engine, terminal styling, parsers.
HEAVY = {"typer", "click", "pydantic", "jinja2", "docker", "rich", "ruamel", "elftools", "pefile", "macholib"}


def envbuilder(*args: str, columns: int = 100) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "envbuilder", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def typers_answer(*args: str, columns: int = 100) -> subprocess.CompletedProcess:
    """What the whole Typer group (every command built) answers to ARGS."""
    code = ("import sys; from envbuilder import entrypoint; from envbuilder.cli import app; "
            "entrypoint.run(app, sys.argv[1:])")
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)


def loaded_modules(*args: str) -> set[str]:
    code = ("import sys; sys.argv = ['envbuilder', *sys.argv[1:]]; from envbuilder.__main__ import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(repr(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "100"})
    return set(eval(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("flag", ["--help", "-h"])
@pytest.mark.parametrize("columns", [82, 100, 200])
def test_the_top_level_help_is_typers_word_for_word(flag, columns):
    fast, typer = envbuilder(flag, columns=columns), typers_answer(flag, columns=columns)
    assert fast.returncode == typer.returncode == 0
    assert fast.stdout == typer.stdout
    assert "Commands:" in fast.stdout and "inspect" in fast.stdout


def test_a_narrow_terminal_gets_typers_own_layout():
    fast, typer = envbuilder("--help", columns=60), typers_answer("--help", columns=60)
    assert fast.stdout == typer.stdout and "environment." in fast.stdout.splitlines()[3]


def test_the_version_is_the_installed_distributions_like_typers_answer():
    done = envbuilder("--version")
    assert done.returncode == 0 and done.stdout == f"envbuilder {version(DISTRIBUTION)}\n"
    assert done.stdout == typers_answer("--version").stdout


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_load_no_framework_models_or_parsers(args):
    assert loaded_modules(*args) & HEAVY == set()


def test_a_command_still_goes_to_typer():
    assert "typer" in loaded_modules("schema", "--help")


@pytest.mark.parametrize("text,limit,expected", [
    ("Print the JSON Schema. More here.", 45, "Print the JSON Schema."),
    ("Write a starter envbuilder.yaml; the Go version comes from go.mod", 40, "Write a starter envbuilder.yaml; the..."),
    ("Short one", 45, "Short one"),
    ("First paragraph only\n\nSecond paragraph.", 45, "First paragraph only"),
])
def test_short_help_cuts_like_click(text, limit, expected):
    assert short_help(text, limit) == expected


@pytest.mark.parametrize("command", ["init", "lock", "render", "build", "verify", "doctor", "snapshot", "diff",
                                     "schema", "inspect"])
def test_a_command_built_alone_has_the_groups_help(command):
    alone, group = envbuilder(command, "--help"), typers_answer(command, "--help")
    assert alone.returncode == group.returncode == 0
    assert alone.stdout == group.stdout and alone.stdout.startswith(f"Usage: envbuilder {command} ")


@pytest.mark.parametrize("args", [["inspect", "--frob"], ["render", "--ci"], ["schema", "extra"], ["nosuch"]])
def test_a_command_built_alone_has_the_groups_usage_errors(args):
    alone, group = envbuilder(*args), typers_answer(*args)
    assert (alone.returncode, alone.stderr) == (group.returncode, group.stderr) and alone.returncode == 2
