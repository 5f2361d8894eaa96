"""The project's own curated images (images/): committed specs, locks and rendered files stay in sync, the
locks carry go.dev's real checksums, and the cross image covers every cgo target envbuilder knows.

Their builds and verifications are integration tests (tests/integration/test_curated_images.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from envbuilder.spec.load import load_spec
from envbuilder.profiles import PROFILES, profile, target_toolchain
from envbuilder.render import apt_packages

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "images"
INDEX = IMAGES / "go-release-index.json"
CURATED = sorted(p.parent.name for p in IMAGES.glob("*/envbuilder.yaml"))


def test_there_is_a_slim_dev_image_and_a_full_cross_ci_image():
    assert {"slim", "cross"} <= set(CURATED)


@pytest.mark.parametrize("name", CURATED)
def test_committed_lock_and_rendered_files_match_the_spec(cli, name):
    spec = IMAGES / name / "envbuilder.yaml"
    locked = cli("lock", "--check", "-f", str(spec))
    assert locked.returncode == 0, locked.stderr
    rendered = cli("render", "--check", "-f", str(spec))
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr


@pytest.mark.parametrize("name", CURATED)
def test_relocking_against_the_vendored_index_reproduces_the_committed_lock(cli, tmp_path, name):
    work = tmp_path / name
    shutil.copytree(IMAGES / name, work)
    (work / "envbuilder.lock").unlink()
    done = cli("lock", "-f", str(work / "envbuilder.yaml"), "--index", str(INDEX))
    assert done.returncode == 0, done.stderr
    assert (work / "envbuilder.lock").read_bytes() == (IMAGES / name / "envbuilder.lock").read_bytes()


@pytest.mark.parametrize("name", CURATED)
def test_locks_pin_go_dev_archives_with_go_dev_checksums_and_the_base_by_digest(name):
    lock = json.loads((IMAGES / name / "envbuilder.lock").read_text())
    official = {f["filename"]: f["sha256"] for rel in json.loads(INDEX.read_text()) for f in rel["files"]}
    for platform, archive in lock["go"]["archives"].items():
        assert archive["url"] == f"https://go.dev/dl/{archive['filename']}"
        assert archive["sha256"] == official[archive["filename"]], platform
    assert lock["base"]["image"] == "debian:bookworm-slim"
    assert lock["base"]["digest"].startswith("sha256:")


def test_the_cross_image_has_a_cgo_toolchain_for_every_target_envbuilder_knows():
    spec = load_spec(IMAGES / "cross" / "envbuilder.yaml")
    built = {id(profile(t.goos, t.goarch, t.goarm)) for t in spec.targets if t.cgo}
    missing = [p for p in PROFILES if p.toolchain() is not None and id(p) not in built]
    assert not missing, f"missing cgo targets: {[(p.goos, p.goarch, p.variants) for p in missing]}"
    windows_arm64 = profile("windows", "arm64")
    assert windows_arm64 is not None and windows_arm64.toolchain().strategy == "zig"  # Debian has no mingw for arm64
    headers_only = {f"{p.goos}/{p.goarch}" for p in PROFILES if p.toolchain() is None}
    assert headers_only == {"darwin/amd64", "darwin/arm64"}
    assert headers_only <= {t.platform for t in spec.targets if not t.cgo}
    assert spec.verify.emulate and spec.ci.envbuilder and spec.ci.tools


def test_the_cross_zig_image_builds_every_cgo_target_of_cross_that_zig_can_with_zig_alone():
    cross = load_spec(IMAGES / "cross" / "envbuilder.yaml")
    spec = load_spec(IMAGES / "cross-zig" / "envbuilder.yaml")
    zig_can = {t.key for t in cross.targets if t.cgo and profile(t.goos, t.goarch, t.goarm).zig is not None}
    assert zig_can == {t.key for t in spec.targets if t.cgo}
    assert {t.key for t in cross.targets if t.cgo} - zig_can == {"linux-mips64le-cgo"}
    assert all(target_toolchain(t).strategy == "zig" for t in spec.targets if t.cgo)
    assert not [p for p in apt_packages(spec) if p.startswith(("gcc", "g++", "libc6-dev")) or "mingw" in p]
    assert spec.cgo.glibc == "2.28"
    # foreign probes run in its verify runner; the image itself carries no emulator
    assert spec.verify.uses_runner and not [p for p in apt_packages(spec) if p.startswith(("qemu", "wine"))]


def test_render_check_catches_a_hand_edit_of_a_curated_file(cli, tmp_path):
    work = tmp_path / "slim"
    shutil.copytree(IMAGES / "slim", work)
    dockerfile = work / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("GOTOOLCHAIN=\"local\"", "GOTOOLCHAIN=\"auto\""))
    checked = cli("render", "--check", "-f", str(work / "envbuilder.yaml"))
    assert checked.returncode == 1
    assert '-    GOTOOLCHAIN="auto"' in checked.stdout and '+    GOTOOLCHAIN="local"' in checked.stdout


def test_lock_index_option_rejects_a_missing_file_in_one_line(cli, tmp_path):
    work = tmp_path / "slim"
    shutil.copytree(IMAGES / "slim", work)
    done = cli("lock", "-f", str(work / "envbuilder.yaml"), "--index", str(tmp_path / "nope.json"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--index" in done.stderr and "no such file" in done.stderr
    assert (work / "envbuilder.lock").read_bytes() == (IMAGES / "slim" / "envbuilder.lock").read_bytes()


def test_build_pip_conf_must_exist_one_line_exit_2(cli, tmp_path):
    work = tmp_path / "cross"
    shutil.copytree(IMAGES / "cross", work)
    done = cli("build", "-f", str(work / "envbuilder.yaml"), "--target", "ci", "--pip-conf", str(tmp_path / "no.conf"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--pip-conf" in done.stderr and "no such file" in done.stderr


@pytest.mark.parametrize("value", ["latest", ">=0.1", "0.1.0; rm -rf /", "0.1.0 --index-url=http://x"])
def test_ci_envbuilder_must_be_an_exact_release(cli, tmp_path, value):
    work = tmp_path / "cross"
    shutil.copytree(IMAGES / "cross", work)
    spec = work / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('envbuilder: "0.1.0"', f"envbuilder: {json.dumps(value)}"))
    done = cli("render", "-f", str(spec), "--force")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "ci.envbuilder" in done.stderr and "exact version" in done.stderr
    assert (work / "Dockerfile").read_bytes() == (IMAGES / "cross" / "Dockerfile").read_bytes()
