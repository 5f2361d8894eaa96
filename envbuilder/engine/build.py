"""Run a BuildKit build through a docker CLI, stream its log, and turn failures into one clear line.

The Dockerfile prints `envbuilder: ...` lines for failures it understands (e.g. a Go archive checksum
mismatch); those become the error message. Otherwise the failing step is named, and the log tail shown.
"""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from envbuilder.engine.dockercli import DockerCli
from envbuilder.errors import CheckFailed, InputError

TAIL_LINES = 40
STEP_RE = re.compile(r"^#\d+ \[(?P<step>[^\]]+)\] (?P<what>.*)$")
# What a RUN step printed: "#7 0.512 text" (BuildKit plain progress). The step's own command line is echoed
# as "#7 [stage 3/3] RUN ...", so only timestamped lines are the program's output.
OUTPUT_RE = re.compile(r"^#\d+ \d+\.\d+ (?P<text>.*)$")


@dataclass
class BuildRequest:
    context: Path
    dockerfile: Path
    target: str
    tags: list[str]
    labels: dict[str, str] = field(default_factory=dict)
    platforms: list[str] = field(default_factory=list)
    network: str | None = None
    builder: str | None = None
    no_cache: bool = False
    secrets: dict[str, Path] = field(default_factory=dict)  # BuildKit secret id -> file on the host
    build_args: dict[str, str] = field(default_factory=dict)
    # Build cache shared through a registry: images (or buildx cache refs) to import, and whether the image
    # carries its own cache metadata (inline cache) for the next runner's --cache-from.
    cache_from: list[str] = field(default_factory=list)
    inline_cache: bool = False
    cache_to: list[str] = field(default_factory=list)  # buildx only: e.g. type=registry,ref=REPO:buildcache


@dataclass
class BuildResult:
    image_id: str
    tags: list[str]
    seconds: float


class BuildFailed(CheckFailed):
    def __init__(self, message: str, tail: list[str]) -> None:
        super().__init__(message)
        self.tail = tail


def build_argv(cli: DockerCli, req: BuildRequest, iidfile: Path) -> list[str]:
    if len(req.platforms) > 1 and not req.builder:
        raise InputError("building several platforms at once needs a BuildKit builder: pass --builder NAME "
                         "(docker buildx) or one --platform")
    argv = cli.build_argv() + ["--progress=plain", "-f", str(req.dockerfile), "--target", req.target,
                               "--iidfile", str(iidfile)]
    for tag in req.tags:
        argv += ["-t", tag]
    for key, value in sorted(req.labels.items()):
        argv += ["--label", f"{key}={value}"]
    for key, value in sorted(req.build_args.items()):
        argv += ["--build-arg", f"{key}={value}"]
    if req.platforms:
        argv += ["--platform", ",".join(req.platforms)]
    if req.network:
        argv += ["--network", req.network]
    if req.no_cache:
        argv.append("--no-cache")
    for secret_id, src in sorted(req.secrets.items()):
        argv += ["--secret", f"id={secret_id},src={src}"]
    argv += _cache_args(cli, req)
    if cli.buildx:
        if req.builder:
            argv += ["--builder", req.builder]
        argv.append("--load")
    argv.append(str(req.context))
    return argv


def _cache_args(cli: DockerCli, req: BuildRequest) -> list[str]:
    """--cache-from/--cache-to as each client spells them. Docker's built-in BuildKit client imports an image
    reference and exports inline cache through a build argument; buildx takes typed cache specs."""
    argv: list[str] = []
    for ref in req.cache_from:
        argv += ["--cache-from", ref if not cli.buildx or "type=" in ref else f"type=registry,ref={ref}"]
    if req.inline_cache:
        argv += ["--cache-to", "type=inline"] if cli.buildx else ["--build-arg", "BUILDKIT_INLINE_CACHE=1"]
    if cli.buildx:
        for spec in req.cache_to:
            argv += ["--cache-to", spec]
    return argv


def _failure_message(lines: list[str], target: str) -> str:
    output = [m.group("text") for m in map(OUTPUT_RE.match, lines) if m]
    for text in reversed(output):
        if text.startswith("envbuilder: "):
            return text.removeprefix("envbuilder: ").strip()
    step = next((m for m in (STEP_RE.match(l) for l in reversed(lines)) if m), None)
    # apt says what went wrong on "E: ..." lines; BuildKit's own "ERROR: ..." summary comes after them.
    apt = next((t.removeprefix("E: ") for t in reversed(output) if t.startswith("E: ")), None)
    last_error = apt or next((l for l in reversed(lines) if "ERROR" in l or "error" in l.lower()), "")
    where = f" at step [{step.group('step')}] {step.group('what')[:120]}" if step else ""
    return f"build of target {target!r} failed{where}: {last_error.strip()[:300]}".rstrip(": ")


def run_build(cli: DockerCli, req: BuildRequest, on_line: Callable[[str], None] | None = None) -> BuildResult:
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES * 5)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="envbuilder-build-") as tmp:
        iidfile = Path(tmp) / "iid"
        argv = build_argv(cli, req, iidfile)
        try:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    errors="replace", env=cli.env(), stdin=subprocess.DEVNULL)
        except OSError as exc:
            from envbuilder.errors import EnvironmentProblem

            raise EnvironmentProblem(f"cannot run {cli.path}: {exc}") from None
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                line = line.rstrip("\n")
                tail.append(line)
                if on_line:
                    on_line(line)
            rc = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait(timeout=30)
            raise
        lines = list(tail)
        if rc != 0:
            raise BuildFailed(_failure_message(lines, req.target), lines[-TAIL_LINES:])
        image_id = iidfile.read_text().strip() if iidfile.exists() else ""
    return BuildResult(image_id=image_id, tags=req.tags, seconds=time.monotonic() - started)


def print_tail(lines: list[str]) -> None:
    print("---- last lines of the build log ----", file=sys.stderr)
    for line in lines:
        print(line, file=sys.stderr)
    print("-------------------------------------", file=sys.stderr)
