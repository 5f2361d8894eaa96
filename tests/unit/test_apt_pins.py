"""Reproducible Debian packages: `base.snapshot` (a dated archive as the image's only apt source) and
`name=version` pins in `base.packages` (in the apt-get line, checked against the apt sources before the
install, the build stopping with one line that names the pin)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from envbuilder.cli import main
from envbuilder.render import render_all
from envbuilder.spec.models import Spec

from .renderkit import offline_lock, parse_dockerfile

SNAPSHOT = "http://snapshot.debian.org/archive/debian/20250520T000000Z"
SPEC = """\
name: pinned
go:
  version: "1.22"
base:
  snapshot: {snapshot}
  packages: [{packages}]
targets: [linux/amd64]
"""


def base_stage_runs(base: dict) -> list[str]:
    """The RUN commands of the base stage, in order."""
    spec = Spec.model_validate({"name": "pinned", "go": {"version": "1.22"}, "base": base, "targets": ["linux/amd64"]})
    dockerfile = next(f.text for f in render_all(spec, offline_lock(spec)) if f.path == "Dockerfile")
    runs, stage = [], None
    for cmd in parse_dockerfile(dockerfile):
        if cmd.cmd == "FROM":
            stage = cmd.value[-1]
        elif cmd.cmd == "RUN" and stage == "base":
            runs.append(cmd.value[0])
    return runs


def install_line(runs: list[str]) -> list[str]:
    run = next(r for r in runs if "apt-get install" in r)
    return run.split("--no-install-recommends")[1].split("&&")[0].split()


def test_a_pin_goes_into_the_apt_get_line_in_place_of_the_unpinned_package():
    runs = base_stage_runs({"packages": ["make=4.3-4.1", "git=1:2.39.5-0+deb12u2", "curl"]})
    words = install_line(runs)
    assert "make=4.3-4.1" in words and "curl" in words
    # git is an essential of every image: the spec's pin replaces it, so apt is never asked for both
    assert "git=1:2.39.5-0+deb12u2" in words and "git" not in words


def test_pins_are_checked_against_the_apt_sources_before_the_install():
    runs = base_stage_runs({"packages": ["make=4.3-4.1", "curl"]})
    check = next(i for i, r in enumerate(runs) if "envbuilder: base.packages:" in r)
    install = next(i for i, r in enumerate(runs) if "apt-get install" in r)
    assert check < install
    assert "for pin in make=4.3-4.1;" in runs[check], "only pinned entries are checked"


def test_without_pins_or_snapshot_the_base_stage_is_unchanged():
    runs = base_stage_runs({"packages": ["make"]})
    assert "apt-get install" in runs[0], "the install is the base stage's first RUN"
    assert not any("sources.list" in r or "madison" in r for r in runs)


def test_a_snapshot_becomes_the_only_apt_source_before_any_apt_get():
    runs = base_stage_runs({"snapshot": SNAPSHOT, "packages": ["make"]})
    assert "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources" in runs[0]
    assert SNAPSHOT in runs[0] and "Check-Valid-Until: no" in runs[0] and "apt-get" not in runs[0]
    assert "apt-get install" in runs[1]


def test_the_snapshot_source_written_is_deb822_for_the_images_own_codename(tmp_path):
    """The rendered RUN, run by /bin/sh in a scratch root: one deb822 stanza naming the snapshot."""
    run = base_stage_runs({"snapshot": SNAPSHOT})[0].replace("/etc/", f"{tmp_path}/etc/")
    (tmp_path / "etc/apt/sources.list.d").mkdir(parents=True)
    (tmp_path / "etc/apt/sources.list.d/debian.sources").write_text("URIs: http://deb.debian.org/debian\n")
    (tmp_path / "etc/apt/sources.list").write_text("deb http://security.debian.org/ bookworm-security main\n")
    (tmp_path / "etc/os-release").write_text("ID=debian\nVERSION_CODENAME=trixie\n")
    subprocess.run(["sh", "-ec", run], check=True)
    assert [p.name for p in (tmp_path / "etc/apt").rglob("*") if p.is_file()] == ["debian.sources"]
    assert (tmp_path / "etc/apt/sources.list.d/debian.sources").read_text() == (
        f"Types: deb\nURIs: {SNAPSHOT}\nSuites: trixie trixie-updates\nComponents: main\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\nCheck-Valid-Until: no\n")


@pytest.fixture
def fake_apt(tmp_path) -> dict[str, str]:
    """apt-get (does nothing) and apt-cache (madison: make 4.3-4.1 in two suites, nothing else) on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "apt-cache").write_text(
        '#!/bin/sh\n[ "$1 $2" = "madison make" ] || exit 0\n'
        "echo '      make |    4.3-4.1 | http://deb.debian.org/debian bookworm/main amd64 Packages'\n"
        "echo '      make |    4.3-4.1 | http://deb.debian.org/debian bookworm-updates/main amd64 Packages'\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def pin_check(fake_apt: dict[str, str], *packages: str) -> subprocess.CompletedProcess:
    run = next(r for r in base_stage_runs({"packages": list(packages)}) if "madison" in r)
    return subprocess.run(["sh", "-c", run], env=fake_apt, capture_output=True, text=True)


def test_a_pin_the_apt_sources_have_passes(fake_apt):
    done = pin_check(fake_apt, "make=4.3-4.1", "curl")
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.parametrize(("packages", "pin", "they_have"), [
    (["curl", "make=4.2-1"], "make=4.2-1", "4.3-4.1"),
    (["make=4.3-4.1", "no-such-tool=1.0"], "no-such-tool=1.0", "none"),
])
def test_a_pin_the_apt_sources_lack_stops_the_build_with_one_line_naming_it(fake_apt, packages, pin, they_have):
    done = pin_check(fake_apt, *packages)
    assert done.returncode == 1
    assert done.stderr == (f"envbuilder: base.packages: {pin}: no such version in the apt sources "
                           f"(they have: {they_have})\n")


def run_lock(tmp_path: Path, monkeypatch, capsys, *, snapshot: str, packages: str) -> tuple[int, str]:
    (tmp_path / "envbuilder.yaml").write_text(SPEC.format(snapshot=snapshot, packages=packages))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVBUILDER_NO_ENGINE", "1")
    with pytest.raises(SystemExit) as exited:
        main(["lock", "--check"])
    return exited.value.code, capsys.readouterr().err


@pytest.mark.parametrize(("packages", "message"), [
    ("make, make=4.3-4.1", "base.packages: lists make twice (one entry per package, pinned or not)"),
    ("make=4.3-4.1, make=4.2", "base.packages: lists make twice"),
    ("'make=4.3 4.1'", "base.packages[0]: 'make=4.3 4.1' is not a Debian package name (optionally name=version)"),
])
def test_a_package_listed_twice_or_a_malformed_pin_is_one_line_naming_the_field(tmp_path, monkeypatch, capsys,
                                                                                packages, message):
    code, err = run_lock(tmp_path, monkeypatch, capsys, snapshot=SNAPSHOT, packages=packages)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("envbuilder: envbuilder.yaml:6: ") and message in err, err


@pytest.mark.parametrize("snapshot", ["file:///srv/debian", "snapshot.debian.org/archive/debian/20250520T000000Z",
                                      "'http://snapshot.debian.org/archive/debian/2025 0520'",
                                      "'http://snapshot.debian.org/$(id)'"])
def test_a_snapshot_that_is_not_an_http_url_is_one_line_naming_the_field(tmp_path, monkeypatch, capsys, snapshot):
    code, err = run_lock(tmp_path, monkeypatch, capsys, snapshot=snapshot, packages="make")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert err.startswith("envbuilder: envbuilder.yaml:5: base.snapshot: ") and "Debian archive snapshot" in err, err


def test_the_published_schema_describes_snapshot_and_pins():
    base = Spec.model_json_schema()["$defs"]["BaseSpec"]["properties"]
    assert "dated Debian archive snapshot" in base["snapshot"]["description"]
    assert "`name=version` pins" in base["packages"]["description"]
