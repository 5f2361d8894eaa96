"""The offline fixture chain works for real: mirror, tampered mirror, module proxy, base image + BuildKit."""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from fixtures import fileserver, gotoolchains, modproxy
from fixtures.engine import buildkit_build

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("docker_leak_check")]


def _index_files(go_index_url: str) -> dict[str, dict]:
    releases = json.loads(fileserver.fetch(go_index_url))
    return {f["filename"]: f for r in releases for f in r["files"]}


def test_mirror_serves_tarballs_matching_the_index(go_index_url, go_mirror_url, go_fixture_versions):
    files = _index_files(go_index_url)
    assert sorted(files) == sorted(f"go{v}.linux-{arch}.tar.gz" for v in go_fixture_versions
                                   for arch in gotoolchains.archs(v))
    assert "go1.22.10.linux-arm64.tar.gz" in files  # the arm64 image test's Go
    for name, entry in files.items():
        data = fileserver.fetch(go_mirror_url + name)
        assert len(data) == entry["size"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name


def test_tampered_mirror_does_not_match_the_index(go_index_url, tampered_mirror_url):
    assert fileserver.fetch(tampered_mirror_url + "index.json") == fileserver.fetch(go_index_url)
    for name, entry in _index_files(go_index_url).items():
        data = fileserver.fetch(tampered_mirror_url + name)
        assert len(data) == entry["size"]  # same size: only the sha256 check can tell
        assert hashlib.sha256(data).hexdigest() != entry["sha256"], name


def _go(tmp_path: Path, *args: str, cwd: Path, **env: str) -> str:
    go = gotoolchains.go_binary(gotoolchains.DEFAULT_VERSIONS[0])
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GOPATH": str(tmp_path / "gopath"),
            "GOCACHE": str(tmp_path / "gocache"), "GOTOOLCHAIN": "local", "GOSUMDB": "off",
            "CGO_ENABLED": "0"}
    done = subprocess.run([str(go), *args], cwd=cwd, env={**base, **env}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("version", modproxy.TOOL_VERSIONS)
def test_module_proxy_installs_the_tool_at_its_pinned_version(goproxy_url, tmp_path, version):
    _go(tmp_path, "install", f"{modproxy.TOOL_MODULE}@{version}", cwd=tmp_path, GOPROXY=goproxy_url,
        GOFLAGS="-mod=mod")
    tool = tmp_path / "gopath" / "bin" / "hellotool"
    assert subprocess.run([tool], capture_output=True, text=True).stdout == f"hellotool {version}\n"
    info = _go(tmp_path, "version", "-m", str(tool), cwd=tmp_path)
    assert f"\tmod\t{modproxy.TOOL_MODULE}\t{version}\t" in info
    _chmod_modcache(tmp_path)


def test_module_proxy_serves_a_workspace_with_a_checked_go_sum(goproxy_url, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "go.mod").write_text(f"module ws\n\ngo 1.21\n\nrequire {modproxy.TOOL_MODULE} v1.0.0\n")
    (ws / "go.sum").write_text(modproxy.go_sum("v1.0.0"))  # -mod=readonly: any hash mismatch fails
    _go(tmp_path, "mod", "download", cwd=ws, GOPROXY=goproxy_url, GOFLAGS="-mod=readonly")
    assert "all modules verified" in _go(tmp_path, "mod", "verify", cwd=ws, GOPROXY="off")
    _chmod_modcache(tmp_path)


def _chmod_modcache(tmp_path: Path) -> None:
    # The module cache is read-only by design; let pytest's tmp_path cleanup remove it.
    subprocess.run(["chmod", "-R", "u+w", str(tmp_path)], check=True)


def _probe_tag() -> str:
    return f"envbuilder-fixtures/test-probe:{uuid.uuid4().hex[:12]}"


def test_base_image_builds_with_buildkit_and_apt_works(docker_engine, base_image):
    tag = _probe_tag()
    try:
        log = buildkit_build(f"FROM {base_image}\nRUN apt-get update\n", tag, no_cache=True)
    finally:
        _remove(docker_engine, tag)
    assert "bookworm InRelease" in log  # the mirror from the machine's apt sources answered
    assert "registry-1.docker.io" not in log  # the local image was used, no registry lookup


def test_builds_reach_the_fileserver_on_loopback(docker_engine, go_index_url):
    # The product's Go download stage runs inside `--network host` builds: prove that path, FROM an image
    # that already has python3 (the file server's own), with no extra apt work.
    tag = _probe_tag()
    probe = f"import urllib.request as u; print('index-bytes', len(u.urlopen('{go_index_url}').read()))"
    try:
        log = buildkit_build(f'FROM {fileserver.FILESERVER_IMAGE}\nRUN python3 -c "{probe}"\n', tag,
                             no_cache=True)
    finally:
        _remove(docker_engine, tag)
    assert f"index-bytes {len(fileserver.fetch(go_index_url))}" in log


def _remove(client, tag: str) -> None:
    try:
        client.images.remove(tag, noprune=False)
    except Exception:  # the build failed before tagging: nothing to remove
        pass


def test_the_server_listens_on_loopback_only(go_mirror_url):
    port = int(go_mirror_url.split(":")[2].split("/")[0])
    assert go_mirror_url.startswith("http://127.0.0.1:")
    # Host networking: the server's sockets are the host's. LISTEN is state 0A; 0100007F is 127.0.0.1.
    listeners = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                listeners.append(addr)
    assert listeners == ["0100007F"], listeners
