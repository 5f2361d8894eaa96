"""The command as users run it (`python -m envbuilder.inspect`, the same function the CLI registers):
exit codes 0/1/2, one-line errors without tracebacks, --json, --junit, and a light import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.inspect import synth


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder.inspect", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    d = tmp_path / "dist"
    (d / "app_linux_amd64_v1").mkdir(parents=True)
    (d / "app_linux_amd64_v1" / "app").write_bytes(synth.elf(synth.inline_blob(modinfo=synth.MODINFO.replace(
        "GOARCH=arm", "GOARCH=amd64").replace("GOARM=7", "GOAMD64=v1"))))
    (d / "checksums.txt").write_text("abc  app\n")
    return d


def test_a_passing_directory_exits_0_and_skips_non_binaries(dist):
    done = run(str(dist), "--expect", "linux/amd64", "--expect-go", "1.22", "--expect-trimpath", "--expect-names",
               "--expect-static", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert {r["id"]: r["status"] for r in report["results"] if r["target"].endswith("/app")} == {
        "binary.read": "pass", "binary.headers-vs-buildinfo": "pass", "binary.platform": "pass",
        "binary.go-version": "pass", "binary.linkage": "pass",
        "binary.trimpath": "pass", "binary.name": "pass"}
    assert [r["status"] for r in report["results"] if r["target"].endswith("checksums.txt")] == ["skip"]
    app = next(b for b in report["binaries"] if b["path"].endswith("/app"))
    assert app["go"]["go_version"] == "go1.22.10" and app["format"] == "elf"


def test_a_mismatch_exits_1_and_writes_junit(dist, tmp_path):
    junit = tmp_path / "junit.xml"
    done = run(str(dist), "--expect", "linux/arm64", "--junit", str(junit))
    assert done.returncode == 1
    assert "expected" in junit.read_text() and "linux/arm64" in done.stdout


def test_goreleaser_artifacts_are_checked_and_missing_ones_fail(dist):
    (dist / "artifacts.json").write_text(json.dumps([
        {"name": "app", "path": "dist/app_linux_amd64_v1/app", "goos": "linux", "goarch": "amd64", "goamd64": "v1", "type": "Binary"},
        {"name": "app.exe", "path": "dist/app_windows_amd64_v1/app.exe", "goos": "windows", "goarch": "amd64", "type": "Binary"},
    ]))
    done = run("--goreleaser", str(dist / "artifacts.json"), "--json")
    assert done.returncode == 1
    results = json.loads(done.stdout)["results"]
    assert [(r["id"], r["status"]) for r in results if r["id"] == "binary.goreleaser"] == [("binary.goreleaser", "pass"), ("binary.goreleaser", "fail")]


@pytest.mark.parametrize("args,message", [
    (["/nonexistent/dist"], "/nonexistent/dist: no such file or directory"),
    (["--expect", "linux/z80", "."], "--expect: 'linux/z80': linux/z80 is not a Go platform"),
    (["--expect-go", "latest", "."], "--expect-go: 'latest' is not a Go version"),
    (["--expect", "linux/arm/v9", "."], "--expect: 'linux/arm/v9': arm has no variant 'v9'"),
    (["--expect", "linux/amd64/v7", "."], "--expect: 'linux/amd64/v7': amd64 has no variant 'v7'"),
    (["--jobs", "0", "."], "inspect: --jobs: input should be greater than or equal to 1"),
    (["--goreleaser", "/nonexistent/artifacts.json"], "/nonexistent/artifacts.json: no such file"),
    ([], "give at least one PATH or --goreleaser"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.strip() == f"envbuilder: {message}" or message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_json_schema_describes_the_output():
    schema = json.loads(run("--json-schema").stdout)
    assert {"results", "binaries"} <= set(schema["properties"])
    assert "GoBuildInfo" in schema["$defs"]


def test_the_cli_and_the_command_modules_import_nothing_heavy():
    code = ("import sys, envbuilder.cli, envbuilder.commands.inspect, envbuilder.commands.verify, "
            "envbuilder.commands.build, envbuilder.commands.lock, envbuilder.commands.render; "
            "heavy = {'elftools', 'pefile', 'macholib', 'rich', "
            "'pydantic', 'junitparser'} & {m.split('.')[0] for m in sys.modules}; print(sorted(heavy))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_inspecting_one_elf_file_loads_only_its_own_parser(dist: Path):
    # No templates, engine, spec parser, PE or Mach-O parser, JUnit writer: only what reading one ELF binary needs.
    code = ("import sys; sys.argv = ['envbuilder', 'inspect', sys.argv[1]]; from envbuilder.__main__ import run\n"
            "try:\n    run()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(repr(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code, str(dist / "app_linux_amd64_v1" / "app")],
                          capture_output=True, text=True, timeout=60)
    modules = set(eval(done.stderr.strip().splitlines()[-1]))
    loaded = {m.split(".")[0] for m in modules}
    assert "elftools" in loaded
    assert loaded & {"jinja2", "docker", "yaml", "ruamel", "pefile", "macholib", "junitparser"} == set()
    # nor the spec, the lock or the CI configs: inspect reads binaries, not the project
    assert modules & {"envbuilder.spec", "envbuilder.lock", "envbuilder.lockmodel", "envbuilder.ciconfig",
                      "envbuilder.render", "envbuilder.goreleases"} == set()
