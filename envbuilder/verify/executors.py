"""Where checks run: a fresh container of an image, a running container, or the local host.

The suite only needs a few operations (run a command, put files, get files) and attributes, so the same
checks verify an image, a devcontainer and a CI runner. Containers envbuilder creates carry the owned label
and are removed on exit, Ctrl-C included (the `with` block's __exit__ runs on KeyboardInterrupt).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.identity import OWNED_LABEL

RUN_TIMEOUT_S = 900


@dataclass(frozen=True)
class ExecResult:
    rc: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def first_line(self) -> str:
        text = (self.stdout.strip() or self.stderr.strip()).splitlines()
        return text[0] if text else ""


class Executor(Protocol):
    """Everything the checks read of an environment."""

    name: str  # shown in reports: "image demo:dev-go1.22.10", "host"
    kind: str  # "image", "container", "host"
    workdir: str  # a scratch directory the checks may use
    image_attrs: dict[str, Any] | None  # the engine's inspect data of the image verified; None off images

    def run(self, command: str, env: dict[str, str] | None = None, timeout: int = RUN_TIMEOUT_S) -> ExecResult:
        """Run COMMAND with /bin/sh -c as the environment's user, in its login-less default environment."""

    def put_files(self, files: dict[str, bytes]) -> None:
        """Write FILES (relative paths) under workdir."""

    def get_dir(self, path: str, dest: Path) -> None:
        """Copy directory PATH (relative to workdir) into DEST on the host."""

    def close(self) -> None: ...


def _tar(files: dict[str, bytes], uid: int, gid: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        dirs = sorted({str(Path(p).parent) for p in files} - {"."})
        for d in dirs:
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o777, uid, gid
            tar.addfile(info)
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, uid, gid
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class ContainerExecutor:
    """Runs checks in a container: a fresh one of IMAGE (created here, removed on close), or a running one."""

    kind = "container"
    image_attrs: dict[str, Any] | None = None

    def __init__(self, client, container, *, owned: bool, user: str | None, name: str) -> None:
        self._client = client
        self._container = container
        self._owned = owned
        self.user = user
        self.name = name
        self.workdir = "/tmp/envbuilder-verify"
        self._uid_gid = self._ids()
        mk = self.run(f"rm -rf {self.workdir} && mkdir -p {self.workdir}")
        if not mk.ok:
            raise EnvironmentProblem(f"{name}: cannot create {self.workdir}: {mk.first_line()}")

    @classmethod
    def for_image(cls, client, image: str, user: str | None = None) -> "ContainerExecutor":
        img = _docker_get(client.images.get, image, "image",
                          "not found in the local engine (build it with `envbuilder build`)")
        container = client.containers.create(
            img.id, command=["sleep", "infinity"], entrypoint=[], user=user or img.attrs["Config"].get("User") or "",
            labels={OWNED_LABEL: "verify"}, network_mode="none", detach=True,
        )
        try:
            container.start()
            executor = cls(client, container, owned=True, user=user, name=f"image {image}")
        except BaseException:
            container.remove(force=True)
            raise
        executor.kind = "image"
        executor.image_attrs = img.attrs
        return executor

    @classmethod
    def for_container(cls, client, ref: str, user: str | None = None) -> "ContainerExecutor":
        container = _docker_get(client.containers.get, ref, "container", "no such running container")
        if container.status != "running":
            raise InputError(f"container {ref}: is {container.status}, not running")
        return cls(client, container, owned=False, user=user, name=f"container {container.name}")

    def _ids(self) -> tuple[int, int]:
        res = self._container.exec_run(["sh", "-c", "id -u; id -g"], user=self.user or "", demux=True)
        out = (res.output[0] or b"").decode().split()
        try:
            return int(out[0]), int(out[1])
        except (IndexError, ValueError):
            return 0, 0

    def run(self, command: str, env: dict[str, str] | None = None, timeout: int = RUN_TIMEOUT_S) -> ExecResult:
        # docker exec has no timeout of its own: the shell's `timeout` bounds each command.
        wrapped = f"timeout {timeout} sh -c {_sh_quote(command)}" if timeout else command
        res = self._container.exec_run(["sh", "-c", wrapped], environment=env or {}, user=self.user or "",
                                       workdir="/", demux=True)
        out, err = res.output if res.output else (b"", b"")
        return ExecResult(res.exit_code if res.exit_code is not None else -1, (out or b"").decode(errors="replace"),
                          (err or b"").decode(errors="replace"))

    def put_files(self, files: dict[str, bytes]) -> None:
        uid, gid = self._uid_gid
        if not self._container.put_archive(self.workdir, _tar(files, uid, gid)):
            raise EnvironmentProblem(f"{self.name}: cannot copy files into {self.workdir}")

    def get_dir(self, path: str, dest: Path) -> None:
        stream, _ = self._container.get_archive(f"{self.workdir}/{path}")
        buf = io.BytesIO(b"".join(stream))
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=buf) as tar:
            tar.extractall(dest, filter="data")

    def close(self) -> None:
        if self._owned:
            try:
                self._container.remove(force=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        else:
            self.run(f"rm -rf {self.workdir}", timeout=60)


class HostExecutor:
    """Runs checks on this machine, in its current environment (a CI runner, a laptop)."""

    kind = "host"
    name = "host"
    image_attrs: dict[str, Any] | None = None

    def __init__(self) -> None:
        self.workdir = tempfile.mkdtemp(prefix="envbuilder-verify-")
        self.user = None

    def run(self, command: str, env: dict[str, str] | None = None, timeout: int = RUN_TIMEOUT_S) -> ExecResult:
        try:
            proc = subprocess.run(["sh", "-c", command], env={**os.environ, **(env or {})}, capture_output=True,
                                  text=True, errors="replace", timeout=timeout, cwd="/")
        except subprocess.TimeoutExpired:
            return ExecResult(124, "", f"timed out after {timeout}s")
        return ExecResult(proc.returncode, proc.stdout, proc.stderr)

    def put_files(self, files: dict[str, bytes]) -> None:
        for path, data in files.items():
            out = Path(self.workdir) / path
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)

    def get_dir(self, path: str, dest: Path) -> None:
        shutil.copytree(Path(self.workdir) / path, dest / Path(path).name, dirs_exist_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def chosen_environment(command: str, *, image: str | None, host: bool, container: str | None,
                       devcontainer: Path | None) -> list[str]:
    """The environment options given; InputError when more than one is (COMMAND names the command)."""
    chosen = [name for name, on in (("IMAGE", image), ("--host", host), ("--container", container),
                                    ("--devcontainer", devcontainer)) if on]
    if len(chosen) > 1:
        raise InputError(f"{command}: give one of IMAGE, --host, --container, --devcontainer "
                         f"(got {', '.join(chosen)})")
    return chosen


def open_executor(*, image: str | None, host: bool = False, container: str | None = None,
                  devcontainer: Path | None = None, user: str | None = None) -> Executor:
    """The executor of one environment: the host, a running container, the running devcontainer of a
    workspace, or else a fresh container of IMAGE (shared by verify and snapshot)."""
    if host:
        return HostExecutor()
    from envbuilder.engine.client import engine

    client = engine()
    if container:
        return ContainerExecutor.for_container(client, container, user=user)
    if devcontainer is not None:
        from envbuilder.devcontainer_runtime import find_devcontainer

        container_id, remote_user = find_devcontainer(devcontainer)
        return ContainerExecutor.for_container(client, container_id, user=user or remote_user)
    if image is None:
        raise InputError("no environment given: give IMAGE, --host, --container or --devcontainer")
    if "@sha256:" in image:  # pinned by digest: exactly that image, pulled from its registry when absent
        from envbuilder.engine.registry import ensure_local

        ensure_local(client, image)
    return ContainerExecutor.for_image(client, image, user=user)


def _docker_get(getter, ref: str, what: str, missing: str):
    """GETTER(REF), or one-line errors: a missing object is bad input, any other engine error is exit 3."""
    from docker.errors import DockerException, NotFound  # ImageNotFound is a NotFound

    try:
        return getter(ref)
    except NotFound:
        raise InputError(f"{what} {ref}: {missing}") from None
    except DockerException as exc:
        raise EnvironmentProblem(f"{what} {ref}: {exc}") from None


def _sh_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
