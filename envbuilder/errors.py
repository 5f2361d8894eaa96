"""Errors that end a command with a one-line message and a documented exit code.

Exit codes (docs/architecture.md): 0 ok, 1 a check failed, 2 bad input or usage, 3 environment problem.
The CLI catches EnvbuilderError at the top and prints `envbuilder: <message>` to stderr, no traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3


class EnvbuilderError(Exception):
    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(EnvbuilderError):
    """Bad spec, lock, flag or file: exit 2. The message names the file (and line/field when known)."""

    exit_code = EXIT_BAD_INPUT


class CheckFailed(EnvbuilderError):
    """A check or drift detection failed: exit 1."""

    exit_code = EXIT_CHECK_FAILED


class EnvironmentProblem(EnvbuilderError):
    """No Docker engine, no usable docker CLI, a mirror that does not answer: exit 3."""

    exit_code = EXIT_ENVIRONMENT
