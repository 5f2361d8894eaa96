"""doctor's logic on fixed inputs: Go's toolchain selection and module glob rules (cases from Go's docs and
tests), setting layers and their fixes, .netrc reading, and the WSL and macOS findings on machines described
by a FixedMachine (no WSL or Mac needed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder.doctor import gover
from envbuilder.doctor.context import Context, Project
from envbuilder.doctor.go_checks import check_path_go, tool_name
from envbuilder.doctor.machine import FixedMachine, PlatformFacts, Ran
from envbuilder.doctor.modmatch import match_prefix_patterns
from envbuilder.doctor.netrc import netrc_hosts
from envbuilder.doctor.platform_checks import check_macos, check_wsl
from envbuilder.doctor.selection import select
from envbuilder.doctor.settings import SettingLayers, fix_command, parse_env_file

# --- toolchain selection (go.dev/doc/toolchain) --------------------------------------------------------------


@pytest.mark.parametrize(("gotoolchain", "local", "go_line", "toolchain_line", "runs", "is_local", "error"), [
    # local never switches; a go line newer than the local Go is an error the go command stops with
    ("local", "1.22.10", "1.22", "go1.24.11", "go1.22.10", True, ""),
    ("local", "1.22.10", "1.23", "", "go1.22.10", True,
     "go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)"),
    # auto: a newer toolchain line wins; an older one does not
    ("auto", "1.22.10", "1.22", "go1.24.11", "go1.24.11", False, ""),
    ("auto", "1.22.10", "1.21", "go1.21.0", "go1.22.10", True, ""),
    # the docs' example: go 1.21.0, toolchain go1.21.4, default go1.21.2 -> go1.21.4
    ("auto", "1.21.2", "1.21.0", "go1.21.4", "go1.21.4", False, ""),
    # a newer go line beats the toolchain line; a language version means its .0 release
    ("auto", "1.22.10", "1.23", "", "go1.23.0", False, ""),
    ("auto", "1.22.10", "1.23rc1", "", "go1.23rc1", False, ""),
    ("auto", "1.22.10", "1.25.1", "go1.24.11", "go1.25.1", False, ""),
    # <name>+auto raises the minimum; plain <name> ignores go.mod but still must satisfy its go line
    ("go1.24.11+auto", "1.22.10", "1.22", "", "go1.24.11", False, ""),
    ("go1.24.11+auto", "1.22.10", "1.22", "go1.26.1", "go1.26.1", False, ""),
    ("go1.24.11", "1.22.10", "1.22", "go1.26.1", "go1.24.11", False, ""),
    ("go1.24.11", "1.22.10", "1.26", "", "go1.24.11", False,
     "go.mod requires go >= 1.26 (running go 1.24.11; GOTOOLCHAIN=go1.24.11)"),
    ("go1.22.10", "1.22.10", "1.22", "", "go1.22.10", True, ""),
    # toolchain default: keep the configured minimum
    ("auto", "1.22.10", "1.22", "default", "go1.22.10", True, ""),
    # path finds toolchains on PATH instead of downloading
    ("path", "1.22.10", "1.22", "go1.24.11", "go1.24.11", False, ""),
    ("local+path", "1.22.10", "1.22", "go1.24.11", "go1.24.11", False, ""),
    # before Go 1.21 the go command knows no GOTOOLCHAIN and no toolchain line
    ("auto", "1.20.14", "1.22", "go1.24.11", "go1.20.14", True, ""),
])
def test_toolchain_selection_follows_go(gotoolchain, local, go_line, toolchain_line, runs, is_local, error) -> None:
    sel = select(gotoolchain, local, go_line, toolchain_line)
    assert (sel.toolchain, sel.local, sel.error) == (runs, is_local, error)


@pytest.mark.parametrize(("gotoolchain", "error"), [
    ("asdf", "invalid GOTOOLCHAIN 'asdf'"),
    ("go1.22.10+latest", "invalid GOTOOLCHAIN 'go1.22.10+latest': only version suffixes are +auto and +path"),
])
def test_an_invalid_gotoolchain_is_what_the_go_command_refuses(gotoolchain: str, error: str) -> None:
    sel = select(gotoolchain, "1.22.10", "1.22")
    assert (sel.toolchain, sel.error) == ("", error)


def test_selection_says_which_line_decided() -> None:
    assert select("auto", "1.22.10", "1.22", "go1.24.11").reason == "go.mod says `toolchain go1.24.11` and GOTOOLCHAIN=auto"
    assert select("auto", "1.22.10", "1.23").mode == "auto"
    assert select("path", "1.22.10", "1.23").mode == "path"


def test_go_versions_order_as_the_go_command_orders_them() -> None:
    ordered = ["1.9", "1.20", "1.21", "1.21rc1", "1.21rc2", "1.21.0", "1.21.13", "1.22"]
    assert sorted(reversed(ordered), key=gover.key) == ordered
    assert gover.compare("1.20", "1.20.0") == 0  # before 1.21 the language version is the .0 release
    assert gover.from_toolchain("go1.21.3-custom") == "1.21.3"
    assert gover.from_toolchain("gccgo") == ""


# --- module glob patterns (golang.org/x/mod/module.MatchPrefixPatterns) ---------------------------------------


@pytest.mark.parametrize(("globs", "target", "matched"), [
    ("*/quote", "rsc.io/quote", True),
    ("*/quo", "rsc.io/quote", False),
    ("rsc.io", "rsc.io/quote", True),
    ("rsc.io/", "rsc.io/quote", True),
    ("rsc.io/quote", "rsc.io/quote", True),
    ("rsc.io/quote/v3", "rsc.io/quote", False),
    ("*.io", "rsc.io/quote", True),
    ("rsc.*", "rsc.io/quote", True),
    ("*", "rsc.io/quote", True),
    ("rsc", "rsc.io/quote", False),
    ("*.corp.example.com", "git.corp.example.com/team/repo", True),
    ("*.corp.example.com", "corp.example.com/repo", False),
    ("github.com/acme", "github.com/acme/tool/v2", True),
    ("github.com/acme", "github.com/acmeinc/tool", False),
    ("", "rsc.io/quote", False),
    (",", "rsc.io/quote", False),
    ("a.example,,rsc.io", "rsc.io/quote", True),
    ("rsc.io/[q]uote", "rsc.io/quote", True),
    ("rsc.io/[^q]uote", "rsc.io/quote", False),
    ("rsc.io/qu?te", "rsc.io/quote", True),
    ("rsc.io/[", "rsc.io/quote", False),  # a bad pattern matches nothing
    (" rsc.io", "rsc.io/quote", False),  # no trimming: Go does not trim either
])
def test_module_globs_match_like_go(globs: str, target: str, matched: bool) -> None:
    assert match_prefix_patterns(globs, target) is matched


# --- setting layers and their fixes --------------------------------------------------------------------------


def layers(env: dict[str, str] | None = None, goenv: dict[str, str] | None = None) -> SettingLayers:
    goroot_env = {"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org", "GOTOOLCHAIN": "auto"}
    return SettingLayers(env or {}, "/home/dev/.config/go/env", goenv or {}, goroot_env, "/home/dev")


def test_the_environment_beats_the_go_env_w_file_which_beats_go_env() -> None:
    got = layers({"GOPROXY": "https://a.example"}, {"GOPROXY": "https://b.example"}).get("GOPROXY")
    assert (got.value, got.where) == ("https://a.example", "environment")
    assert [(h.where, h.value) for h in got.hidden] == [
        ("go env -w file ~/.config/go/env", "https://b.example"), ("$GOROOT/go.env", "https://proxy.golang.org,direct")]


def test_gonoproxy_and_gonosumdb_default_to_goprivate() -> None:
    got = layers(goenv={"GOPRIVATE": "corp.example"}).get("GONOSUMDB")
    assert (got.value, got.where) == ("corp.example", "Go's default (GOPRIVATE)")


@pytest.mark.parametrize(("env", "goenv", "name", "want", "fix"), [
    ({"GOFLAGS": "-mod=mod"}, {"GOFLAGS": "-mod=readonly"}, "GOFLAGS", "-mod=readonly", "unset GOFLAGS"),
    ({"GOFLAGS": "-mod=mod"}, {}, "GOFLAGS", "-mod=readonly", "export GOFLAGS=-mod=readonly"),
    ({}, {"GOFLAGS": "-mod=mod"}, "GOFLAGS", "-mod=readonly", "go env -w GOFLAGS=-mod=readonly"),
    ({}, {"GOTOOLCHAIN": "local"}, "GOTOOLCHAIN", "auto", "go env -u GOTOOLCHAIN"),
    ({}, {}, "GOSUMDB", "sum.example+key https://sum.example", "go env -w GOSUMDB='sum.example+key https://sum.example'"),
    ({"GOPRIVATE": "x.example"}, {"GOPRIVATE": "y.example"}, "GOPRIVATE", "", "unset GOPRIVATE && go env -u GOPRIVATE"),
])
def test_a_fix_acts_on_the_layer_that_decides(env, goenv, name, want, fix) -> None:
    assert fix_command(layers(env, goenv), name, want) == fix


def test_go_env_files_skip_comments() -> None:
    assert parse_env_file("# comment\nGOPROXY=https://p.example,direct\nlower=x\nGOFLAGS=-mod=mod -x\n") == {
        "GOPROXY": "https://p.example,direct", "GOFLAGS": "-mod=mod -x"}


def test_netrc_gives_machine_names_never_passwords() -> None:
    text = "machine git.corp.example login dev password hunter2\nmachine other.example\n  login a\n  password b\n"
    assert netrc_hosts(text) == {"git.corp.example", "other.example"}
    assert netrc_hosts("default login anonymous password x") == {"*"}
    assert tool_name("golang.org/x/tools/gopls") == "gopls" and tool_name("example.com/cmd/tool/v2") == "tool"


# --- WSL and macOS on fixed machines -------------------------------------------------------------------------

HOME = "/home/dev"


def go_env_json(version: str, goroot: str, goarch: str = "amd64", goos: str = "linux") -> Ran:
    return Ran(0, json.dumps({"GOVERSION": f"go{version}", "GOROOT": goroot, "GOENV": f"{HOME}/.config/go/env",
                              "GOPATH": f"{HOME}/go", "GOHOSTOS": goos, "GOHOSTARCH": goarch, "CC": "clang",
                              "CGO_ENABLED": "1"}))


def machine(path: list[str], system: str = "linux", wsl: bool = False, arch: str = "x86_64",
            executables: set[str] | None = None, commands: dict | None = None, links: dict | None = None,
            env: dict[str, str] | None = None) -> FixedMachine:
    return FixedMachine(env={"HOME": HOME, "PATH": ":".join(path), **(env or {})},
                        facts=PlatformFacts(system=system, machine=arch, wsl=wsl),
                        executables=executables or set(), commands=commands or {}, links=links or {})


def context(m: FixedMachine, directory: str = f"{HOME}/src/app") -> Context:
    return Context(m, Project(Path(directory)), probe=None)


WINDOWS_GO_DIR = "/mnt/c/Program Files/Go/bin"
LINUX_GO = "/usr/local/go/bin/go"


def test_wsl_with_only_the_windows_go_exe_fails() -> None:
    m = machine(["/usr/bin", WINDOWS_GO_DIR], wsl=True, executables={f"{WINDOWS_GO_DIR}/go.exe"})
    finding = check_wsl(context(m))
    assert finding.status == "fail"
    assert "only the Windows Go (/mnt/c/Program Files/Go/bin/go.exe) is on PATH" in finding.summary
    assert "Windows Go through WSL interop (/mnt/<drive>)" in " ".join(finding.evidence)


def test_wsl_with_a_linux_go_warns_about_the_windows_one_and_fixes_wsl_conf() -> None:
    m = machine([LINUX_GO.rsplit("/", 1)[0], WINDOWS_GO_DIR], wsl=True,
                executables={LINUX_GO, f"{WINDOWS_GO_DIR}/go.exe"},
                commands={(LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")})
    finding = check_wsl(context(m))
    assert finding.status == "warn"
    assert "editors may pick go.exe" in finding.summary
    assert finding.fix == ("add `appendWindowsPath = false` under `[interop]` in /etc/wsl.conf, "
                           "then run `wsl --shutdown`")


def test_wsl_project_on_the_windows_drive_is_a_warning_with_a_move() -> None:
    m = machine([LINUX_GO.rsplit("/", 1)[0]], wsl=True, executables={LINUX_GO},
                commands={(LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")})
    finding = check_wsl(context(m, "/mnt/c/Users/dev/app"))
    assert finding.status == "warn" and "Windows file system" in finding.summary
    assert finding.fix == "move it into WSL's own file system, e.g. `cp -a /mnt/c/Users/dev/app ~/src/`"


def test_wsl_where_a_windows_go_wins_fails_with_the_linux_go_first() -> None:
    windows_go = "/mnt/c/tools/go"  # a `go` (not go.exe) found in a Windows directory
    m = machine(["/mnt/c/tools", LINUX_GO.rsplit("/", 1)[0]], wsl=True, executables={windows_go, LINUX_GO},
                commands={(windows_go, "env", "-json"): go_env_json("1.21.0", "C:\\Go", goos="windows"),
                          (LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")})
    finding = check_wsl(context(m))
    assert finding.status == "fail" and "a Windows program through WSL interop" in finding.summary
    assert finding.fix == 'export PATH="/usr/local/go/bin:$PATH"'


def test_no_wsl_finding_off_wsl() -> None:
    assert check_wsl(context(machine(["/usr/bin"]))) is None
    assert check_macos(context(machine(["/usr/bin"]))) is None


BREW_GO = "/opt/homebrew/bin/go"
BREW_REAL = "/opt/homebrew/Cellar/go/1.22.10/libexec/bin/go"


def mac(commands: dict, goarch: str = "arm64", arch: str = "arm64", env: dict | None = None) -> FixedMachine:
    return machine(["/opt/homebrew/bin", "/usr/bin"], system="darwin", arch=arch, executables={BREW_GO},
                   links={BREW_GO: BREW_REAL}, env=env,
                   commands={(BREW_REAL, "env", "-json"): go_env_json("1.22.10", "/opt/homebrew/Cellar/go/1.22.10/libexec",
                                                                      goarch, "darwin"), **commands})


HEALTHY = {("xcode-select", "-p"): Ran(0, "/Library/Developer/CommandLineTools\n"),
           ("xcrun", "--show-sdk-path"): Ran(0, "/Library/Developer/CommandLineTools/SDKs/MacOSX.sdk\n"),
           ("sysctl", "-n", "hw.optional.arm64"): Ran(0, "1\n")}


def test_macos_healthy_passes_and_names_homebrew() -> None:
    ctx = context(mac(HEALTHY))
    assert check_macos(ctx).status == "pass"
    assert "Homebrew" in " ".join(check_path_go(ctx).evidence)


def test_macos_without_command_line_tools_fails_when_cgo_is_on() -> None:
    no_clt = {**HEALTHY, ("xcode-select", "-p"): Ran(2, err="xcode-select: error: unable to get active developer directory")}
    finding = check_macos(context(mac(no_clt)))
    assert (finding.status, finding.fix) == ("fail", "xcode-select --install")  # the fixed `go env` has CGO_ENABLED=1


def test_macos_without_an_sdk_points_xcode_select_at_the_tools() -> None:
    no_sdk = {**HEALTHY, ("xcrun", "--show-sdk-path"): Ran(1, err="xcrun: error: SDK cannot be located")}
    finding = check_macos(context(mac(no_sdk)))
    assert finding.status == "fail"
    assert finding.fix == "sudo xcode-select --switch /Library/Developer/CommandLineTools"


def test_macos_amd64_go_on_apple_silicon_is_a_rosetta_warning() -> None:
    finding = check_macos(context(mac(HEALTHY, goarch="amd64")))
    assert finding.status == "warn" and "under Rosetta" in finding.summary and "darwin-arm64" in finding.fix


def test_macos_shell_under_rosetta_is_a_warning() -> None:
    finding = check_macos(context(mac(HEALTHY, arch="x86_64")))
    assert finding.status == "warn" and "this shell runs under Rosetta" in finding.summary


# --- the command's input errors ------------------------------------------------------------------------------


def doctor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder", "doctor", *args], capture_output=True, text=True,
                          timeout=60)


def test_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    done = doctor(str(tmp_path / "nope"))
    assert (done.returncode, done.stderr) == (2, f"envbuilder: doctor: DIRECTORY: {tmp_path / 'nope'}: no such directory\n")


def test_a_broken_go_mod_is_bad_input_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo one.two\n")
    done = doctor(str(tmp_path), "--offline")
    assert done.returncode == 2
    assert done.stderr == f"envbuilder: {tmp_path / 'go.mod'}:3: go: invalid go version 'one.two'\n"


def test_the_report_goes_to_json_and_junit_with_warnings_as_passes(tmp_path: Path) -> None:
    from junitparser import JUnitXml

    from envbuilder.doctor.diagnose import diagnose
    from envbuilder.report import to_json

    (tmp_path / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    # a WSL machine whose Linux go runs and whose PATH also reaches the Windows go.exe: one warning
    m = machine([LINUX_GO.rsplit("/", 1)[0], WINDOWS_GO_DIR], wsl=True,
                executables={LINUX_GO, f"{WINDOWS_GO_DIR}/go.exe"},
                commands={(LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")})
    report, _ = diagnose(tmp_path, machine=m, offline=True)
    statuses = {r.id: r.status for r in report.results}
    assert statuses["doctor.platform.wsl"] == "warn" and report.ok
    assert statuses["doctor.net.proxy"] == "skip"  # --offline: said, not silently dropped
    assert json.loads(to_json(report))["tool"] == "doctor"
    from envbuilder.report import write_junit

    write_junit(report, tmp_path / "doctor.xml")
    suites = {s.name: s for s in JUnitXml.fromfile(str(tmp_path / "doctor.xml"))}
    assert suites["platform"].failures == 0 and suites["platform"].tests == 1


def test_without_home_doctor_cannot_run(tmp_path: Path) -> None:
    from envbuilder.doctor.diagnose import diagnose
    from envbuilder.errors import EnvironmentProblem

    m = FixedMachine(env={"PATH": "/usr/bin"}, facts=PlatformFacts(system="linux", machine="x86_64"))
    with pytest.raises(EnvironmentProblem) as raised:
        diagnose(tmp_path, machine=m, offline=True)
    assert raised.value.exit_code == 3 and "HOME is not set" in raised.value.message


def test_cross_cgo_targets_without_their_compilers_warn_with_the_debian_packages() -> None:
    from envbuilder.doctor.platform_checks import check_cgo_host, check_cgo_targets
    from envbuilder.spec.models import Spec

    spec = Spec(name="app", go={"version": "1.22.10"},
                targets=[{"platform": "linux/amd64", "cgo": True}, {"platform": "linux/arm64", "cgo": True}])
    m = machine([LINUX_GO.rsplit("/", 1)[0], "/usr/bin"], executables={LINUX_GO, "/usr/bin/clang"},
                commands={(LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")})
    ctx = Context(m, Project(Path(f"{HOME}/src/app"), spec=spec), probe=None)
    assert check_cgo_host(ctx).status == "pass"  # linux/amd64 is the host: `go env CC` (clang) is enough
    finding = check_cgo_targets(ctx)
    assert finding.status == "warn" and "linux-arm64-cgo" in finding.summary
    assert finding.fix == "sudo apt-get install -y gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross"


def test_probes_report_status_codes_and_silence_without_hanging() -> None:
    import http.server
    import socket
    import threading

    from envbuilder.doctor.probes import probe_all

    class Gone(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(410)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gone)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    silent = socket.socket()  # listens, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        gone = f"http://127.0.0.1:{server.server_address[1]}/lookup/corp.example/lib@v1.0.0"
        mute = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        got = probe_all([gone, mute], timeout=0.5)
        assert (got[gone].status, got[gone].describe()) == (410, "HTTP 410 Gone")
        assert got[mute].status is None and not got[mute].answered
    finally:
        server.shutdown()
        server.server_close()
        silent.close()


def test_a_module_the_checksum_database_does_not_know_is_private_even_without_a_lock(tmp_path: Path) -> None:
    from envbuilder.doctor.gomod import parse_gomod
    from envbuilder.doctor.module_checks import check_private
    from envbuilder.doctor.probes import Answer

    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n\nrequire (\n"
                                     "\tgithub.com/pub/lib v1.2.0\n\tgit.corp.example/team/lib v0.3.0 // indirect\n)\n")
    m = machine([LINUX_GO.rsplit("/", 1)[0]], executables={LINUX_GO},
                commands={(LINUX_GO, "env", "-json"): go_env_json("1.22.10", "/usr/local/go")},
                env={"GOSUMDB": "sum.golang.org", "GOPROXY": "https://proxy.golang.org,direct"})

    def sumdb(urls: list[str]) -> dict[str, Answer]:
        return {u: Answer(u, 410 if "/lookup/git.corp.example/" in u else 200) for u in urls}

    ctx = Context(m, Project(tmp_path, gomod=parse_gomod(tmp_path / "go.mod")), probe=sumdb)
    finding = check_private(ctx)
    assert finding.status == "fail"
    assert finding.summary == ("the checksum database sum.golang.org does not know git.corp.example/team/lib v0.3.0 "
                               "(HTTP 410): a private module, but GOPRIVATE/GONOSUMDB do not match it")
    assert finding.fix == "go env -w GOPRIVATE=git.corp.example"


def test_a_switch_to_a_toolchain_already_in_the_module_cache_is_said_as_such(tmp_path: Path) -> None:
    from envbuilder.doctor.go_checks import check_toolchain
    from envbuilder.doctor.gomod import parse_gomod

    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.22\n\ntoolchain go1.24.11\n")
    cached = f"{HOME}/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.24.11.linux-amd64/bin/go"
    env_json = json.loads(go_env_json("1.22.10", "/usr/local/go").out) | {"GOMODCACHE": f"{HOME}/go/pkg/mod"}
    m = machine([LINUX_GO.rsplit("/", 1)[0]], executables={LINUX_GO, cached}, env={"GOTOOLCHAIN": "auto"},
                commands={(LINUX_GO, "env", "-json"): Ran(0, json.dumps(env_json))})
    finding = check_toolchain(Context(m, Project(tmp_path, gomod=parse_gomod(tmp_path / "go.mod")), probe=None))
    assert finding.status == "warn"  # no lock: said, not failed
    assert finding.summary == (f"in {tmp_path} the go command will run the module-cache copy of go1.24.11 instead "
                               f"of the local go1.22.10 ({tmp_path}/go.mod says `toolchain go1.24.11` and "
                               "GOTOOLCHAIN=auto)")
    assert finding.fix == "unset GOTOOLCHAIN"  # this GOROOT has no go.env: without the variable Go stays local
