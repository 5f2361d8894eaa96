"""A Go-version matrix: one spec, two locked Go releases, `build --all` makes both CI images, and verify
proves each one against its own Go (read from the image's label)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_two_go_versions_build_two_ci_images_and_each_verifies_green(make_project, docker_engine, built_images,
                                                                     docker_leak_check):
    project = make_project("matrix", targets=("linux/amd64", "{platform: linux/arm64, cgo: true}"))
    spec = project.root / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('  version: "1.22"\n', '  version: "1.22"\n  matrix: ["1.24"]\n'))
    assert project.run("lock").returncode == 0
    result = project.build("--all", "--target", "ci", timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    images = [line.split()[0] for line in result.stdout.splitlines()]
    built_images.extend(images)
    assert images == ["matrix:ci-go1.22.10", "matrix:ci-go1.24.11"]
    for tag, version in zip(images, ("1.22.10", "1.24.11")):
        assert docker_engine.images.get(tag).labels["dev.envbuilder.go-version"] == version
        verified = project.run("verify", tag, "--json", timeout=1200)
        report = json.loads(verified.stdout)
        problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
        assert verified.returncode == 0 and not problems, (tag, problems)
        checks = {(r["target"], r["id"]): r for r in report["results"]}
        assert checks[("environment", "toolchain.version")]["actual"] == f"go{version}"
        assert checks[("linux-arm64-cgo", "binary.buildinfo")]["status"] == "pass"
    # the ci stage has no interactive user
    assert docker_engine.images.get(images[0]).attrs["Config"].get("User", "") == ""
