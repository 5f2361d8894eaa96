"""A Docker-free Executor: answers commands from a script, records what the checks ran and wrote.

A script maps a regular expression (searched in the command) to an answer: an ExecResult, or a callable
taking the command. The first matching entry wins; an unscripted command answers like a missing program
(exit 127), so a check that runs something unexpected shows up as an error, not as a pass.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Callable, Union

from envbuilder.verify.executors import RUN_TIMEOUT_S, ExecResult, Executor

Answer = Union[ExecResult, Callable[[str], ExecResult]]


def ok(stdout: str = "") -> ExecResult:
    return ExecResult(0, stdout, "")


def fails(stderr: str = "failed", rc: int = 1, stdout: str = "") -> ExecResult:
    return ExecResult(rc, stdout, stderr)


class FakeExecutor:
    def __init__(self, script: dict[str, Answer], *, kind: str = "image", image_attrs: dict[str, Any] | None = None,
                 out_dir: Path | None = None) -> None:
        self.script = dict(script)
        self.kind = kind
        self.name = f"fake {kind}"
        self.workdir = "/tmp/fake-verify"
        self.image_attrs = image_attrs
        self.out_dir = out_dir  # what get_dir("out") copies: binaries the test put there
        self.commands: list[str] = []
        self.files: dict[str, bytes] = {}

    def answer(self, pattern: str, result: Answer) -> "FakeExecutor":
        """Script PATTERN ahead of every other entry (a test's override of a healthy environment)."""
        self.script = {pattern: result, **{p: r for p, r in self.script.items() if p != pattern}}
        return self

    def run(self, command: str, env: dict[str, str] | None = None, timeout: int = RUN_TIMEOUT_S) -> ExecResult:
        self.commands.append(command)
        for pattern, result in self.script.items():
            if re.search(pattern, command):
                return result(command) if callable(result) else result
        return ExecResult(127, "", f"sh: 1: unscripted command: {command}")

    def put_files(self, files: dict[str, bytes]) -> None:
        self.files.update(files)

    def get_dir(self, path: str, dest: Path) -> None:
        assert self.out_dir is not None, "get_dir without an out_dir"
        shutil.copytree(self.out_dir, dest / Path(path).name, dirs_exist_ok=True)

    def close(self) -> None:
        pass


def _is_an_executor(ex: FakeExecutor) -> Executor:
    return ex  # type-checks FakeExecutor against the protocol
