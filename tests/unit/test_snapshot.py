"""`envbuilder snapshot` and `envbuilder diff` without Docker: the model, the collection script's parsing,
the ranking table, diffs of snapshot files and release binaries, and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envbuilder.cli import main
from envbuilder.snapshot.collect import MARK, collect, script, without_secrets
from envbuilder.snapshot.diff import compare
from envbuilder.snapshot.flatten import flatten, goflags
from envbuilder.snapshot.model import Compiler, Facts, GoTool, Snapshot, json_schema
from envbuilder.snapshot.ranking import FACT_CLASSES, classify
from envbuilder.snapshot.sources import snapshot_binary
from tests.inspect import synth

from .fake_executor import FakeExecutor, ok

GO_ENV = {"GOVERSION": "go1.22.10", "GOROOT": "/usr/local/go", "GOPATH": "/go", "GOCACHE": "/go/cache",
          "GOFLAGS": "-mod=readonly", "GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org",
          "GOPRIVATE": "", "GONOPROXY": "", "GONOSUMDB": "", "GOTOOLCHAIN": "local", "CGO_ENABLED": "1",
          "GOAMD64": "v1", "GOOS": "linux", "GOARCH": "amd64", "CC": "gcc", "CXX": "g++"}


def facts(**changes) -> Facts:
    base = dict(kind="image", go_version="go1.22.10", go_binary="/usr/local/go/bin/go", go_binary_sha256="a" * 64,
                goroot_sha256="b" * 64, go_env=dict(GO_ENV),
                compilers={"gcc": Compiler(path="/usr/bin/x86_64-linux-gnu-gcc-12", version="gcc (Debian 12.2.0-14) 12.2.0")},
                os_release={"ID": "debian", "VERSION_ID": "12"}, packages={"gcc-12": "12.2.0-14", "make": "4.3-4.1"},
                tools={"hellotool": GoTool(path="/go/bin/hellotool", go_version="go1.22.10",
                                           package="example.test/hellotool", module="example.test/hellotool",
                                           version="v1.1.0")},
                labels={"dev.envbuilder.lock-hash": "sha256:" + "c" * 64})
    base.update(changes)
    return Facts(**base)


def env_with(**values: str) -> dict[str, str]:
    return {**GO_ENV, **values}


def write_snapshot(path: Path, f: Facts, source: str = "image demo:dev") -> Path:
    path.write_text(Snapshot(source=source, facts=f).to_json())
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


# ---- the model ------------------------------------------------------------------------------------------


def test_the_published_schema_names_the_schema_version_and_every_fact():
    schema = json_schema()
    assert schema["properties"]["schema_version"]["const"] == 1
    facts_schema = schema["$defs"]["Facts"]["properties"]
    for fact in ("go_version", "go_binary_sha256", "goroot_sha256", "go_env", "compilers", "cross_tools",
                 "os_release", "packages", "tools", "labels", "binary"):
        assert fact in facts_schema


def test_a_snapshot_is_written_with_sorted_keys_and_no_time_inside_the_facts():
    text = Snapshot(source="host", facts=facts()).to_json()
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert list(data["facts"]) == sorted(data["facts"])
    assert list(data["facts"]["go_env"]) == sorted(data["facts"]["go_env"])
    assert "taken" not in data["facts"]
    assert Snapshot.model_validate_json(text).facts == facts()


# ---- collection ------------------------------------------------------------------------------------------


def section_output(sections: dict[str, str]) -> str:
    return "".join(f"\n{MARK} {name}@@\n{body}\n" for name, body in sections.items())


def test_one_script_collects_every_fact_and_drops_credentials():
    go_env = {**GO_ENV, "GOGCCFLAGS": "-fPIC -fdebug-prefix-map=/tmp/go-build2736893216=/tmp/go-build", "GOAUTH": "netrc", "GOPROXY": "https://user:hunter2@proxy.example.com", "MY_TOKEN": "x",
              "CGO_CFLAGS": "ghp_0123456789abcdef"}
    output = section_output({
        "go_version": "go version go1.22.10 linux/amd64",
        "go_binary": "/usr/local/go/bin/go",
        "go_binary_sha256": "a" * 64,
        "go_env": json.dumps(go_env),
        "goroot_sha256": "b" * 64,
        "compilers": "x86_64-linux-gnu-gcc\t/usr/bin/x86_64-linux-gnu-gcc-12\tx86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0\n"
                     "zcc-x86_64-linux-gnu\t\t",
        "cross_tools": "zig\t0.13.0\nqemu\tqemu-aarch64 version 7.2.22",
        "os_release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian',
        "packages": "gcc-12\t12.2.0-14\nlibc6:i386\t2.36-9",
        "tools": "@@envbuilder-tool /go/bin/hellotool\n/go/bin/hellotool: go1.22.10\n"
                 "\tpath\texample.test/hellotool\n\tmod\texample.test/hellotool\tv1.1.0\th1:abc=\n"
                 "\tbuild\t-compiler=gc\n",
        "end": "",
    })
    ex = FakeExecutor({MARK: ok(output)}, image_attrs={"Config": {"Labels": {"dev.envbuilder.spec-hash": "sha256:x",
                                                                             "GH_TOKEN": "ghp_secret"}}})
    got = collect(ex, compilers=["x86_64-linux-gnu-gcc", "zcc-x86_64-linux-gnu"], tools=None)
    assert len(ex.commands) == 1, "one batched script, not one exec per fact"
    assert got.go_version == "go1.22.10" and got.goroot_sha256 == "b" * 64
    assert "GOAUTH" not in got.go_env and "MY_TOKEN" not in got.go_env and "CGO_CFLAGS" not in got.go_env
    assert got.go_env["GOPROXY"] == "https://proxy.example.com"
    assert got.go_env["GOGCCFLAGS"] == "-fPIC -fdebug-prefix-map=/tmp/go-build=/tmp/go-build", "no random work dir"
    assert got.compilers["x86_64-linux-gnu-gcc"].version == "x86_64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"
    assert got.compilers["zcc-x86_64-linux-gnu"] == Compiler(path=None, version=None)
    assert got.cross_tools == {"zig": "0.13.0", "qemu": "qemu-aarch64 version 7.2.22"}
    assert got.os_release["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)" and got.os_release["ID"] == "debian"
    assert got.packages == {"gcc-12": "12.2.0-14", "libc6:i386": "2.36-9"}
    assert got.tools["hellotool"].module == "example.test/hellotool" and got.tools["hellotool"].version == "v1.1.0"
    assert got.labels == {"dev.envbuilder.spec-hash": "sha256:x"}


def test_the_script_asks_for_named_compilers_and_tools_and_never_reads_credentials():
    text = script(["x86_64-w64-mingw32-gcc-posix"], ["hellotool"])
    assert "x86_64-w64-mingw32-gcc-posix" in text and "for n in hellotool" in text
    assert "netrc" not in text and "GOAUTH" not in text and "git-credentials" not in text
    assert "sort -z | xargs -0 sha256sum | sha256sum" in text


def test_an_unfinished_script_is_an_environment_problem():
    from envbuilder.errors import EnvironmentProblem

    ex = FakeExecutor({MARK: ok(section_output({"go_version": "go version go1.22.10 linux/amd64"}))})
    with pytest.raises(EnvironmentProblem, match="did not finish"):
        collect(ex, compilers=[], tools=None)


def test_secrets_are_judged_by_name_and_by_value():
    assert without_secrets({"NPM_TOKEN": "x", "AWS_SECRET": "y", "PLAIN": "AKIAABCDEFGHIJKLMNOP", "GOPATH": "/go"}) \
        == {"GOPATH": "/go"}


# ---- the ranking table -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "change", "fact"), [
    ("go.version", "output", "Go version"),
    ("goroot.sha256", "output", "GOROOT contents"),
    ("goflags.-trimpath", "output", "GOFLAGS -trimpath"),
    ("goflags.-mod", "module", "GOFLAGS -mod"),
    ("env.CGO_ENABLED", "output", "CGO_ENABLED"),
    ("env.CGO_LDFLAGS", "output", "CGO_LDFLAGS"),
    ("env.GOAMD64", "output", "GOAMD64"),
    ("env.GOARM", "output", "GOARM"),
    ("compiler.version.x86_64-linux-gnu-gcc", "output", "x86_64-linux-gnu-gcc version"),
    ("build.-trimpath", "output", "-trimpath"),
    ("build.vcs.revision", "output", "build setting vcs.revision"),
    ("dep.golang.org/x/sys", "output", "dependency golang.org/x/sys"),
    ("package.gcc-12", "output", "package gcc-12"),
    ("package.libc6-dev:i386", "output", "package libc6-dev:i386"),
    ("env.GOPROXY", "module", "GOPROXY"),
    ("env.GOSUMDB", "module", "GOSUMDB"),
    ("env.GONOSUMDB", "module", "GONOSUMDB"),
    ("env.GOTOOLCHAIN", "module", "GOTOOLCHAIN"),
    ("env.GOCACHE", "cosmetic", "GOCACHE"),
    ("compiler.path.gcc", "cosmetic", "gcc path"),
    ("package.make", "cosmetic", "package make"),
    ("tool.hellotool", "cosmetic", "tool hellotool"),
    ("label.dev.envbuilder.lock-hash", "cosmetic", "label dev.envbuilder.lock-hash"),
    ("something.new", "cosmetic", "something.new"),
])
def test_each_fact_key_has_one_class_from_the_table(key, change, fact):
    _, row = classify(key)
    assert (row.change, row.describe(key)) == (change, fact)


def test_the_table_ends_with_a_row_that_takes_every_key():
    assert FACT_CLASSES[-1].pattern == "*"


def test_goflags_are_compared_flag_by_flag():
    assert goflags("-mod=readonly -trimpath '-ldflags=-s -w'") == {"-mod": "readonly", "-trimpath": "true",
                                                                   "-ldflags": "-s -w"}
    assert "env.GOFLAGS" not in flatten(facts()) and flatten(facts())["goflags.-mod"] == "readonly"


# ---- diff of two snapshots -------------------------------------------------------------------------------


def test_identical_snapshots_have_no_differences_and_exit_0(tmp_path, capsys):
    a = write_snapshot(tmp_path / "a.json", facts())
    b = write_snapshot(tmp_path / "b.json", facts(), source="host")
    code, out, err = run(["diff", str(a), str(b)], capsys)
    assert code == 0
    assert out.splitlines()[0] == "no differences"
    assert "diff: no difference changes the build" in err


def test_a_go_version_difference_is_output_and_heads_the_table(tmp_path, capsys):
    a = write_snapshot(tmp_path / "a.json", facts())
    b = write_snapshot(tmp_path / "b.json", facts(go_version="go1.24.11", goroot_sha256="d" * 64,
                                                  go_env=env_with(GOPROXY="off", GOCACHE="/root/.cache")))
    code, out, err = run(["diff", str(a), str(b)], capsys)
    assert code == 1
    assert out.splitlines()[0] == "Go version differs: go1.22.10 vs go1.24.11"
    assert "1 module resolution" in err and "2 output" in err and "1 cosmetic" in err


def test_a_module_resolution_difference_alone_exits_1(tmp_path, capsys):
    a = write_snapshot(tmp_path / "a.json", facts())
    b = write_snapshot(tmp_path / "b.json", facts(go_env=env_with(GOPROXY="http://127.0.0.1:3000", GOPATH="/home/u/go")))
    code, out, _ = run(["diff", str(a), str(b), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["headline"] == "GOPROXY differs: https://proxy.golang.org,direct vs http://127.0.0.1:3000"
    assert [(d["key"], d["change"]) for d in report["differences"]] == [("env.GOPROXY", "module"),
                                                                        ("env.GOPATH", "cosmetic")]
    assert report["counts"] == {"output": 0, "module": 1, "cosmetic": 1}


def test_goflags_mod_is_module_resolution_but_other_goflags_are_output(tmp_path, capsys):
    a = write_snapshot(tmp_path / "a.json", facts())
    b = write_snapshot(tmp_path / "b.json", facts(go_env=env_with(GOFLAGS="-mod=mod -trimpath")))
    code, out, _ = run(["diff", str(a), str(b), "--json"], capsys)
    assert code == 1
    assert [(d["fact"], d["change"], d["a"], d["b"]) for d in json.loads(out)["differences"]] == [
        ("GOFLAGS -trimpath", "output", None, "true"), ("GOFLAGS -mod", "module", "readonly", "mod")]


def test_cosmetic_differences_alone_exit_0(tmp_path, capsys):
    a = write_snapshot(tmp_path / "a.json", facts())
    b = write_snapshot(tmp_path / "b.json", facts(packages={"gcc-12": "12.2.0-14", "make": "4.3-4.2", "curl": "7.88"},
                                                  go_env=env_with(GOMODCACHE="/x")))
    code, out, err = run(["diff", str(a), str(b)], capsys)
    assert code == 0
    assert out.splitlines()[0] == "GOMODCACHE differs: none vs /x"  # env rows rank above package rows
    assert "diff: no difference changes the build: 0 output, 0 module resolution, 3 cosmetic" in err


def test_a_compiler_version_is_output_and_its_path_cosmetic(tmp_path):
    a = Snapshot(source="a", facts=facts())
    b = Snapshot(source="b", facts=facts(compilers={"gcc": Compiler(path="/opt/gcc", version="gcc 13.1")}))
    report = compare(a, b)
    assert [(d.fact, d.change) for d in report.differences] == [("gcc version", "output"), ("gcc path", "cosmetic")]
    assert report.headline == "gcc version differs: gcc (Debian 12.2.0-14) 12.2.0 vs gcc 13.1"


# ---- release binaries ----------------------------------------------------------------------------------------


def go_elf(tmp_path: Path, name: str, modinfo: str = synth.MODINFO, version: str = "go1.22.10") -> Path:
    path = tmp_path / name
    path.write_bytes(synth.elf(synth.inline_blob(version, modinfo)))
    return path


def test_a_binary_becomes_a_snapshot_of_its_build_info(tmp_path):
    snap = snapshot_binary(go_elf(tmp_path, "app"))
    flat = flatten(snap.facts)
    assert flat["go.version"] == "go1.22.10"
    assert flat["env.GOOS"] == "linux" and flat["env.GOARCH"] == "arm" and flat["env.GOARM"] == "7"
    assert flat["env.CGO_ENABLED"] == "0" and flat["build.-trimpath"] == "true"
    assert flat["build.-ldflags"] == '-s -w -X main.version=1.2.3'
    assert flat["build.vcs.revision"] == "0123456789abcdef0123456789abcdef01234567"
    assert flat["dep.example.test/dep"] == "v0.1.0 h1:def="
    assert flat["dep.example.test/old"] == "v1.0.0 => ./local"


def test_two_binaries_differing_in_trimpath_and_a_dependency_differ_in_output(tmp_path, capsys):
    a = go_elf(tmp_path, "a")
    b = go_elf(tmp_path, "b", synth.MODINFO.replace("build\t-trimpath=true\n", "")
               .replace("example.test/dep\tv0.1.0\th1:def=", "example.test/dep\tv0.2.0\th1:xyz="))
    code, out, _ = run(["diff", str(a), str(b), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["headline"] == "-trimpath differs: true vs false"
    assert [d["fact"] for d in report["differences"]] == ["-trimpath", "dependency example.test/dep"]


def test_a_binary_and_an_environment_are_compared_on_the_facts_both_have(tmp_path, capsys):
    binary = go_elf(tmp_path, "app", version="go1.24.11")
    env = write_snapshot(tmp_path / "env.json", facts())
    code, out, _ = run(["diff", str(binary), str(env), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["headline"] == "Go version differs: go1.24.11 vs go1.22.10"
    assert {d["key"] for d in report["differences"]} == {"go.version", "env.GOARCH", "env.CGO_ENABLED"}


# ---- bad inputs -------------------------------------------------------------------------------------------


def one_line_exit_2(argv: list[str], capsys) -> str:
    code, _, err = run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_file_that_is_not_json_is_bad_input_naming_it(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    good = write_snapshot(tmp_path / "good.json", facts())
    line = one_line_exit_2(["diff", str(bad), str(good)], capsys)
    assert line.startswith(f"envbuilder: {bad}:1: not a snapshot: invalid JSON")


def test_a_truncated_snapshot_is_bad_input_naming_it(tmp_path, capsys):
    good = write_snapshot(tmp_path / "good.json", facts())
    cut = tmp_path / "cut.json"
    cut.write_text(good.read_text()[:200])
    line = one_line_exit_2(["diff", str(good), str(cut)], capsys)
    assert line.startswith(f"envbuilder: {cut}:") and "truncated?" in line


def test_an_empty_file_is_bad_input_naming_it(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    line = one_line_exit_2(["diff", str(empty), str(empty)], capsys)
    assert line.startswith(f"envbuilder: {empty}:1: not a snapshot: invalid JSON")


def test_bytes_that_are_neither_text_nor_a_binary_are_bad_input(tmp_path, capsys):
    junk = tmp_path / "snapshot.json.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe")
    line = one_line_exit_2(["diff", str(junk), str(junk)], capsys)
    assert line == f"envbuilder: {junk}: not a snapshot: not UTF-8 text"


def test_a_truncated_go_binary_is_bad_input_naming_it(tmp_path, capsys):
    cut = tmp_path / "app"
    cut.write_bytes(go_elf(tmp_path, "whole").read_bytes()[:48])
    line = one_line_exit_2(["diff", str(cut), str(go_elf(tmp_path, "other"))], capsys)
    assert line.startswith(f"envbuilder: {cut}: malformed ELF"), line


def test_a_snapshot_of_another_schema_version_is_bad_input(tmp_path, capsys):
    data = json.loads(Snapshot(source="host", facts=facts()).to_json())
    data["schema_version"] = 2
    future = tmp_path / "future.json"
    future.write_text(json.dumps(data))
    line = one_line_exit_2(["diff", str(future), str(future)], capsys)
    assert line == f"envbuilder: {future}: snapshot schema_version 2 is not supported (this envbuilder reads 1; " \
                   "take the snapshot again)"


def test_a_snapshot_with_a_wrong_field_names_the_field(tmp_path, capsys):
    data = json.loads(Snapshot(source="host", facts=facts()).to_json())
    data["facts"]["go_env"] = ["not", "a", "mapping"]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(data))
    line = one_line_exit_2(["diff", str(wrong), str(wrong)], capsys)
    assert line.startswith(f"envbuilder: {wrong}: facts.go_env:")


def test_other_json_is_not_a_snapshot(tmp_path, capsys):
    other = tmp_path / "package.json"
    other.write_text('{"name": "x"}')
    line = one_line_exit_2(["diff", str(other), str(other)], capsys)
    assert line == f"envbuilder: {other}: not an envbuilder snapshot (no schema_version and facts)"


def test_a_binary_without_go_build_info_is_bad_input(tmp_path, capsys):
    plain = tmp_path / "plain"
    plain.write_bytes(synth.elf(b"\0" * 64))
    good = write_snapshot(tmp_path / "good.json", facts())
    line = one_line_exit_2(["diff", str(plain), str(good)], capsys)
    assert line == f"envbuilder: {plain}: no Go build info (not a Go binary)"


def test_a_missing_snapshot_file_is_bad_input(tmp_path, capsys):
    line = one_line_exit_2(["diff", str(tmp_path / "gone.json"), str(tmp_path / "gone.json")], capsys)
    assert line == f"envbuilder: {tmp_path / 'gone.json'}: no such file"


@pytest.mark.parametrize("argv", [["diff", "a.json"], ["diff", "--host", "a.json", "b.json"], ["diff"]])
def test_diff_needs_exactly_two_operands(argv, capsys):
    assert "diff: give two operands" in one_line_exit_2(argv, capsys)


def test_snapshot_accepts_one_environment_only(capsys):
    line = one_line_exit_2(["snapshot", "demo:dev", "--host"], capsys)
    assert line == "envbuilder: snapshot: give one of IMAGE, --host, --container, --devcontainer (got IMAGE, --host)"


def test_snapshot_and_diff_publish_their_json_schemas(capsys):
    code, out, _ = run(["snapshot", "--json-schema"], capsys)
    assert code == 0 and json.loads(out)["title"] == "Snapshot"
    code, out, _ = run(["diff", "--json-schema"], capsys)
    assert code == 0 and json.loads(out)["title"] == "DiffReport"


def test_without_an_engine_an_image_operand_is_an_environment_problem(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    good = write_snapshot(tmp_path / "good.json", facts())
    code, _, err = run(["diff", str(good), "image:demo:dev-go1.22.10"], capsys)
    assert code == 3
    assert err.strip().splitlines() == [err.strip()] and "no Docker engine at unix:///nonexistent" in err


def test_a_host_snapshot_is_written_atomically_and_reads_back(tmp_path, capsys):
    out = tmp_path / "host.json"
    code, stdout, err = run(["snapshot", "--host", "-o", str(out)], capsys)
    assert code == 0 and stdout == "" and err.strip() == f"wrote {out}: host"
    snap = Snapshot.model_validate_json(out.read_text())
    assert snap.source == "host" and snap.facts.kind == "host" and snap.taken is not None
    assert [p.name for p in tmp_path.iterdir()] == ["host.json"]


def test_with_a_spec_the_snapshot_asks_for_its_targets_cgo_compilers_and_the_locks_tools(project, monkeypatch,
                                                                                        capsys):
    from envbuilder.snapshot.sources import wanted_from_spec

    monkeypatch.chdir(project)
    monkeypatch.setenv("ENVBUILDER_NO_ENGINE", "1")
    code, _, err = run(["lock"], capsys)
    assert code == 0, err
    wanted = wanted_from_spec(project / "envbuilder.yaml")
    assert wanted.compilers == ["aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++", "x86_64-w64-mingw32-gcc-posix",
                                "x86_64-w64-mingw32-g++-posix"]
    assert wanted.tools == ["gopls"]
