"""`envbuilder inspect ...` without Typer: importing Typer and building the command cost about as much as
inspecting a directory of binaries.

Only a command line whose meaning is certain is parsed here: PATHs and the options below, each given once
(`--expect` any number of times), values that are plain (not empty, not starting with "-"; --jobs a positive
decimal). Everything else (--help, --goreleaser, --compare, unknown or repeated options, `--`, any usage
error) answers None and Typer parses it, so its help and its error lines stay the only ones. The parsed
options go to the same function Typer calls (envbuilder.commands.inspect.main); its errors are printed by the
one error handler (envbuilder.entrypoint), imported only then.
tests/unit/test_inspect_fastpath.py holds both paths side by side.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

# Option -> the command's parameter, as cli.py declares them.
FLAGS = {"--json": "json_output", "--json-schema": "json_schema", "--expect-static": "expect_static",
         "--expect-trimpath": "expect_trimpath", "--expect-names": "expect_names"}
VALUES = {"--expect-go": "expect_go", "--expect-glibc": "expect_glibc", "--junit": "junit", "--jobs": "jobs",
          "-j": "jobs"}
MULTIPLE = {"--expect": "expect"}
EXIT_INTERRUPTED = 130
_JOBS = re.compile(r"[1-9][0-9]*")


def parse(argv: list[str]) -> dict[str, Any] | None:
    """The inspect command's keyword arguments for ARGV, as Typer would pass them; None when unsure."""
    options: dict[str, Any] = {"paths": None, "expect": None, "expect_go": None, "expect_static": False,
                               "expect_glibc": None, "expect_trimpath": False, "expect_names": False,
                               "goreleaser": None, "json_output": False, "junit": None, "jobs": None,
                               "json_schema": False, "compare": False}
    given: set[str] = set()
    paths: list[Path] = []
    args = iter(argv)
    for arg in args:
        if not arg.startswith("-"):
            if not arg:
                return None
            paths.append(Path(arg))
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg[:2], "", arg[2:])
        if name in FLAGS and not eq and not value:
            key = FLAGS[name]
            options[key] = True
        elif name in VALUES or name in MULTIPLE:
            key = VALUES.get(name) or MULTIPLE[name]
            if not eq and not value:
                value = next(args, "")
            if not value or value.startswith("-"):
                return None
            if key in MULTIPLE.values():
                options[key] = [*(options[key] or []), value]
                continue
            if key == "jobs" and not _JOBS.fullmatch(value):
                return None
            options[key] = int(value) if key == "jobs" else Path(value) if key == "junit" else value
        else:
            return None
        if key in given:
            return None
        given.add(key)
    options["paths"] = paths or None
    return options


def answer(argv: list[str]) -> bool:
    """Run `envbuilder inspect ARGV` and exit when ARGV is parsed here; False to let Typer run it."""
    options = None if _completing() else parse(argv)
    if options is None:
        return False
    run(options)


def run(options: dict[str, Any]) -> NoReturn:
    """What envbuilder.entrypoint.run does around the command, for the errors the command itself raises."""
    from envbuilder.errors import EnvbuilderError

    try:
        from envbuilder.commands.inspect import main

        code = main(**options)
    except EnvbuilderError as exc:
        from envbuilder.entrypoint import PROG, say  # Click's echo, as on the Typer path

        say(f"{PROG}: {exc.message}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # as Click does: the reader left, exit 1 without a traceback
        _pacify_streams()
        sys.exit(1)
    if code == EXIT_INTERRUPTED:
        sys.stderr.write("envbuilder: interrupted\n")
    sys.exit(code if isinstance(code, int) else 0)


def _completing() -> bool:
    # Click answers shell-completion requests (an _<PROG>_COMPLETE variable) before parsing: Typer's job.
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ)


def _pacify_streams() -> None:
    import importlib

    from envbuilder.entrypoint import click  # the module of Click's exceptions, beside its utils

    utils = importlib.import_module(click.__name__.rpartition(".")[0] + ".utils")
    sys.stdout = utils.PacifyFlushWrapper(sys.stdout)
    sys.stderr = utils.PacifyFlushWrapper(sys.stderr)
