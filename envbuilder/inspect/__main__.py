"""`python -m envbuilder.inspect ...`: the inspect command on its own (same errors and exit codes as the CLI)."""

import sys

import typer

from envbuilder.errors import EnvbuilderError
from envbuilder.inspect.command import inspect_command

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
app.command()(inspect_command)

try:
    app(prog_name="envbuilder inspect")
except EnvbuilderError as exc:
    typer.echo(f"envbuilder: {exc.message}", err=True)
    sys.exit(exc.exit_code)
