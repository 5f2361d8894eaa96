"""`python -m envbuilder` and the `envbuilder` console script. Ctrl-C while the CLI's modules still import
ends like Ctrl-C later on: one line and exit 130, no traceback."""

import sys


def run() -> None:
    try:
        from envbuilder import fastpath

        if fastpath.answer(sys.argv[1:]):  # --version, --help: no Typer needed
            return
        if sys.argv[1:2] == ["inspect"]:
            from envbuilder.inspect import fastpath as inspect_fastpath

            inspect_fastpath.answer(sys.argv[2:])  # exits when it parsed the command line
        from envbuilder.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("envbuilder: interrupted\n")
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
