"""zig as the C toolchain of a whole spec (`cgo: {strategy: zig, libc, glibc}`): each target's toolchain and
wrapper, the zig pin in the lock (checked like every other lock field), and a rendered image that installs
no Debian cross gcc or mingw."""

from __future__ import annotations

import json

import pytest

from envbuilder.errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED
from envbuilder.lock import LOCK_NAME
from envbuilder.profiles import PROFILES, ZIG_VERSION, ZIG_WHEEL, ZIG_WHEEL_SHA256, profile, target_toolchain
from envbuilder.render import apt_packages, render_all
from envbuilder.spec.models import Spec
from envbuilder.verify.expected import Expectations
from envbuilder.verify.targets import binary_expectations

from .lockkit import edit_lock, envbuilder, locked_project
from .renderkit import offline_lock

CROSS = ["linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/riscv64",
         "linux/ppc64le", "linux/s390x", "windows/amd64", "windows/386", "windows/arm64"]


def spec_of(cgo: dict | None, *targets: dict | str) -> Spec:
    data = {"name": "payments", "go": {"version": "1.26.1"}, "targets": list(targets)}
    if cgo is not None:
        data["cgo"] = cgo
    return Spec.model_validate(data)


def zig_spec(**cgo: str) -> Spec:
    return spec_of({"strategy": "zig", **cgo}, *({"platform": p, "cgo": True} for p in CROSS))


def test_cgo_strategy_zig_gives_every_cgo_target_a_zig_wrapper_with_the_glibc_floor():
    spec = zig_spec(glibc="2.28")
    compilers = {t.key: target_toolchain(t).cc for t in spec.targets}
    assert compilers["linux-amd64-cgo"] == "zcc-x86_64-linux-gnu.2.28"
    assert compilers["linux-arm-v6-cgo"] == "zcc-arm-linux-gnueabi.2.28"  # armel: soft float, like Debian's
    assert compilers["linux-arm-v7-cgo"] == "zcc-arm-linux-gnueabihf.2.28"
    assert compilers["windows-amd64-cgo"] == "zcc-x86_64-windows-gnu"  # the floor is Linux's only
    assert all(target_toolchain(t).strategy == "zig" for t in spec.targets)


def test_a_target_strategy_overrides_the_spec_and_musl_names_the_musl_triple():
    spec = spec_of({"strategy": "zig", "libc": "musl"}, {"platform": "linux/arm64", "cgo": True},
                   {"platform": "linux/arm/v7", "cgo": True},
                   {"platform": "linux/amd64", "cgo": True, "strategy": "gnu"})
    arm64, armhf, amd64 = (target_toolchain(t) for t in spec.targets)
    assert (arm64.cc, armhf.cc) == ("zcc-aarch64-linux-musl", "zcc-arm-linux-musleabihf")
    assert amd64.cc == "x86_64-linux-gnu-gcc"


def test_without_a_cgo_section_targets_keep_debian_gcc_and_the_spec_hash_is_unchanged():
    spec = spec_of(None, {"platform": "linux/arm64", "cgo": True})
    assert target_toolchain(spec.targets[0]).cc == "aarch64-linux-gnu-gcc"
    assert "cgo" not in spec.model_dump(mode="json", exclude_defaults=True)


def test_a_zig_only_image_installs_no_debian_cross_gcc_and_no_mingw():
    packages = apt_packages(zig_spec(glibc="2.28"))
    assert not [p for p in packages if p.startswith(("gcc", "g++", "libc6-dev")) or "mingw" in p]
    assert {"python3", "python3-pip"} <= set(packages)
    gnu = apt_packages(spec_of(None, *({"platform": p, "cgo": True} for p in CROSS)))
    assert "gcc-aarch64-linux-gnu" in gnu and "gcc-mingw-w64-x86-64-posix" in gnu


def test_the_dockerfile_installs_the_locked_wheel_by_its_sha256_and_writes_each_wrapper():
    spec = zig_spec(glibc="2.28")
    dockerfile = next(f.text for f in render_all(spec, offline_lock(spec, "1.26.1")) if f.path == "Dockerfile")
    assert f"ziglang=={ZIG_VERSION} --hash=sha256:{ZIG_WHEEL_SHA256}" in dockerfile
    assert "--require-hashes" in dockerfile
    assert "> /usr/local/bin/zcc-riscv64-linux-gnu.2.28" in dockerfile
    assert "cc riscv64-linux-gnu.2.28 >" in dockerfile


def test_verify_expects_the_floor_of_glibc_targets_and_static_musl_binaries():
    glibc = Expectations(zig_spec(glibc="2.28"), offline_lock(zig_spec(glibc="2.28"), "1.26.1")).targets()
    arm64 = next(t for t in glibc if t.key == "linux-arm64-cgo")
    exp = binary_expectations(arm64, "1.26.1")
    assert (exp.glibc, exp.linkage, exp.interpreter) == ("2.28", "dynamic", "/lib/ld-linux-aarch64.so.1")
    windows = binary_expectations(next(t for t in glibc if t.key == "windows-amd64-cgo"), "1.26.1")
    assert windows.glibc is None
    musl_spec = spec_of({"strategy": "zig", "libc": "musl"}, {"platform": "linux/arm64", "cgo": True})
    (musl,) = Expectations(musl_spec, offline_lock(musl_spec, "1.26.1")).targets()
    exp = binary_expectations(musl, "1.26.1")
    assert (exp.glibc, exp.linkage, exp.interpreter) == (None, "static", None)


@pytest.mark.parametrize("floor, ok", [("2.16", False), ("2.17", True), ("2.41", True), ("2.42", False)])
def test_the_glibc_floor_lies_within_what_zig_supports(floor, ok):
    def amd64() -> Spec:
        return spec_of({"strategy": "zig", "glibc": floor}, {"platform": "linux/amd64", "cgo": True})

    if ok:
        assert target_toolchain(amd64().targets[0]).zig_triple == f"x86_64-linux-gnu.{floor}"
        return
    with pytest.raises(ValueError, match=f"glibc {floor} is (older|newer) than zig"):
        amd64()


def test_every_zig_linux_profile_knows_its_oldest_glibc():
    lows = {f"{p.goarch}": p.glibc_min for p in PROFILES if p.zig and p.goos == "linux"}
    assert lows["riscv64"] == (2, 27) and lows["ppc64le"] == (2, 19) and lows["amd64"] == (2, 17)
    assert profile("linux", "mips64le").zig is None  # zig 0.14.1: "no LLVM CPU feature named 'hard-float'"


# ---- the lock ----------------------------------------------------------------------------------------------


def test_the_lock_pins_zig_only_when_a_target_builds_with_it():
    assert offline_lock(zig_spec(), "1.26.1").zig.model_dump() == {"version": ZIG_VERSION, "wheel": ZIG_WHEEL,
                                                         "sha256": ZIG_WHEEL_SHA256}
    plain = offline_lock(spec_of(None, "linux/amd64"), "1.26.1")
    assert plain.zig is None and b'"zig"' not in plain.to_bytes()


@pytest.fixture
def zig_locked(tmp_path):
    spec = locked_project(tmp_path)
    spec.write_text(spec.read_text().replace("platforms: [linux/amd64, linux/arm64]\n", "")
                    .replace("targets: [linux/amd64, linux/arm64]", "targets: [{platform: windows/arm64, cgo: true}]"))
    assert envbuilder("lock", "-f", str(spec)).code == 0
    assert json.loads((spec.parent / LOCK_NAME).read_text())["zig"]["version"] == ZIG_VERSION
    return spec


def test_lock_check_re_derives_the_zig_pin(zig_locked):
    edit_lock(zig_locked, lambda lock: lock["zig"].update(sha256="0" * 64))
    result = envbuilder("lock", "--check", "-f", str(zig_locked))
    assert result.code == EXIT_CHECK_FAILED and "zig.sha256" in result.stderr


def test_a_zig_pin_of_the_wrong_form_is_bad_input(zig_locked):
    edit_lock(zig_locked, lambda lock: lock["zig"].update(wheel="ziglang-0.13.0-py3-none-any.whl"))
    result = envbuilder("render", "-f", str(zig_locked))
    assert result.code == EXIT_BAD_INPUT and "zig.wheel" in result.stderr and "not a wheel of ziglang" in result.stderr
