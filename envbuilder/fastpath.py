"""`envbuilder --version` and `envbuilder --help` without importing Typer (its import and building every
command cost more than the rest of these answers together).

The help is Click's top-level help, word for word: the commands and their one-line summaries are read from
cli.py's declarations (its source, parsed, not imported), then laid out as Click lays them out at its usual
width. On a terminal narrower than that, for a declaration computed at run time, and for anything else, this
answers nothing and Typer runs.
tests/unit/test_fastpath.py compares both answers with Typer's.
"""

from __future__ import annotations

import sys

PROG = "envbuilder"
HELP_ARGS = (["--help"], ["-h"])
# Click's help width: the terminal's columns (at most 80) minus 2; the fast path only knows that widest layout.
WIDTH = 78
# The top-level options as Click lists them (the callback in cli.py declares --version; -h/--help is Click's).
OPTIONS = (("--version", "Print the version and exit."), ("-h, --help", "Show this message and exit."))


def answer(argv: list[str]) -> bool:
    """Print the version or the top-level help when ARGV asks for exactly that; False to let Typer run."""
    if argv == ["--version"]:
        from envbuilder import __version__

        sys.stdout.write(f"{PROG} {__version__}\n")
        return True
    if argv in HELP_ARGS and _terminal_columns() - 2 >= WIDTH:
        try:
            text = top_level_help()
        except ValueError:  # a declaration computed at run time: only Typer knows it
            return False
        sys.stdout.write(text)
        return True
    return False


def _terminal_columns() -> int:
    import shutil

    return shutil.get_terminal_size().columns


def top_level_help() -> str:
    description, commands = _declarations()
    lines = [f"Usage: {PROG} [OPTIONS] COMMAND [ARGS]...", "", *_wrap(description, WIDTH, "  "), "", "Options:"]
    lines += _definitions(list(OPTIONS))
    lines += ["", "Commands:"]
    name_width = max(len(name) for name, _ in commands)
    lines += _definitions([(name, short_help(text, WIDTH - 6 - name_width)) for name, text in commands])
    return "\n".join(lines) + "\n"


def _declarations() -> tuple[str, list[tuple[str, str]]]:
    """The app's help and (name, docstring) of each command, in declaration order, from cli.py's source."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parent / "cli.py").read_text(encoding="utf-8"))
    description = ""
    commands: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "app" for t in node.targets):
            call = node.value
            if isinstance(call, ast.Call):
                description = next((ast.literal_eval(k.value) for k in call.keywords if k.arg == "help"), "")
        elif isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                        and ast.unparse(decorator.func) == "app.command"):
                    # Only literal values are known without running cli.py; anything else raises ValueError.
                    options = {k.arg: ast.literal_eval(k.value) for k in decorator.keywords
                               if k.arg in ("hidden", "name", "help")}
                    if options.get("hidden"):
                        continue
                    name = ast.literal_eval(decorator.args[0]) if decorator.args else options.get("name")
                    text = options.get("help") or ast.get_docstring(node) or ""
                    commands.append((name or node.name.replace("_", "-"), text))
    return description, commands


def _definitions(rows: list[tuple[str, str]]) -> list[str]:
    """Click's definition list (write_dl) for rows that fit on one line each, indented by 2."""
    first = min(max(len(term) for term, _ in rows), 30) + 2
    return [f"  {term}{' ' * (first - len(term))}{text}".rstrip() for term, text in rows]


def _wrap(text: str, width: int, indent: str) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent)


def short_help(text: str, limit: int) -> str:
    """Click's make_default_short_help: the first paragraph, cut at its first sentence or at LIMIT with "..."."""
    words = text.split("\n\n")[0].split()
    if words and words[0] == "\b":
        words = words[1:]
    total = 0
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > limit:
            break
        if word[-1] == ".":
            return " ".join(words[: i + 1])
        if total == limit and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    total += len("...")
    while i > 0:
        total -= len(words[i]) + (i > 0)
        if total <= limit:
            break
        i -= 1
    return " ".join(words[:i]) + "..."
