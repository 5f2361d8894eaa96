"""`python -m envbuilder.inspect ...`: the inspect command on its own (same errors and exit codes as the CLI)."""

import sys

from envbuilder.inspect import fastpath

fastpath.answer(sys.argv[1:])  # exits when it parsed the command line; else Typer parses it

from envbuilder.cli import inspect_main  # noqa: E402

inspect_main()
