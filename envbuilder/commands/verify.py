"""`envbuilder verify`: pick the executor, run the suite, print/write the reports, exit 0 or 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

from envbuilder.errors import EXIT_OK, InputError
from envbuilder.identity import STAGES


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def print_schema() -> int:
    from envbuilder.report import json_schema
    from envbuilder.verify.suite import VerifyReport

    print(json.dumps(json_schema(VerifyReport), indent=2, sort_keys=True))
    return EXIT_OK


def run(spec_path: Path, *, image: str | None, host: bool, container: str | None,
        devcontainer: Path | None, user: str | None, stage: str | None, only: list[str],
        skip: list[str], as_json: bool, junit: Path | None, jobs: int | None = None,
        go: str | None = None) -> int:
    from envbuilder.fsutil import check_destinations
    from envbuilder.project import load_locked as _load_locked, locked_go
    from envbuilder.identity import image_tag
    from envbuilder.report import emit
    from envbuilder.verify.executors import chosen_environment, open_executor
    from envbuilder.verify.expected import Expectations
    from envbuilder.verify.suite import Selection, run_suite

    chosen = chosen_environment("verify", image=image, host=host, container=container, devcontainer=devcontainer)
    if stage is not None and stage not in STAGES:
        raise InputError(f"--stage: {stage!r} is not one of {', '.join(STAGES)}")
    selection = Selection.parse(_split(only), _split(skip))  # an unknown id is bad input, before any work
    if junit is not None:
        check_destinations([junit])  # before minutes of checks, not after
    spec, lock = _load_locked(spec_path)
    if go is not None:
        locked_go(lock, go)  # an unknown --go is bad input, before the engine is asked for anything
    executor = open_executor(image=image or (None if chosen else image_tag(spec, lock, "dev")), host=host,
                             container=container, devcontainer=devcontainer, user=user)
    try:
        labels = (executor.image_attrs or {}).get("Config", {}).get("Labels") or {}
        # An image says which stage it is by its label; an environment (a CI job in the ci image, with
        # --host) by ENVBUILDER_STAGE, which the rendered Dockerfile sets in the dev and ci stages.
        stage = stage or labels.get("dev.envbuilder.stage") or (os.environ.get("ENVBUILDER_STAGE") if host
                                                                 else None) or "dev"
        if stage not in STAGES:
            raise InputError(f"ENVBUILDER_STAGE: {stage!r} is not one of {', '.join(STAGES)}")
        # An image says which locked Go it was built with; elsewhere --go picks one (default: the primary).
        go = go or labels.get("dev.envbuilder.go-version")
        locked_go(lock, go)  # an unknown version is bad input, before any check runs
        report = run_suite(executor, Expectations(spec, lock, go), stage=stage,
                           selection=selection, jobs=jobs)
    finally:
        executor.close()
    return emit(report, as_json=as_json, junit=junit)

