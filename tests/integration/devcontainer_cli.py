"""Drive the pinned @devcontainers/cli (package.json, installed by `npm ci` in scripts/setup.sh) the way VS
Code does: as the desktop user, whose UID is what updateRemoteUserUID maps the remote user to.

The CLI takes that UID from its own process (process.getuid()), not from the workspace's owner, so a test
of another UID runs the CLI as that UID. Such a UID has no /etc/passwd entry on the test machine, and the
CLI needs a user name (os.userInfo(), else `id -un`): nss_wrapper (Debian libnss-wrapper, the standard tool
for this) gives it one from a private passwd file, so the host's users are never touched.

Builds need BuildKit (the Dockerfile uses cache mounts). The CLI runs `docker build`, with buildx when
`docker buildx version` works, else plain; so it gets /usr/bin/docker (Debian's 20.10, BuildKit built in)
through --docker-path and DOCKER_BUILDKIT=1 in its environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / "node_modules" / ".bin" / "devcontainer"
DOCKER = "/usr/bin/docker"
NSS_WRAPPER = "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so"
DOCKER_SOCKET = "/var/run/docker.sock"
CLI_TIMEOUT_S = 1800  # a cold `up` installs cross toolchains; warm runs take seconds


class CliFailed(AssertionError):
    pass


@dataclass
class DevcontainerCli:
    """The CLI run as UID (None: as this process) with HOME and TMPDIR under HOME, so its caches
    (/tmp/devcontainercli-<user>) belong to this test run only."""

    home: Path
    uid: int | None = None
    name: str = "dev"
    _env: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not CLI.exists():
            raise CliFailed(f"{CLI} is missing: run `npm ci` in {REPO} (scripts/setup.sh does)")
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        self._env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                     "TMPDIR": str(self.home / "tmp"), "DOCKER_BUILDKIT": "1", "LANG": "C.UTF-8"}
        if self.uid is not None:
            passwd, group = self.home / "nss-passwd", self.home / "nss-group"
            passwd.write_text(f"{self.name}:x:{self.uid}:{self.uid}::{self.home}:/bin/sh\n")
            group.write_text(f"{self.name}:x:{self.uid}:\n")
            self._env.update(LD_PRELOAD=NSS_WRAPPER, NSS_WRAPPER_PASSWD=str(passwd), NSS_WRAPPER_GROUP=str(group))
            for path in [self.home, *self.home.rglob("*")]:
                os.chown(path, self.uid, self.uid)

    def run(self, command: str, *args: str, workspace: Path, check: bool = True) -> subprocess.CompletedProcess:
        # options before ARGS: for `exec`, everything after the first positional is the command to run
        argv = [str(CLI), command, "--workspace-folder", str(workspace), "--docker-path", DOCKER, *args]
        ids: dict = {}
        if self.uid is not None:  # the docker socket's group lets this UID talk to the engine, as on a desktop
            ids = {"user": self.uid, "group": self.uid, "extra_groups": [os.stat(DOCKER_SOCKET).st_gid]}
        done = subprocess.run(argv, capture_output=True, text=True, env=self._env, timeout=CLI_TIMEOUT_S,
                              cwd=self.home, **ids)
        if check and done.returncode != 0:
            raise CliFailed(f"devcontainer {command} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                            f"{done.stderr[-6000:]}")
        return done

    def up(self, workspace: Path, *extra: str) -> dict:
        """`devcontainer up`: its JSON result (outcome, containerId, remoteUser, ...)."""
        return last_json(self.run("up", "--log-format", "json", *extra, workspace=workspace).stdout)

    def exec(self, workspace: Path, script: str) -> str:
        """`devcontainer exec` of a shell script as the remote user, with the remote env; its stdout."""
        return self.run("exec", "sh", "-c", script, workspace=workspace).stdout

    def read_configuration(self, workspace: Path) -> dict:
        return last_json(self.run("read-configuration", workspace=workspace).stdout)


def last_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise CliFailed(f"no JSON result in: {stdout[-2000:]}")
