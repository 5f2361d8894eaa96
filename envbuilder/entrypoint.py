"""The one error handler of every entry point (`envbuilder`, `python -m envbuilder`, `python -m envbuilder.inspect`).

Click runs without its standalone mode, so a usage error (unknown option, missing argument, bad value, missing
file) reaches this handler instead of Click's multi-line usage block. Every error becomes one line on stderr:
`envbuilder: <message>` for EnvbuilderError, `envbuilder: <command>: <option>: <message>` for usage errors.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import typer

from envbuilder.errors import EXIT_BAD_INPUT, EnvbuilderError

# Click's exception classes as typer uses them: its own copy of Click (typer >= 0.20) or Click itself.
click = importlib.import_module(typer.BadParameter.__module__)

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
PROG = "envbuilder"


def say(message: str) -> None:
    typer.echo(message, err=True)


def run(app: typer.Typer, argv: list[str] | None, prog_name: str = PROG) -> NoReturn:
    """Run APP on ARGV and exit with its code; every error is one line on stderr."""
    try:
        code = app(args=argv, prog_name=prog_name, standalone_mode=False)
    except EnvbuilderError as exc:
        say(f"{PROG}: {exc.message}")
        sys.exit(exc.exit_code)
    except click.NoArgsIsHelpError as exc:  # a bare `envbuilder` shows the help, as before
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        say(usage_line(exc, _command_words(app, argv, prog_name)))
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as exc:
        say(f"{PROG}: {_sentence(exc.format_message())}")
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    # Typer turns Ctrl-C inside a command into exit code 130; no command exits 130 on its own.
    if code == EXIT_INTERRUPTED:
        _interrupted()
    sys.exit(code if isinstance(code, int) else 0)


def _interrupted() -> NoReturn:
    say(f"{PROG}: interrupted")
    sys.exit(EXIT_INTERRUPTED)


def _command_words(app: typer.Typer, argv: list[str] | None, prog_name: str) -> list[str]:
    """The command a usage error is about, from the command line, for errors Click raises before it knows
    (an option without its value): the program name's words after `envbuilder`, then the first command."""
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    words = prog_name.split()[1:]
    args = sys.argv[1:] if argv is None else argv
    if not words and len(names) > 1:
        words += [a for a in args if a in names][:1]
    return words


def usage_line(exc: Any, command: list[str] | None = None) -> str:
    """`envbuilder: <command>: <option or argument>: <message>`, one line."""
    parts = [PROG]
    if exc.ctx is not None:
        parts += exc.ctx.command_path.split()[1:]  # the command's words after the program name
    else:
        parts += command or []
    param = getattr(exc, "param", None)
    if isinstance(exc, click.NoSuchOption):
        hint = f" (did you mean {' or '.join(sorted(exc.possibilities))}?)" if exc.possibilities else ""
        parts += [exc.option_name, f"no such option{hint}"]
    elif isinstance(exc, click.MissingParameter):
        what = "option" if _is_option(param) else "argument"
        parts += [param_name(param)] if param is not None else []
        parts.append(f"missing {what}")
    elif isinstance(exc, click.BadOptionUsage):
        parts += [exc.option_name, _sentence(exc.message.replace(f"'{exc.option_name}' ", ""))]
    elif param is not None:
        parts += [param_name(param), _sentence(exc.message)]
    else:
        parts.append(_sentence(exc.message))
    return ": ".join(parts)


def param_name(param: Any) -> str:
    """--long-form for an option, the metavar (IMAGE, PATHS) for an argument."""
    if _is_option(param):
        return max(param.opts, key=len)
    return (param.name or "argument").upper()


def _is_option(param: Any) -> bool:
    return getattr(param, "param_type_name", None) == "option"


def _sentence(message: str) -> str:
    """Click's messages are sentences ("Option requires an argument."); ours are lower-case clauses."""
    text = " ".join(message.split()).rstrip(".").removeprefix("Value error, ").removeprefix("value error, ")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text
