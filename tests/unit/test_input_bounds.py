"""Hostile input files and servers: every input is read within bounds and refused in one line naming the
file (or URL), never read whole, never waited on forever, never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from envbuilder import goreleases
from envbuilder.cli import main
from envbuilder.errors import EnvironmentProblem, InputError
from envbuilder.fsutil import read_input
from envbuilder.inspect.goreleaser import read_artifacts
from envbuilder.lock import MAX_LOCK_VALUES, write_lock
from envbuilder.render import MAX_RENDERED_BYTES, drift, render_all, write_files
from envbuilder.spec import load_spec
from envbuilder.spec.load import MAX_YAML_NODES

from .hostile import alias_bomb, deep_json, fifo, index_with, silent_server, sparse_file, trickling_server
from .renderkit import offline_lock

SPEC = 'name: payments\ngo: {version: "1.22.10", download: "https://go.dev/dl/"}\n'


def run(args: list[str], monkeypatch, capsys, cwd: Path | None = None) -> tuple[int, str, str]:
    """The CLI in this process: exit code, stdout, stderr."""
    if cwd is not None:
        monkeypatch.chdir(cwd)
    monkeypatch.setenv("ENVBUILDER_NO_ENGINE", "1")
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# ---- one bounded reader for every input file ----------------------------------------------------------------


def test_a_regular_file_within_its_limit_is_read(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"12345")
    assert read_input(path, "missing", limit=5) == b"12345"


@pytest.mark.parametrize("make,says", [
    (lambda p: Path("/dev/zero"), "/dev/zero: is a character device, not a file"),
    (lambda p: fifo(p / "pipe"), "pipe: is a FIFO, not a file"),
    (lambda p: sparse_file(p / "huge", 10 << 30), "huge: 10737418240 bytes is too large for a spec (limit 1024)"),
    (lambda p: p, ": is a directory, not a file"),
])
def test_special_and_oversized_files_are_refused_before_reading(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(InputError, match=re.escape(says)):
        read_input(path, "missing", limit=1024, what="spec")


def test_a_missing_file_gets_the_callers_hint(tmp_path):
    with pytest.raises(InputError, match="nope: run init first"):
        read_input(tmp_path / "nope", "run init first", limit=1024)


def test_a_symlink_to_a_device_is_refused_like_the_device(tmp_path):
    (tmp_path / "spec.yaml").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="spec.yaml: is a character device"):
        read_input(tmp_path / "spec.yaml", "missing", limit=1024)


# ---- YAML: aliases, merge keys, tags on keys ----------------------------------------------------------------


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "envbuilder.yaml"
    path.write_text(text)
    return path


def test_an_alias_bomb_is_refused_before_anything_expands_it(tmp_path):
    path = write_spec(tmp_path, alias_bomb())
    assert path.stat().st_size < 600
    with pytest.raises(InputError, match=rf"envbuilder.yaml:\d+: invalid YAML: more than {MAX_YAML_NODES} values"):
        load_spec(path)


def test_a_spec_of_countless_tiny_values_is_refused_while_parsing(tmp_path):
    path = write_spec(tmp_path, 'name: x\ngo: {version: "1.22.10"}\nenv:\n  A: [' + ",".join(["v"] * 15_000) + "]\n")
    with pytest.raises(InputError, match=rf"envbuilder.yaml:4: invalid YAML: more than {MAX_YAML_NODES} values$"):
        load_spec(path)


def test_anchors_and_aliases_within_the_budget_keep_working(tmp_path):
    path = write_spec(tmp_path, 'name: payments\ngo: {version: "1.22.10"}\n'
                                "tools: &tools [golang.org/x/tools/gopls@v0.16.2]\nci:\n  tools: *tools\n")
    spec = load_spec(path)
    assert spec.tools == spec.ci.tools == ["golang.org/x/tools/gopls@v0.16.2"]


@pytest.mark.parametrize("text,line,says", [
    ('name: x\ngo: &g {version: "1.22"}\nbase:\n  <<: *g\n', 4, "merge keys (<<) are not supported"),
    ('name: x\ngo: {version: "1.22"}\n<<: 5\n', 3, "merge keys (<<) are not supported"),
    ('name: x\n!foo go: {version: "1.22"}\n', 2, "tags on keys are not supported (!foo on 'go')"),
    ('name: x\ngo: {version: "1.22"}\n!!binary aGk=: 1\n', 3, "tags on keys are not supported (!!binary"),
    ('name: x\ngo: {version: "1.22"}\n? [a, b]\n: 1\n', 3, "a key must be plain text"),
    ("name: &a [*a]\n", 1, "an alias refers to its own anchor (recursive alias)"),
])
def test_merge_keys_tags_on_keys_and_recursive_aliases_are_one_line_with_the_line(
        tmp_path, monkeypatch, capsys, text, line, says):
    write_spec(tmp_path, text)
    code, _, err = run(["render"], monkeypatch, capsys, cwd=tmp_path)
    assert code == 2
    assert one_line(err).startswith(f"envbuilder: envbuilder.yaml:{line}: invalid YAML: {says}")


# ---- JSON inputs: release index and goreleaser's artifacts.json --------------------------------------------


def index_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "index.json"
    path.write_text(text)
    return path.as_uri()


@pytest.mark.parametrize("text,says", [
    (deep_json(), "nested deeper than 32 levels"),
    (deep_json(40), "nested deeper than 32 levels"),
    ('[{"version": "go1.22.10", "stable": true, "files": [{"filename": "go1.22.10.linux-amd64.tar.gz", '
     '"size": 1' + "0" * 5000 + "}]}]", "has more than 18 digits"),
    ("[1e999]", "out of range"),
    ("[NaN]", "NaN is not a JSON number"),
    ('{"version": "go1.22.10"}', "expected a list of releases"),
    ("[[]]", r"\[0\]: Input should be a valid dictionary"),
    (index_with(version=["go1.22.10"]), r"\[0\].version: Input should be a valid string"),
    (index_with(version="go1.22.10; rm -rf /"), r"\[0\].version: String should match pattern"),
    (index_with(stable="yes"), r"\[0\].stable: Input should be a valid boolean"),
    (index_with(files={"a": 1}), r"\[0\].files: Input should be a valid list"),
    (index_with(files__0__filename="go1.21.0.linux-amd64.tar.gz"), "is not a file of go1.22.10"),
    (index_with(files__0__version="go1.21.0"), "is not a file of go1.22.10"),
    (index_with(files__0__arch="arm64"), "is not the linux-arm64 file it claims to be"),
    (index_with(files__0__filename="go1.22.10.../../x.tar.gz"), r"filename: String should match pattern"),
    (index_with(files__0__sha256="zz" * 32), r"sha256: String should match pattern"),
    (index_with(files__0__size=-1), r"size: Input should be greater than or equal to 0"),
    (index_with(files__0__size="12"), r"size: Input should be a valid integer"),
    (index_with(files__0__size=1 << 41), r"size: Input should be less than or equal to"),
])
def test_hostile_release_indexes_are_one_line_naming_the_index(tmp_path, text, says):
    url = index_file(tmp_path, text)
    with pytest.raises(InputError, match=says) as refused:
        goreleases.fetch_index(url)
    assert refused.value.message.startswith(url) and "\n" not in refused.value.message


def test_a_well_formed_index_still_resolves(tmp_path):
    releases = goreleases.fetch_index(index_file(tmp_path, index_with()))
    archive = goreleases.archive_from_index(goreleases.resolve("1.22", releases, "x"), "linux/amd64",
                                            "https://go.dev/dl/", "x")
    assert (archive.filename, archive.size) == ("go1.22.10.linux-amd64.tar.gz", 123)


def test_old_releases_without_sha256_and_installers_are_accepted_in_an_index(tmp_path):
    old = {"version": "go1.2.2", "stable": True, "files": [
        {"filename": "go1.2.2.darwin-amd64-osx10.8.pkg", "os": "darwin", "arch": "amd64", "sha256": "",
         "kind": "installer"},
        {"filename": "go1.2.2.src.tar.gz", "os": "", "arch": "", "sha256": "", "kind": "source"}]}
    releases = goreleases.fetch_index(index_file(tmp_path, json.dumps([*json.loads(index_with()), old])))
    assert [r["version"] for r in releases] == ["go1.22.10", "go1.2.2"]


def test_a_file_url_index_that_is_a_device_or_fifo_is_refused(tmp_path):
    for path, says in ((Path("/dev/zero"), "is a character device"), (fifo(tmp_path / "pipe"), "is a FIFO")):
        with pytest.raises(InputError, match=f"{path}: {says}"):
            goreleases.fetch_index(path.as_uri())


@pytest.mark.parametrize("text,says", [
    (deep_json(), "not a goreleaser artifacts list: nested deeper than 32 levels"),
    ("[1" + "0" * 30 + "]", "has more than 18 digits"),
    ('[{"name": "a", "path": "a\\u0000b", "type": "Binary", "goos": "linux", "goarch": "amd64"}]',
     r"\[0\].path: string should match pattern"),
])
def test_hostile_artifacts_json_is_one_line_naming_the_file(tmp_path, text, says):
    path = tmp_path / "artifacts.json"
    path.write_text(text)
    with pytest.raises(InputError, match=says) as refused:
        read_artifacts(path)
    assert refused.value.message.startswith(str(path))


def test_artifacts_json_that_is_a_device_is_refused(tmp_path):
    with pytest.raises(InputError, match="/dev/zero: is a character device"):
        read_artifacts(Path("/dev/zero"))


# ---- network reads: a deadline for the whole request ------------------------------------------------------


@pytest.mark.parametrize("trickle_headers", [False, True], ids=["body", "headers"])
def test_a_trickling_index_server_is_cut_off_at_the_deadline(monkeypatch, trickle_headers):
    monkeypatch.setenv(goreleases.DEADLINE_ENV, "0.5")
    with trickling_server(trickle_headers) as url:
        with pytest.raises(EnvironmentProblem, match="no complete answer within 0.5 s") as cut:
            goreleases.fetch_index(url)
    assert cut.value.message.startswith(url) and cut.value.exit_code == 3


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_server_that_never_answers_is_cut_off_at_the_deadline_not_the_read_timeout(monkeypatch, scheme):
    monkeypatch.setenv(goreleases.DEADLINE_ENV, "0.5")
    with silent_server() as port:
        url = f"{scheme}://127.0.0.1:{port}/index.json"  # https: stalls in the TLS handshake
        with pytest.raises(EnvironmentProblem, match="no complete answer within 0.5 s") as cut:
            goreleases.fetch_index(url)
    assert cut.value.message.startswith(url)


def test_a_trickling_download_is_cut_off_at_the_deadline(monkeypatch):
    monkeypatch.setenv(goreleases.DEADLINE_ENV, "0.5")
    with trickling_server() as url:
        with pytest.raises(EnvironmentProblem, match=f"{url}: no complete answer within 0.5 s"):
            goreleases.hash_download(url)


def test_the_deadline_setting_must_be_seconds(monkeypatch):
    monkeypatch.setenv(goreleases.DEADLINE_ENV, "soon")
    with pytest.raises(InputError, match="ENVBUILDER_FETCH_DEADLINE: 'soon' is not a number of seconds"):
        goreleases.fetch_index("http://127.0.0.1:9/index.json")


def test_a_download_within_the_deadline_is_hashed(release_server):
    release_server.publish("1.22.10")
    sha, size = goreleases.hash_download(release_server.url + "go1.22.10.linux-amd64.tar.gz")
    assert size == len(b"stand-in Go 1.22.10 linux/amd64\n") and len(sha) == 64


# ---- lock --index ------------------------------------------------------------------------------------------


def test_lock_check_with_a_missing_index_file_is_refused(tmp_path, monkeypatch, capsys):
    write_spec(tmp_path, SPEC)
    code, _, err = run(["lock", "--check", "--index", str(tmp_path / "nope.json")], monkeypatch, capsys,
                       cwd=tmp_path)
    assert code == 2
    assert one_line(err) == f"envbuilder: --index: {tmp_path / 'nope.json'}: no such file"


def test_lock_index_that_is_a_fifo_is_refused_without_waiting(tmp_path, monkeypatch, capsys):
    write_spec(tmp_path, SPEC)
    pipe = fifo(tmp_path / "pipe")
    code, _, err = run(["lock", "--index", str(pipe)], monkeypatch, capsys, cwd=tmp_path)
    assert code == 2
    assert one_line(err) == f"envbuilder: --index: {pipe}: is a FIFO, not a file"


# ---- render: existing files are read within bounds -------------------------------------------------------


@pytest.fixture
def rendered(tmp_path):
    """A spec, its lock and the files rendered from them."""
    spec_path = write_spec(tmp_path, SPEC)
    spec = load_spec(spec_path)
    lock = offline_lock(spec)
    write_lock(lock, tmp_path / "envbuilder.lock")
    files = render_all(spec, lock)
    write_files(files, tmp_path)
    return tmp_path, files


def test_a_huge_file_in_place_of_a_rendered_one_differs_without_a_diff(rendered):
    root, files = rendered
    sparse_file(root / "Dockerfile", MAX_RENDERED_BYTES + 1)
    diffs = drift(files, root)
    assert diffs == [f"--- Dockerfile differs and is not envbuilder's output: {MAX_RENDERED_BYTES + 1} bytes "
                     f"is too large for a rendered file (limit {MAX_RENDERED_BYTES})\n"]


def test_a_fifo_in_place_of_a_rendered_file_differs_and_is_never_opened(rendered):
    root, files = rendered
    (root / "Dockerfile").unlink()
    fifo(root / "Dockerfile")
    assert drift(files, root) == ["--- Dockerfile differs and is not envbuilder's output: is a FIFO, not a file\n"]


def test_render_keeps_a_huge_foreign_file_unless_forced(rendered, monkeypatch, capsys):
    root, files = rendered
    huge = sparse_file(root / "Dockerfile", 1 << 30)
    code, _, err = run(["render"], monkeypatch, capsys, cwd=root)
    assert code == 1
    assert "Dockerfile exists and was not generated by envbuilder" in one_line(err)
    assert huge.stat().st_size == 1 << 30
    code, _, err = run(["render", "--force"], monkeypatch, capsys, cwd=root)
    assert code == 0, err
    assert (root / "Dockerfile").read_text() == files[0].text


def test_init_reads_go_mod_within_bounds(tmp_path, monkeypatch, capsys):
    sparse_file(tmp_path / "go.mod", 20 << 20)
    code, _, err = run(["init", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    assert one_line(err) == f"envbuilder: {tmp_path / 'go.mod'}: {20 << 20} bytes is too large for a go.mod " \
                            f"(limit {16 << 20})"


def test_a_lock_of_countless_tiny_values_is_refused_before_parsing(tmp_path, monkeypatch, capsys):
    write_spec(tmp_path, SPEC)
    (tmp_path / "envbuilder.lock").write_text('{"lock_version": [' + "1," * 100_000 + "1]}")
    code, _, err = run(["render"], monkeypatch, capsys, cwd=tmp_path)
    assert code == 2
    assert one_line(err) == f"envbuilder: envbuilder.lock: not a lock: more than {MAX_LOCK_VALUES} values"


def test_a_lock_that_is_a_device_is_refused_naming_it(tmp_path, monkeypatch, capsys):
    write_spec(tmp_path, SPEC)
    (tmp_path / "envbuilder.lock").symlink_to("/dev/zero")
    code, _, err = run(["render"], monkeypatch, capsys, cwd=tmp_path)
    assert code == 2
    assert one_line(err) == "envbuilder: envbuilder.lock: is a character device, not a file"
