"""`envbuilder doctor` on real machines built in a temporary HOME and PATH with real Go toolchains.

Each situation starts from a machine that matches the lock, breaks one thing the way developers' machines
break, and checks that doctor exits 1 with a first failure that names the cause and gives a fix; the test
then applies that fix literally (a shell command runs in the shell that runs doctor, a file edit is made)
and doctor exits 0.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures import gotoolchains

pytestmark = pytest.mark.integration

LOCKED = "1.22.10"
OLDER = "1.21.13"
NEWER = "1.24.11"
TOOL = "example.test/hellotool"
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# sum.golang.org's public key; the URL points the database at a local server (see `sumdb_url`).
SUMDB_KEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ada3zhBmxzh2gH1f"

SPEC = """\
name: doctorproj
go:
  version: "{version}"
  download: {mirror}
  index: {index}
modules:
  proxy: [{goproxy}]
  sumdb: {sumdb}
{privacy}
  flags: [-mod=readonly]
targets:
{targets}
tools: [{tool}@v1.1.0]
"""

GOMOD = """\
module example.com/doctorproj

go 1.22
{toolchain}
require {tool} v1.1.0
"""


class _Gone(http.server.BaseHTTPRequestHandler):
    """The public checksum database's answer for a module it cannot see: 410 Gone."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = b"not found: unrecognized import path\n"
        self.send_response(410)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def sumdb_url() -> Iterator[str]:
    """A checksum database on 127.0.0.1 that knows no module (every lookup: 410 Gone)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gone)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def hellotool(tmp_path_factory: pytest.TempPathFactory, goproxy_url: str) -> Path:
    """The spec's tool, built once with `go install` from the local module proxy."""
    root = tmp_path_factory.mktemp("hellotool")
    env = {"HOME": str(root), "PATH": f"{gotoolchains.goroot(LOCKED)}/bin:{SYSTEM_PATH}",
           "GOPATH": str(root / "gopath"), "GOPROXY": goproxy_url, "GONOSUMDB": "example.test",
           "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
    subprocess.run(["go", "install", f"{TOOL}@v1.1.0"], env=env, check=True, capture_output=True, timeout=300)
    return root / "gopath" / "bin" / "hellotool"


@dataclass
class Machine:
    """A developer machine: HOME, PATH and the environment doctor runs with, and the project in it."""

    home: Path
    project: Path
    env: dict[str, str]

    def go_env_w(self, *assignments: str) -> None:
        subprocess.run(["go", "env", "-w", *assignments], env=self.env, check=True, capture_output=True)

    def doctor(self, fix: str = "") -> tuple[int, list[dict], str]:
        """Run doctor (after FIX, in the same bash) with this machine's environment: exit code, results."""
        script = (fix + "\n" if fix else "") + 'exec "$0" -m envbuilder doctor "$1" --json'
        done = subprocess.run(["/bin/bash", "-c", script, sys.executable, str(self.project)], env=self.env,
                              capture_output=True, text=True, timeout=120, cwd=self.project)
        results = json.loads(done.stdout)["results"] if done.stdout.startswith("{") else []
        return done.returncode, results, done.stdout + done.stderr


def first_failure(results: list[dict]) -> dict:
    return next(r for r in results if r["status"] == "fail")


def fix_of(result: dict) -> str:
    return result["message"].split(". fix: ", 1)[1]


def sdk(home: Path, version: str) -> Path:
    """~/sdk/goVERSION as golang.org/dl lays it out, linked to the fixture's real Go tree."""
    link = home / "sdk" / f"go{version}"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(gotoolchains.goroot(version))
    return link / "bin"


@pytest.fixture
def new_machine(tmp_path: Path, goproxy_url: str, sumdb_url: str, hellotool: Path):
    """Build a machine that matches its project's lock; keyword arguments shape the spec and go.mod."""

    def build(*, privacy: str = "  nosumdb: [example.test]", targets: tuple[str, ...] = ("linux/amd64",),
              toolchain: str = "") -> Machine:
        home = tmp_path / "home"
        project = home / "src" / "doctorproj"
        project.mkdir(parents=True)
        (home / "go" / "bin").mkdir(parents=True)
        shutil.copy2(hellotool, home / "go" / "bin" / "hellotool")
        go_bin = sdk(home, LOCKED)
        (home / ".profile").write_text('export PATH="$HOME/sdk/go1.22.10/bin:$HOME/go/bin:$PATH"\n')
        env = {"HOME": str(home), "USER": "root", "LANG": "C.UTF-8",
               "PATH": f"{go_bin}:{home / 'go' / 'bin'}:{SYSTEM_PATH}"}
        mirror = gotoolchains.MIRROR
        gotoolchains.release_index()
        (project / "envbuilder.yaml").write_text(SPEC.format(
            version=LOCKED, mirror=mirror.as_uri() + "/", index=(mirror / "index.json").as_uri(), goproxy=goproxy_url,
            sumdb=f"{SUMDB_KEY} {sumdb_url}", privacy=privacy, tool=TOOL,
            targets="\n".join(f"  - {t}" for t in targets)))
        (project / "go.mod").write_text(GOMOD.format(tool=TOOL, toolchain=f"toolchain {toolchain}\n" if toolchain else ""))
        locked = subprocess.run([sys.executable, "-m", "envbuilder", "lock"], cwd=project, capture_output=True,
                                text=True, env={**os.environ, "CI": "1"}, timeout=300)
        assert locked.returncode == 0, locked.stderr
        machine = Machine(home, project, env)
        private = "example.test" if "private" in privacy else ""
        machine.go_env_w(f"GOPROXY={goproxy_url}", f"GOSUMDB={SUMDB_KEY} {sumdb_url}", "GOFLAGS=-mod=readonly",
                         "GOTOOLCHAIN=local", *([f"GOPRIVATE={private}"] if private else ["GONOSUMDB=example.test"]))
        if private:
            (home / ".netrc").write_text("machine example.test login gopher password s3cr3t-token\n")
        return machine

    return build


def test_a_machine_that_matches_the_lock_has_no_failure(new_machine) -> None:
    machine = new_machine()
    code, results, out = machine.doctor()
    assert code == 0, out
    assert [r for r in results if r["status"] == "fail"] == []
    ids = {r["id"] for r in results}
    assert {"doctor.path.go", "doctor.toolchain.select", "doctor.env.goproxy", "doctor.tools.pinned",
            "doctor.shell.bash", "doctor.cgo.host", "doctor.net.proxy"} <= ids
    passed = {r["id"] for r in results if r["status"] == "pass"}
    assert {"doctor.path.go", "doctor.tools.pinned", "doctor.shell.bash", "doctor.net.proxy"} <= passed


def test_a_shadowing_go_earlier_on_path(new_machine) -> None:
    machine = new_machine()
    machine.env["PATH"] = f"{sdk(machine.home, OLDER)}:{machine.env['PATH']}"
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.path.go"
    assert "go1.21.13" in failure["message"] and "golang.org/dl download (~/sdk/go1.21.13)" in failure["message"]
    assert fix_of(failure) == 'export PATH="$HOME/sdk/go1.22.10/bin:$PATH" && hash -r'
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_goroot_left_from_another_go(new_machine) -> None:
    machine = new_machine()
    machine.env["GOROOT"] = str(gotoolchains.goroot(OLDER))
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.goroot.env"
    assert "does not match go tool version go1.22.10" in failure["message"]
    assert fix_of(failure) == "unset GOROOT"
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_gopath_bin_missing_from_path(new_machine) -> None:
    machine = new_machine()
    machine.env["PATH"] = f"{sdk(machine.home, LOCKED)}:{SYSTEM_PATH}"
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.path.gobin"
    assert "~/go/bin is not on PATH" in failure["message"] and "hellotool" in failure["message"]
    assert fix_of(failure) == 'export PATH="$PATH:$HOME/go/bin"'
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_a_go_env_w_file_that_disagrees_with_the_lock(new_machine) -> None:
    machine = new_machine()
    machine.go_env_w("GOFLAGS=-mod=mod")
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.env.goflags"
    assert "'-mod=mod' (go env -w file" in failure["message"] and "the lock says '-mod=readonly'" in failure["message"]
    assert fix_of(failure) == "go env -w GOFLAGS=-mod=readonly"
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_the_environment_silently_beats_go_env_w(new_machine) -> None:
    machine = new_machine()
    machine.env["GOPROXY"] = "https://proxy.golang.org,direct"
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.env.goproxy"
    message = failure["message"]
    assert "'https://proxy.golang.org,direct' (environment)" in message
    assert "hides 'http://127.0.0.1" in message and "go env -w file ~/.config/go/env" in message
    assert fix_of(failure) == "unset GOPROXY"
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_gotoolchain_auto_would_download_the_go_mod_toolchain(new_machine) -> None:
    machine = new_machine(toolchain=f"go{NEWER}")
    machine.env["GOTOOLCHAIN"] = "auto"
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.toolchain.select"
    assert f"will download go{NEWER} instead of the local go{LOCKED}" in failure["message"]
    assert "`toolchain go1.24.11`" in failure["message"] and "GOTOOLCHAIN=auto" in failure["message"]
    assert fix_of(failure) == "unset GOTOOLCHAIN"  # the go env -w file already says local, as locked
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_a_private_module_missing_from_goprivate_goes_to_the_checksum_database(new_machine, sumdb_url) -> None:
    machine = new_machine(privacy="  private: [example.test]")
    (machine.home / ".config" / "go" / "env").write_text(
        "\n".join(line for line in (machine.home / ".config" / "go" / "env").read_text().splitlines()
                  if not line.startswith("GOPRIVATE=")) + "\n")
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.modules.private"
    message = failure["message"]
    assert f"{TOOL} v1.1.0 is private in the lock" in message
    assert f"checksum database sum.golang.org ({sumdb_url}), which answered HTTP 410" in message
    assert fix_of(failure) == "go env -w GOPRIVATE=example.test"
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_a_private_host_without_netrc(new_machine) -> None:
    machine = new_machine(privacy="  private: [example.test]")
    (machine.home / ".netrc").unlink()
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.modules.netrc"
    assert "~/.netrc has no `machine example.test` entry" in failure["message"]
    assert fix_of(failure) == ("add `machine example.test login <user> password <token>` to ~/.netrc, "
                               "then `chmod 600 ~/.netrc`")
    netrc = machine.home / ".netrc"
    netrc.write_text("machine example.test login gopher password s3cr3t-token\n")
    netrc.chmod(0o600)
    code, results, out = machine.doctor()
    assert code == 0, out
    assert "s3cr3t-token" not in out


def test_a_login_shell_whose_startup_file_puts_another_go_first(new_machine) -> None:
    machine = new_machine()
    sdk(machine.home, OLDER)
    (machine.home / ".bash_profile").write_text('export PATH="$HOME/sdk/go1.21.13/bin:$PATH"\n')
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.shell.bash"
    assert "a new bash login shell runs ~/sdk/go1.21.13/bin/go (go1.21.13)" in failure["message"]
    assert "~/.bash_profile:1 puts ~/sdk/go1.21.13/bin on PATH" in failure["message"]
    assert fix_of(failure) == """echo 'export PATH="$HOME/sdk/go1.22.10/bin:$PATH"' >> $HOME/.bash_profile"""
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_cgo_without_a_c_compiler_on_path(new_machine, tmp_path: Path) -> None:
    machine = new_machine(targets=("{platform: linux/amd64, cgo: true}",))
    tools = tmp_path / "tools"  # a PATH with a shell but no C compiler
    tools.mkdir()
    (tools / "bash").symlink_to("/bin/bash")
    machine.env["PATH"] = f"{sdk(machine.home, LOCKED)}:{machine.home / 'go' / 'bin'}:{tools}"
    machine.env["CGO_ENABLED"] = "1"
    code, results, out = machine.doctor()
    assert code == 1, out
    failure = first_failure(results)
    assert failure["id"] == "doctor.cgo.host"
    assert "CGO_ENABLED=1 (environment) and the spec builds linux/amd64 with cgo" in failure["message"]
    assert "the C compiler gcc (go env CC) is not on PATH" in failure["message"]
    assert fix_of(failure) == 'export PATH="$PATH:/usr/bin"'
    code, results, out = machine.doctor(fix_of(failure))
    assert code == 0, out


def test_people_get_a_verdict_per_area_and_the_fix_and_ci_gets_junit(new_machine, tmp_path: Path) -> None:
    machine = new_machine()
    machine.env["PATH"] = f"{sdk(machine.home, OLDER)}:{machine.env['PATH']}"
    junit = tmp_path / "doctor.xml"
    done = subprocess.run([sys.executable, "-m", "envbuilder", "doctor", str(machine.project), "--junit", str(junit)],
                          env=machine.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "envbuilder doctor ~/src/doctorproj (locked: go1.22.10)"
    assert lines[1] == "✗ path"
    assert '        fix: export PATH="$HOME/sdk/go1.22.10/bin:$PATH" && hash -r' in lines
    assert any(line.startswith("✓ cgo ") for line in lines)
    assert done.stderr.splitlines()[-1].startswith("doctor: FAILED: ")  # the summary line, as every report's
    assert '<testsuite name="path"' in junit.read_text() and "<failure" in junit.read_text()
    verbose = subprocess.run([sys.executable, "-m", "envbuilder", "doctor", str(machine.project), "-v", "--offline"],
                             env=machine.env, capture_output=True, text=True, timeout=120)
    assert "~/sdk/go1.22.10/bin/go -> " in verbose.stdout and "(shadowed)" in verbose.stdout
