"""The rendered .devcontainer/devcontainer.json in the real, pinned devcontainer CLI, as VS Code uses it.

One devcontainer (examples/hello with the local fixtures as sources) is built and started once for the
module, as UID 1000; the tests exec into it as the remote user. The last two tests change the spec and bring
it up again (the cache volumes must survive), then bring up a copy of the workspace owned by UID 1234: the
user is remapped and must still own GOPATH and the volumes the first container filled (devcontainers/spec#631).
Everything made here carries this run's random name, is removed at the end, and is looked for afterwards.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import jsonschema
import pytest
from ruamel.yaml import YAML

from envbuilder.devcontainer_runtime import DevcontainerNotRunning, find_devcontainer
from envbuilder.errors import InputError
from envbuilder.identity import cache_volumes
from envbuilder.profiles import target_toolchain
from envbuilder.spec.load import load_spec

from .conftest import Project
from .devcontainer_cli import DevcontainerCli

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello"
FIRST_UID, OTHER_UID = 1000, 1234
HOST_NETWORK = ["--network=host"]  # the Go mirror and module proxy listen on the host's 127.0.0.1 only


@dataclass
class Devcontainer:
    name: str
    root: Path  # everything on disk: workspaces, CLI homes
    workspace: Path
    cli: DevcontainerCli
    up: dict = field(default_factory=dict)

    @property
    def project(self) -> Project:
        return Project(self.workspace)

    def exec(self, script: str, *, cli: DevcontainerCli | None = None, workspace: Path | None = None) -> str:
        return (cli or self.cli).exec(workspace or self.workspace, f"set -e\n{script}")

    def spec(self):
        return load_spec(self.workspace / "envbuilder.yaml")


def edit_spec(workspace: Path, edit) -> None:
    yaml = YAML()
    path = workspace / "envbuilder.yaml"
    spec = yaml.load(path.read_text())
    edit(spec)
    with open(path, "w") as f:
        yaml.dump(spec, f)


def write_spec(workspace: Path, name: str, urls: dict[str, str], base_image: str, **devcontainer) -> None:
    """examples/hello/envbuilder.yaml with the local fixtures as sources (as scripts/demo.sh does offline)."""
    def local_sources(spec) -> None:
        spec["name"] = name
        spec["go"]["download"], spec["go"]["index"] = urls["GO_MIRROR_URL"], urls["GO_INDEX_URL"]
        spec["base"]["image"] = base_image
        spec["modules"]["proxy"] = [urls["GOPROXY_URL"]]
        spec["modules"]["nosumdb"] = ["example.test"]
        spec["tools"] = ["example.test/hellotool@v1.1.0"]  # the example's gopls needs proxy.golang.org
        spec["devcontainer"].update(build_options=HOST_NETWORK, run_args=HOST_NETWORK, **devcontainer)

    shutil.copy(EXAMPLE / "envbuilder.yaml", workspace / "envbuilder.yaml")
    edit_spec(workspace, local_sources)


def lock_and_render(workspace: Path) -> None:
    project = Project(workspace)
    for step in ("lock", "render"):
        done = project.run(step)
        assert done.returncode == 0, done.stderr


def give_to(path: Path, uid: int) -> None:
    for p in [path, *path.rglob("*")]:
        os.chown(p, uid, uid, follow_symlinks=False)


def ours(client: docker.DockerClient, dc: Devcontainer) -> dict[str, set[str]]:
    """What this run made: containers the CLI labelled with one of our workspaces, volumes named after our
    spec, images whose devcontainer.metadata label (the CLI writes our config, volume names included, into
    it; so dangling ones from a rebuild count too). Found by name, so clean-up and the leak check touch only
    this run's objects on an engine other sessions use at the same time."""
    return {
        "containers": {c.id for c in client.containers.list(all=True, ignore_removed=True)
                       if c.labels.get("devcontainer.local_folder", "").startswith(f"{dc.root}/")},
        "volumes": {v.id for v in client.volumes.list() if dc.name in v.name},
        "images": {i.id for i in client.images.list(all=True)
                   if dc.name in (i.labels or {}).get("devcontainer.metadata", "")},
    }


def remove_everything(client: docker.DockerClient, dc: Devcontainer) -> None:
    found = ours(client, dc)
    for container_id in found["containers"]:
        client.containers.get(container_id).remove(force=True)
    images = found["images"]
    for _ in range(2):  # a second pass for an image another one was built FROM
        for image_id in sorted(images):
            try:
                client.images.remove(image_id, force=True)
                images.discard(image_id)
            except docker.errors.NotFound:
                images.discard(image_id)
            except docker.errors.APIError:
                pass
    for volume_id in found["volumes"]:
        client.volumes.get(volume_id).remove(force=True)


@pytest.fixture(scope="module")
def devcontainer(docker_engine, base_image, fixture_urls) -> Iterator[Devcontainer]:
    name = f"dc{secrets.token_hex(4)}"
    # Not under pytest's 0700 tmp_path: the CLI runs as UID 1000/1234 and must reach the workspace.
    root = Path(tempfile.mkdtemp(prefix=f"envbuilder-{name}-"))
    root.chmod(0o755)
    workspace = root / name
    workspace.mkdir()
    for src in [*EXAMPLE.glob("*.go"), EXAMPLE / "go.mod"]:
        shutil.copy(src, workspace)
    write_spec(workspace, name, fixture_urls, base_image, on_create="go env GOVERSION > /tmp/on-create",
               post_start="touch /tmp/post-start")
    lock_and_render(workspace)
    # The example emulates its foreign probes: verify runs them in the verify runner, which `devcontainer up`
    # does not build (the user builds it once with envbuilder, as here).
    runner = Project(workspace).build("--target", "verify-runner")
    assert runner.returncode == 0, runner.stderr[-3000:]
    give_to(workspace, FIRST_UID)
    dc = Devcontainer(name, root, workspace, DevcontainerCli(root / "home-1000", uid=FIRST_UID))
    try:
        dc.up = dc.cli.up(workspace)
        yield dc
    finally:
        docker_engine.images.remove(runner.stdout.split()[0], force=True)
        remove_everything(docker_engine, dc)
        shutil.rmtree(root)
    left = {kind: ids for kind, ids in ours(docker_engine, dc).items() if ids}
    if left:
        pytest.fail(f"devcontainer tests left Docker objects behind: {left}", pytrace=False)


def test_read_configuration_accepts_the_rendered_file(devcontainer):
    rendered = json.loads("\n".join(l for l in (devcontainer.workspace / ".devcontainer" / "devcontainer.json")
                                    .read_text().splitlines() if not l.startswith("//")))
    config = devcontainer.cli.read_configuration(devcontainer.workspace)["configuration"]
    for key, value in rendered.items():
        assert config[key] == value, key
    assert config["build"] == {"dockerfile": "../Dockerfile", "context": "..", "target": "dev",
                               "options": HOST_NETWORK}
    assert (config["remoteUser"], config["containerUser"], config["updateRemoteUserUID"]) == ("gopher", "root", True)


def test_up_gives_the_remote_user_the_pinned_go_and_module_settings(devcontainer):
    dc = devcontainer
    spec, up = dc.spec(), dc.up
    assert up["outcome"] == "success" and up["remoteUser"] == "gopher"
    lock = json.loads((dc.workspace / "envbuilder.lock").read_text())
    out = dc.exec("id -un; id -u; go version; go env GOPROXY GOSUMDB GOPRIVATE GONOSUMDB GOFLAGS GOTOOLCHAIN")
    user, uid, version, *module_env = out.splitlines()
    assert (user, uid) == ("gopher", str(FIRST_UID))
    assert version == f"go version go{lock['go']['version']} linux/amd64"
    env = spec.modules.env()
    assert module_env == [env["GOPROXY"], env["GOSUMDB"], env["GOPRIVATE"], env["GONOSUMDB"], env["GOFLAGS"], "local"]
    # lifecycle commands from the spec ran, as the remote user, after the ownership hand-over
    assert dc.exec("cat /tmp/on-create; stat -c %U /tmp/on-create /tmp/post-start").split() == [
        f"go{lock['go']['version']}", "gopher", "gopher"]


def test_find_devcontainer_finds_it_by_the_clis_labels(devcontainer, tmp_path):
    assert find_devcontainer(devcontainer.workspace) == (devcontainer.up["containerId"], "gopher")
    config = devcontainer.workspace / ".devcontainer" / "devcontainer.json"
    assert find_devcontainer(devcontainer.workspace, config=config)[0] == devcontainer.up["containerId"]
    with pytest.raises(DevcontainerNotRunning, match="devcontainer up --workspace-folder"):
        find_devcontainer(tmp_path)
    with pytest.raises(InputError, match="not a directory"):
        find_devcontainer(tmp_path / "missing")


def test_verify_devcontainer_runs_the_whole_suite_in_it_as_the_remote_user(devcontainer):
    """Before any test changes the container: the suite, found by the CLI's labels, is green as gopher."""
    result = devcontainer.project.run("verify", "--devcontainer", str(devcontainer.workspace), "--json",
                                      timeout=1200)
    report = json.loads(result.stdout)
    problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert result.returncode == 0 and not problems, problems
    ran = {(r["target"], r["id"]): r["status"] for r in report["results"]}
    assert ran[("environment", "workspace.writable.gocache")] == "pass"
    assert ran[("linux-arm64-cgo", "exec.run")] == "pass"  # the example asks for emulation
    assert ran[("windows-amd64-cgo", "exec.run")] == "pass"
    # skipped: header-only darwin targets, and image.lock (a running container is not an image)
    assert all(r["status"] != "skip" or r["target"].startswith("darwin") or r["id"] == "image.lock"
               for r in report["results"])


def test_a_devcontainer_snapshot_validates_and_records_the_remote_users_go(devcontainer, docker_engine, tmp_path):
    """Before any test changes the container: `snapshot --devcontainer` finds it by the CLI's labels and
    records the remote user's Go environment, tools and compilers."""
    out = tmp_path / "snapshot.json"
    result = devcontainer.project.run("snapshot", "--devcontainer", str(devcontainer.workspace), "-o", str(out))
    assert result.returncode == 0, result.stderr
    schema = json.loads(devcontainer.project.run("snapshot", "--json-schema").stdout)
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema)
    lock = json.loads((devcontainer.workspace / "envbuilder.lock").read_text())
    facts = data["facts"]
    container = docker_engine.containers.get(devcontainer.up["containerId"])
    assert data["source"] == f"container {container.name}" and facts["kind"] == "container"
    assert facts["go_version"] == f"go{lock['go']['version']}"
    assert facts["go_env"]["GOPROXY"] == devcontainer.spec().modules.env()["GOPROXY"]
    assert facts["tools"]["hellotool"]["version"] == "v1.1.0"
    assert facts["compilers"]["gcc"]["version"], "the example's cgo targets bring gcc"


def test_go_test_and_go_install_from_the_local_proxy(devcontainer):
    out = devcontainer.exec(f"cd /workspaces/{devcontainer.name}; go test -count=1 ./...; "
                            "go install example.test/hellotool@v1.0.0; hellotool; command -v hellotool")
    assert re.search(r"^ok\s+example.com/hello\s", out, re.M), out
    assert out.splitlines()[-2:] == ["hellotool v1.0.0", "/go/bin/hellotool"]


def test_cgo_cross_targets_build_with_their_toolchains(devcontainer):
    cgo = [t for t in devcontainer.spec().targets if t.cgo]
    assert {t.platform for t in cgo} == {"linux/amd64", "linux/arm64", "windows/amd64"}
    for t in cgo:
        cc = target_toolchain(t).cc
        out = devcontainer.exec(f"cd /workspaces/{devcontainer.name}; CGO_ENABLED=1 GOOS={t.goos} "
                                f"GOARCH={t.goarch} CC={cc} go build -o /tmp/{t.key} .; go version -m /tmp/{t.key}")
        build = dict(line.split("\t")[2].split("=", 1) for line in out.splitlines()
                     if line.startswith("\tbuild\t") and "=" in line.split("\t")[2])
        assert (build["CGO_ENABLED"], build["GOOS"], build["GOARCH"]) == ("1", t.goos, t.goarch), out


def test_dlv_can_ptrace(devcontainer):
    status = dict(line.split(":\t", 1) for line in devcontainer.exec("cat /proc/self/status").splitlines()
                  if ":\t" in line)
    assert int(status["CapBnd"], 16) & (1 << 19), "CAP_SYS_PTRACE (19) is in the bounding set"
    assert status["Seccomp"].strip() == "0", "seccomp=unconfined: dlv's personality() and ptrace calls pass"


def test_a_second_up_after_a_spec_change_keeps_the_cache_volumes(devcontainer, docker_engine):
    dc = devcontainer
    filled = "ls /go/pkg/mod/cache/download/example.test/hellotool/@v/v1.0.0.zip; ls /go/cache/go-build | wc -l"
    before = dc.exec(f"go install example.test/hellotool@v1.0.0\n{filled}").split()
    edit_spec(dc.workspace, lambda spec: spec["modules"]["flags"].append("-buildvcs=false"))
    lock_and_render(dc.workspace)
    dc.up = dc.cli.up(dc.workspace, "--remove-existing-container")
    assert dc.exec("go env GOFLAGS").strip() == "-mod=readonly -buildvcs=false"
    after = dc.exec(filled).split()
    assert after[0] == before[0] and int(after[1]) >= 256, "module and build caches survived the rebuild"
    labelled = docker_engine.containers.list(all=True, filters={"label": f"devcontainer.local_folder={dc.workspace}"})
    assert [c.id for c in labelled] == [dc.up["containerId"]], "the old container was replaced"
    mounted = {m["Name"]: m["Destination"] for m in labelled[0].attrs["Mounts"] if m["Type"] == "volume"}
    assert mounted == cache_volumes(dc.spec())


def test_a_workspace_owned_by_another_uid_still_builds(devcontainer):
    """updateRemoteUserUID maps gopher to 1234; the entrypoint hands GOPATH and the volumes (filled by UID
    1000 above) to it, so the user can build, test and install."""
    dc = devcontainer
    assert dc.exec("stat -c %u /go/pkg/mod/cache/download /go/bin/hellotool").split() == [str(FIRST_UID)] * 2
    workspace = dc.root / "uid" / dc.name
    shutil.copytree(dc.workspace, workspace)
    give_to(workspace.parent, OTHER_UID)
    cli = DevcontainerCli(dc.root / f"home-{OTHER_UID}", uid=OTHER_UID)
    up = cli.up(workspace)
    out = dc.exec(f"id -u; cd /workspaces/{dc.name}; go build -o hello . && ./hello; go test -count=1 ./...; "
                  "go install example.test/hellotool@v1.1.0; hellotool; find /go ! -user gopher | wc -l",
                  cli=cli, workspace=workspace)
    lines = out.splitlines()
    assert lines[0] == str(OTHER_UID)
    assert lines[1] == "hello from linux/amd64 (cgo on, C says 42)"
    assert lines[-2:] == ["hellotool v1.1.0", "0"], out
    assert (workspace / "hello").stat().st_uid == OTHER_UID, "the build wrote to the host workspace as its owner"
    assert find_devcontainer(workspace) == (up["containerId"], "gopher")
