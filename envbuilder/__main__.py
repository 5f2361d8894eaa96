"""`python -m envbuilder` and the `envbuilder` console script. Ctrl-C while the CLI's modules still import
ends like Ctrl-C later on: one line and exit 130, no traceback."""

import sys


def run() -> None:
    try:
        from envbuilder import fastpath

        if fastpath.answer(sys.argv[1:]):  # --version, --help: no Typer needed
            return
        from envbuilder.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("envbuilder: interrupted\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
