"""zig as the whole cross toolchain (`cgo: {strategy: zig, glibc: "2.28"}`): one small image with Go and zig
and no Debian cross gcc or mingw. A program built against the image's own glibc (Debian's gcc, glibc 2.36)
fails `inspect --expect-glibc 2.28`, naming the symbol version it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.pyindex import pip_conf
from tests.integration.conftest import SPEC, Project

pytestmark = pytest.mark.integration

GO = "1.26.1"
FLOOR = "2.28"
LINUX = ("linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/riscv64",
         "linux/ppc64le", "linux/s390x")
WINDOWS = ("windows/amd64", "windows/386", "windows/arm64")
# zig's musl builds are static: one target (an amd64 level of its own, so its key differs) proves it.
MUSL = "{platform: linux/amd64/v2, cgo: true, libc: musl}"


@pytest.fixture(scope="module")
def zig_image(tmp_path_factory, fixture_summary, fixture_urls, base_image, docker_engine):
    """The dev image of a zig-only spec and its verify runner, built once for this module. Debian's gcc is
    there only to build the program that must fail the glibc floor."""
    root = tmp_path_factory.mktemp("zig") / "zigcross"
    root.mkdir()
    targets = [f"{{platform: {t}, cgo: true}}" for t in (*LINUX, *WINDOWS)] + [MUSL]
    spec = SPEC.format(name="zigcross", version=GO, download=fixture_urls["GO_MIRROR_URL"],
                       index=fixture_urls["GO_INDEX_URL"], goproxy=fixture_urls["GOPROXY_URL"],
                       base_image=base_image, packages="gcc, libc6-dev",
                       targets="\n".join(f"  - {t}" for t in targets), emulate="true")
    (root / "envbuilder.yaml").write_text(spec + f'cgo: {{strategy: zig, glibc: "{FLOOR}"}}\n')
    project = Project(root)
    for step in (("lock",), ("render",)):
        done = project.run(*step)
        assert done.returncode == 0, done.stderr
    conf = pip_conf(fixture_urls["PIP_INDEX_URL"], root.parent / "pip.conf")
    built = project.build("--target", "dev", "--pip-conf", str(conf), timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    tag, _, runner, _ = built.stdout.split()  # the dev image, then the verify runner built with it
    yield project, tag
    for image in (tag, runner):
        docker_engine.images.remove(image, force=True)
    docker_engine.images.prune(filters={"dangling": True})


def test_the_lock_pins_zig_and_the_image_has_no_debian_cross_toolchain(zig_image, docker_engine):
    project, tag = zig_image
    lock = json.loads((project.root / "envbuilder.lock").read_text())
    assert lock["zig"]["wheel"].startswith(f"ziglang-{lock['zig']['version']}-")
    packages = docker_engine.containers.run(tag, ["dpkg-query", "-W", "-f", "${Package}\\n"], remove=True,
                                            user="root", entrypoint=[]).decode().split()
    cross = [p for p in packages if "mingw" in p or p.startswith(("gcc-", "g++-")) and p.endswith(("-gnu", "-gnueabi",
                                                                                                  "-gnueabihf"))]
    assert cross == [] and "python3-pip" in packages


def test_a_glibc_floor_passes_the_zig_build_and_names_the_symbol_the_debian_build_needs(zig_image, docker_engine,
                                                                                         tmp_path):
    project, tag = zig_image
    out = tmp_path / "out"
    out.mkdir()
    script = (
        "set -e; cp -r /probe /tmp/p; cd /tmp/p; "
        f"CGO_ENABLED=1 CC=zcc-x86_64-linux-gnu.{FLOOR} go build -trimpath -o /out/zig-{FLOOR} .; "
        "CGO_ENABLED=1 CC=gcc go build -trimpath -o /out/debian-gcc .; chmod a+r /out/*"
    )
    probe = Path(__file__).resolve().parents[2] / "templates" / "probe"
    src = tmp_path / "probe"
    src.mkdir()
    for name in ("go.mod", "main.go", "cgo.go", "nocgo.go"):
        (src / name).write_bytes((probe / f"{name}.txt").read_bytes())
    docker_engine.containers.run(tag, ["sh", "-c", script], remove=True, user="root", entrypoint=[],
                                 environment={"GOFLAGS": "-mod=mod"},
                                 volumes={str(src): {"bind": "/probe", "mode": "ro"},
                                          str(out): {"bind": "/out", "mode": "rw"}})

    def inspect(name: str) -> tuple[int, dict]:
        done = subprocess.run([sys.executable, "-m", "envbuilder", "inspect", str(out / name), "--json",
                               "--expect", "linux/amd64", "--expect-go", GO, "--expect-glibc", FLOOR],
                              capture_output=True, text=True, timeout=120)
        return done.returncode, {r["id"]: r for r in json.loads(done.stdout)["results"]}

    rc, zig = inspect(f"zig-{FLOOR}")
    assert rc == 0 and zig["binary.glibc"]["status"] == "pass", zig
    rc, debian = inspect("debian-gcc")
    assert rc == 1 and debian["binary.glibc"]["status"] == "fail"
    assert debian["binary.glibc"]["actual"].startswith("GLIBC_2.3")  # 2.34 moved pthread into libc.so.6
    assert "newer than glibc 2.28" in debian["binary.glibc"]["message"]
    assert debian["binary.platform"]["status"] == "pass"


def test_verify_builds_the_cgo_probe_with_zig_for_every_target_and_runs_the_foreign_ones_in_the_runner(zig_image):
    """Every Linux target of the toolchain table (glibc 2.28 and the musl variant) and every Windows target:
    the probe's cgo file built with zig, its headers and build info checked; the Linux ones run natively or
    under qemu-user, windows/amd64 under wine."""
    project, tag = zig_image
    done = project.run("verify", tag, "--json", timeout=1800)
    report = json.loads(done.stdout)
    problems = [r for r in report["results"] if r["status"] in ("fail", "error")]
    assert done.returncode == 0 and not problems, problems
    checks = {(r["target"], r["id"]): r for r in report["results"]}
    keys = {t for t, i in checks if i == "build.probe"}
    assert len(keys) == len(LINUX) + len(WINDOWS) + 1 and all(k.endswith("-cgo") for k in keys)
    for key in keys:
        for check in ("build.probe", "cgo.link", "binary.buildinfo"):
            assert checks[(key, check)]["status"] == "pass", (key, check)
        headers = [r for (t, i), r in checks.items() if t == key and i.startswith("binary.")]
        assert len(headers) >= 4 and {r["status"] for r in headers} <= {"pass", "skip"}, key
        if key.startswith("linux-") or key == "windows-amd64-cgo":
            assert checks[(key, "exec.run")]["status"] == "pass", key
            assert checks[(key, "exec.run")]["actual"].endswith("cgo=on"), key
    ran = {run["target"]: run for run in report["executions"]}
    assert ran["linux-arm64-cgo"]["how"] == "under qemu-aarch64-static"
    assert ran["linux-s390x-cgo"]["environment"] == "verify runner"
    assert ran["windows-amd64-cgo"]["how"] == "under wine64"
    # IA-32 runs on the x86-64 kernel, but its loader is in the runner's cross sysroot, not in a zig image
    assert (ran["linux-386-cgo"]["environment"], ran["linux-386-cgo"]["how"]) == (
        "verify runner", "through the cross sysroot's loader")
