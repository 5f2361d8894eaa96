"""`python -m envbuilder.inspect ...`: the inspect command on its own (same errors and exit codes as the CLI)."""

from envbuilder.cli import inspect_main

inspect_main()
