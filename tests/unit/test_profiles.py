"""Target profiles (envbuilder/profiles.py): every target envbuilder knows has everything render, verify and
inspect need from it, inspect's machine maps agree with the profiles, and verify runs each target by its
profile's recipe."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pytest

from envbuilder.errors import InputError
from envbuilder.inspect.arch import MACHO_ARCH, PE_ARCH, elf_arch
from envbuilder.profiles import ARCHES, PROFILES, Profile, cgo_toolchain, header, profile
from envbuilder.render import apt_packages, dpkg_excludes, render_all, runner_packages
from envbuilder.spec.load import load_spec
from envbuilder.spec.models import Spec
from envbuilder.verify.executors import ExecResult
from envbuilder.verify.expected import Expectations
from envbuilder.verify.targets import exec_check

from .renderkit import offline_lock

DEBIAN_PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
WITH_CGO = [p for p in PROFILES if p.toolchain() is not None]


def name(p: Profile) -> str:
    return f"{p.goos}/{p.goarch}" + (f" GOARM={','.join(p.variants)}" if p.variants else "")


def dist_list() -> dict[str, list[dict]]:
    return json.loads(resources.files("envbuilder").joinpath("data/dist_list.json").read_text())


@pytest.mark.parametrize("p", WITH_CGO, ids=name)
def test_every_cgo_target_has_a_complete_profile(p):
    gnu, zig = p.gnu, p.zig_toolchain
    for tc in filter(None, (gnu, zig)):
        assert tc.cc and tc.cxx and tc.cc != tc.cxx
    if gnu is not None:  # a Debian cross gcc: its compilers come from its packages
        assert gnu.packages and all(DEBIAN_PACKAGE.match(pkg) for pkg in gnu.packages)
        assert any(pkg.startswith("gcc") for pkg in gnu.packages) and any(pkg.startswith("g++") for pkg in gnu.packages)
    if zig is not None:
        assert (zig.cc, zig.cxx, zig.packages) == (f"zcc-{p.zig}", f"zxx-{p.zig}", ())
    h = p.header
    assert h.format is not None and h.machine is not None and h.goarch == p.goarch and h.bits in (32, 64)
    run = p.execution
    if p.goos == "linux":
        assert p.loader and p.loader.startswith("/"), "a cgo (glibc) build has a dynamic loader"
        if p.goarch != "amd64":  # linux/amd64 is the environment itself; every other one needs a way to run
            assert p.sysroot and p.sysroot.startswith("/usr/")
            assert run.qemu and run.qemu.startswith("qemu-") and run.packages == ("qemu-user-static",)
    if p.goos == "windows":
        assert p.loader is None and p.sysroot is None
        assert run.qemu is None and run.ia32_on is None
        if run.wine is not None:
            assert run.wine.shim_cc and run.packages == ("wine64",)
            assert gnu is not None and gnu.cc in run.wine.shim_cc, "the shim builds with the target's own mingw"


def test_a_target_without_a_c_toolchain_is_checked_by_its_headers_only():
    for p in PROFILES:
        if p.toolchain() is None:
            assert p.goos == "darwin" and p.execution.headers_only and p.header.format == "macho"


def test_gnu_compilers_come_from_their_packages():
    for p in PROFILES:
        if p.gnu is None or p.gnu.packages[:2] == ("gcc", "g++"):  # linux/amd64: the native gcc
            continue
        if p.goos == "windows":  # Debian's mingw-w64 packages name the arch, the compilers the triple
            assert all("mingw-w64" in pkg and pkg.endswith("-posix") for pkg in p.gnu.packages)
            assert p.gnu.cc.endswith("-w64-mingw32-gcc-posix")
            continue
        triple = p.gnu.cc.removesuffix("-gcc")
        assert p.gnu.packages[:2] == (f"gcc-{triple}", f"g++-{triple}") and p.gnu.cxx == f"{triple}-g++"
        assert p.gnu.packages[2].startswith("libc6-dev-") and p.gnu.packages[2].endswith("-cross")


def test_lookup_picks_the_row_of_the_variant():
    assert profile("linux", "arm", "7").gnu.cc == "arm-linux-gnueabihf-gcc"
    assert profile("linux", "arm", None) is profile("linux", "arm", "7")  # Go's default GOARM
    assert profile("linux", "arm", "5") is profile("linux", "arm", "6")
    assert profile("linux", "arm", "6").loader == "/lib/ld-linux.so.3"  # soft float
    assert profile("linux", "amd64", "v3") is profile("linux", "amd64")  # GOAMD64 levels share one C ABI
    assert profile("linux", "loong64") is None and profile("freebsd", "amd64") is None  # pure Go only


def test_gnu_falls_back_to_zig_only_where_debian_has_no_cross_gcc():
    assert cgo_toolchain("windows", "arm64").strategy == "zig"
    assert cgo_toolchain("linux", "arm64", strategy="zig").cc == "zcc-aarch64-linux-gnu"
    assert cgo_toolchain("linux", "arm64").cc == "aarch64-linux-gnu-gcc"
    assert cgo_toolchain("darwin", "arm64") is None and cgo_toolchain("linux", "mips") is None


def test_every_goarch_go_knows_has_header_facts():
    goarches = {row["GOARCH"] for rows in dist_list().values() for row in rows}
    assert goarches <= set(ARCHES)


def test_inspect_names_every_profile_machine_as_its_goarch():
    for p in PROFILES:
        h = p.header
        named = {"elf": lambda: elf_arch(h.machine, h.bits, h.endian), "pe": lambda: PE_ARCH.get(h.machine),
                 "macho": lambda: MACHO_ARCH.get(h.machine)}[h.format]()
        assert named == p.goarch, name(p)


def test_inspect_keeps_machines_no_profile_has():
    assert elf_arch("EM_LOONGARCH", 64, "little") == elf_arch(258, 64, "little") == "loong64"
    assert [elf_arch("EM_MIPS", bits, endian) for bits, endian in ((32, "big"), (32, "little"), (64, "big"))] == [
        "mips", "mipsle", "mips64"]
    assert elf_arch("EM_PPC64", 64, "big") == "ppc64" and elf_arch("EM_S390", 32, "big") == "s390"
    assert PE_ARCH[0x1C0] == "arm" and MACHO_ARCH[18] == "ppc"
    assert elf_arch("EM_SPARCV9", 64, "big") is None


def test_a_pure_go_target_without_a_profile_still_has_header_expectations():
    assert (header("linux", "mips").bits, header("linux", "mips").endian) == (32, "big")
    assert header("linux", "loong64").machine == 258
    assert header("plan9", "amd64").format is None


# ---- render and spec read the profiles -------------------------------------------------------------------


def spec_with(*targets: object, emulate: bool = True) -> Spec:
    return Spec.model_validate({"name": "x", "go": {"version": "1.22"}, "targets": list(targets),
                                "verify": {"emulate": emulate}})


def test_the_image_gets_each_cgo_targets_packages_and_the_verify_runner_its_emulator():
    targets = ({"platform": "linux/arm64", "cgo": True}, {"platform": "windows/amd64", "cgo": True}, "darwin/arm64")
    packages = set(apt_packages(spec_with(*targets)))
    assert {"gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross", "gcc-mingw-w64-x86-64-posix"} <= packages
    assert not {"qemu-user-static", "wine64"} & packages
    # the runner: emulators, and the C library a cgo arm64 binary loads under qemu -L
    assert runner_packages(spec_with(*targets)) == ["libc6-arm64-cross", "libgcc-s1-arm64-cross", "qemu-user-static",
                                                    "wine64"]
    assert runner_packages(spec_with("linux/arm64")) == ["qemu-user-static"]  # pure Go: static, no sysroot
    assert runner_packages(spec_with("linux/amd64", "darwin/arm64")) == []  # nothing to emulate: no runner
    assert runner_packages(spec_with(*targets, emulate=False)) == []


def test_with_verify_in_image_the_emulators_go_into_the_images_and_there_is_no_runner():
    spec = Spec.model_validate({"name": "x", "go": {"version": "1.22"}, "verify": {"emulate": True, "in_image": True},
                                "targets": [{"platform": "linux/arm64", "cgo": True}, "windows/amd64"]})
    assert {"qemu-user-static", "wine64"} <= set(apt_packages(spec))
    assert runner_packages(spec) == []


def dockerfile_of(spec: Spec) -> str:
    return next(f.text for f in render_all(spec, offline_lock(spec, "1.22.10")) if f.path == "Dockerfile")


def test_an_image_with_a_debian_gcc_leaves_gccs_lto_dump_out_through_dpkg():
    """lto-dump (20-32 MB per gcc, 280 MB in the cross image) is a GCC debugging tool no build runs."""
    cross = dockerfile_of(spec_with({"platform": "linux/arm64", "cgo": True}))
    assert "'path-exclude=/usr/bin/*lto-dump*' \\\n      > /etc/dpkg/dpkg.cfg.d/envbuilder" in cross
    install = cross.index("apt-get install -y -q --no-install-recommends \\\n")  # the packages' install
    assert cross.index("dpkg.cfg.d/envbuilder") < install  # in force for it
    assert dpkg_excludes(["gcc-12=12.2.0-14"]) == dpkg_excludes(["build-essential"]) == ["/usr/bin/*lto-dump*"]
    # without a gcc nothing changes: a pure-Go image's Dockerfile (and its build cache) stays as it was
    assert dpkg_excludes(["ca-certificates", "git", "gccgo-doc-not-a-compiler"]) == []
    assert "dpkg.cfg.d" not in dockerfile_of(spec_with("linux/arm64", "windows/amd64"))


def test_a_cgo_target_without_a_toolchain_is_refused_naming_the_field(tmp_path):
    path = tmp_path / "envbuilder.yaml"
    path.write_text('name: x\ngo: {version: "1.22"}\ntargets:\n  - {platform: linux/mips, cgo: true}\n')
    with pytest.raises(InputError, match=r"targets\[0\]\.cgo: no known C cross toolchain for linux/mips") as refused:
        load_spec(path)
    assert "\n" not in str(refused.value)


# ---- verify runs each target by its recipe ---------------------------------------------------------------


@dataclass
class RecordingExecutor:
    """Stands in for an environment: records the command verify runs and answers like the probe would."""

    answer: str
    workdir: str = "/w"
    name: str = "image demo:dev-go1.22.10"
    commands: list[str] = field(default_factory=list)

    def run(self, command: str, env: dict[str, str] | None = None, timeout: int = 0) -> ExecResult:
        self.commands.append(command)
        return ExecResult(0, self.answer + "\n", "")


def run_probe(target: object, native: str = "linux/amd64", emulate: bool = True) -> tuple[str, str, list[str]]:
    spec = spec_with(target, emulate=emulate)
    (t,) = Expectations(spec, offline_lock(spec)).targets()
    ex = RecordingExecutor(f"envbuilder-probe {t.target.platform} cgo={'on' if t.target.cgo else 'off'}")
    result = exec_check(ex, t, native, emulate)
    return result.status, result.message, ex.commands


def test_foreign_linux_targets_run_under_qemu_with_their_sysroot():
    status, _, commands = run_probe({"platform": "linux/arm64", "cgo": True})
    assert status == "pass"
    assert commands == ["qemu-aarch64-static -L /usr/aarch64-linux-gnu /w/out/linux-arm64-cgo"]
    assert run_probe("linux/arm/v6")[2] == ["qemu-arm-static -L /usr/arm-linux-gnueabi /w/out/linux-arm-v6"]


def test_linux_386_runs_on_amd64_itself_and_a_cgo_build_through_the_sysroot_loader():
    assert run_probe("linux/386", emulate=False)[2] == ["/w/out/linux-386"]
    assert run_probe({"platform": "linux/386", "cgo": True}, emulate=False)[2] == [
        "/usr/i686-linux-gnu/lib/ld-linux.so.2 --library-path /usr/i686-linux-gnu/lib /w/out/linux-386-cgo"]
    assert run_probe("linux/386", native="linux/arm64")[2] == ["qemu-i386-static -L /usr/i686-linux-gnu /w/out/linux-386"]


def test_windows_amd64_runs_under_wine_with_a_shim_built_by_its_mingw():
    status, _, (command,) = run_probe({"platform": "windows/amd64", "cgo": True})
    assert status == "pass"
    assert "command -v x86_64-w64-mingw32-gcc-posix || command -v x86_64-w64-mingw32-gcc" in command
    assert command.endswith('"$wine" /w/out/windows-amd64-cgo.exe')


@pytest.mark.parametrize(("target", "native", "emulate", "message"), [
    ("darwin/arm64", "linux/amd64", True, "Mach-O cannot run here: checked by its headers only"),
    ("linux/arm64", "linux/amd64", False, "foreign binary: set verify.emulate to run it under qemu-user/wine"),
    ("windows/386", "linux/amd64", True, "no emulator for windows/386"),
    ("linux/mips", "linux/amd64", True, "no emulator for linux/mips"),  # pure Go, no profile
    ("linux/amd64", "linux/arm64", True, "no emulator for linux/amd64"),
])
def test_targets_that_cannot_run_are_skipped_saying_why(target, native, emulate, message):
    assert run_probe(target, native, emulate) == ("skip", message, [])


def test_linux_mips64le_cgo_builds_with_debians_n64_toolchain_and_runs_under_qemu():
    p = profile("linux", "mips64le")
    assert p.gnu.cc == "mips64el-linux-gnuabi64-gcc"
    assert p.gnu.packages == ("gcc-mips64el-linux-gnuabi64", "g++-mips64el-linux-gnuabi64", "libc6-dev-mips64el-cross")
    assert (p.header.format, p.header.machine, p.header.bits, p.header.endian) == ("elf", 8, 64, "little")
    assert p.loader == "/lib64/ld.so.1"  # the n64 ABI's glibc loader
    assert run_probe({"platform": "linux/mips64le", "cgo": True})[:3] == (
        "pass", "ran under qemu-mips64el-static in image demo:dev-go1.22.10",
        ["qemu-mips64el-static -L /usr/mips64el-linux-gnuabi64 /w/out/linux-mips64le-cgo"])
    assert set(p.gnu.packages) <= set(apt_packages(spec_with({"platform": "linux/mips64le", "cgo": True})))
    assert runner_packages(spec_with({"platform": "linux/mips64le", "cgo": True})) == [
        "libc6-mips64el-cross", "libgcc-s1-mips64el-cross", "qemu-user-static"]


def test_the_environments_own_platform_runs_directly():
    assert run_probe({"platform": "linux/arm64", "cgo": True}, native="linux/arm64")[2] == ["/w/out/linux-arm64-cgo"]


def test_the_readme_lists_every_profile_with_its_compilers_and_loader():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`") and "/" in cells[0]:
            rows[cells[0]] = cells[1:4]
    listed = {p: cells for row, cells in rows.items() for p in row.replace("`", "").split(", ")}
    for p in PROFILES:
        row = listed.get(f"{p.goos}/{p.goarch}" + (f"/v{p.variants[0]}" if p.variants else ""))
        assert row is not None, name(p)
        gnu, zig, loader = (cell.split(" ")[0].strip("`") for cell in row)
        assert (gnu, zig, loader) == (p.gnu.cc if p.gnu else "-", p.zig or "-", p.loader or "-"), name(p)
