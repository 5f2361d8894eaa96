"""The body of each CLI command, one module per command: `run(...)` does the work and returns the exit code.

envbuilder/cli.py only declares the commands and their options (and imports these modules inside the
commands, so `envbuilder --help` starts fast); envbuilder/entrypoint.py turns every error into one line.
"""
