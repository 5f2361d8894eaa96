"""The verify runner: a container of the spec's verify-runner image, where verify runs the foreign binaries
it built in the environment under test, under qemu-user or wine, when the spec keeps the emulators out of
the images (verify.emulate without verify.in_image).

The container is started on first use (a verify of pure-native targets never starts one) and each binary
is copied in from the host's copy of the environment's out/ directory. When there is no runner to be had,
each foreign run says why: skipped where no Docker engine answers (a CI job verifying `--host` inside the
ci image), an error where the engine has no runner image (build it).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.identity import RUNNER_STAGE
from envbuilder.verify.executors import ContainerExecutor, Executor


@dataclass(frozen=True)
class RunnerMissing:
    """Why no runner can run a binary, and how a run that needed it is reported."""

    status: Literal["skip", "error"]
    reason: str


class VerifyRunner:
    """A lazily started container of IMAGE (the spec's verify-runner tag), removed on close."""

    def __init__(self, image: str, support_files: dict[str, bytes]) -> None:
        self.image = image
        self._support_files = support_files  # what a run needs beside the binary (the wine shim's source)
        self._binaries: Path | None = None
        self._executor: ContainerExecutor | None = None
        self._missing: RunnerMissing | None = None

    def binaries_from(self, out_dir: Path) -> None:
        """The host directory holding the environment's out/ copy (what `stage` copies in)."""
        self._binaries = out_dir

    def open(self) -> Executor | RunnerMissing:
        if self._executor is None and self._missing is None:
            self._executor, self._missing = self._start()
            if self._executor is not None:
                self._executor.put_files(self._support_files)
        return self._executor or self._missing  # type: ignore[return-value]

    def _start(self) -> tuple[ContainerExecutor | None, RunnerMissing | None]:
        from envbuilder.engine.client import engine

        try:
            client = engine()
        except EnvironmentProblem as exc:
            return None, RunnerMissing("skip", f"runs in the {RUNNER_STAGE} image {self.image}, but {exc.message}")
        try:
            executor = ContainerExecutor.for_image(client, self.image)
        except InputError:
            return None, RunnerMissing("error", f"the {RUNNER_STAGE} image {self.image} is not in the engine: build "
                                                f"it with `envbuilder build --target {RUNNER_STAGE}`")
        except EnvironmentProblem as exc:
            return None, RunnerMissing("error", exc.message)
        executor.name = f"{RUNNER_STAGE} {self.image}"
        return executor, None

    def stage(self, executor: Executor, output: str) -> str:
        """Copy the binary OUTPUT (relative to out/'s parent) into the runner; its path there."""
        assert self._binaries is not None, "binaries_from() before stage()"
        executor.put_files({output: (self._binaries / output).read_bytes()})
        path = f"{executor.workdir}/{output}"
        executor.run(f"chmod 0755 {shlex.quote(path)}", timeout=60)  # qemu-user runs only executable files
        return path

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()
