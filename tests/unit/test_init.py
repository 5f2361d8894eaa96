"""`envbuilder init`: a starter spec that validates, with the Go version taken from go.mod."""

import pytest

from envbuilder.starter import go_version_from_gomod


@pytest.mark.parametrize(
    ("gomod", "expected"),
    [
        ("module x\n\ngo 1.22.4\n\ntoolchain go1.22.10\n", "1.22.10"),  # toolchain line wins
        ("module x\n\ngo 1.23.2\n", "1.23.2"),
        ("module x\n\ngo 1.22\n", "1.22"),
        ("module x\n\ngo 1.22.0\n", "1.22"),  # "1.22.0" means "1.22 or later": newest patch at lock time
        ("module x\n", None),
    ],
)
def test_go_version_comes_from_the_toolchain_line_else_the_go_line(gomod, expected):
    assert go_version_from_gomod(gomod) == expected


def test_init_writes_a_spec_that_validates_and_locks(tmp_path, cli, release_server):
    (tmp_path / "go.mod").write_text("module github.com/acme/Payments-API\n\ngo 1.22.1\n\ntoolchain go1.22.10\n")
    result = cli("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "envbuilder.yaml").read_text()
    assert 'version: "1.22.10"' in text
    assert 'name: "payments-api"' in text
    release_server.publish("1.22.10")
    spec = tmp_path / "envbuilder.yaml"
    spec.write_text(text.replace("download: https://go.dev/dl/",
                                f"download: {release_server.url}\n  index: {release_server.index}"))
    assert cli("lock", cwd=tmp_path).returncode == 0
    assert cli("render", cwd=tmp_path).returncode == 0


def test_init_never_overwrites_without_force(tmp_path, cli):
    (tmp_path / "envbuilder.yaml").write_text("mine\n")
    result = cli("init", str(tmp_path))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert (tmp_path / "envbuilder.yaml").read_text() == "mine\n"
    assert cli("init", str(tmp_path), "--force").returncode == 0


def test_init_without_go_mod_uses_a_default_and_the_directory_name(tmp_path, cli):
    project = tmp_path / "Inventory"
    project.mkdir()
    assert cli("init", str(project)).returncode == 0
    assert 'name: "inventory"' in (project / "envbuilder.yaml").read_text()


def test_init_refuses_a_go_older_than_supported(tmp_path, cli):
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.19\n")
    result = cli("init", str(tmp_path))
    assert result.returncode == 2 and "1.21+" in result.stderr


def test_init_blames_a_go_version_it_cannot_pin_on_go_mod_not_on_the_spec(tmp_path, cli):
    (tmp_path / "go.mod").write_text("module x\n\ngo 1.100\n")
    result = cli("init", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"envbuilder: {tmp_path / 'go.mod'}: go 1.100 is not a Go release envbuilder "
                                     "can pin (e.g. 1.22 or 1.22.10)")
    assert not (tmp_path / "envbuilder.yaml").exists()


def test_help_lists_the_pipeline(cli):
    out = cli("--help").stdout
    for command in ("init", "lock", "render", "schema"):
        assert command in out


def test_init_refuses_a_name_that_is_not_a_spec_name(tmp_path, cli):
    """--name lands unquoted in the starter YAML: a newline there would write spec keys of its own."""
    result = cli("init", str(tmp_path), "--name", "payments\ntools: [evil.example/x@v1.0.0]")
    assert result.returncode == 2 and "--name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "envbuilder.yaml").exists()


@pytest.mark.parametrize("gomod", ["module x\n\ngo 1.\u0662\u0662\n", "module x\n\ngo\n1.22.3\n",
                                   "module x\n\ngo 1.22\u000b\n"])
def test_go_mod_lines_are_read_in_ascii_only(gomod):
    """Unicode digits, a line break or a vertical tab are not a go directive."""
    assert go_version_from_gomod(gomod) is None
