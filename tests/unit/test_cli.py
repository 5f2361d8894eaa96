"""The command line: usage errors are one line `envbuilder: <command>: <option>: ...` and exit 2 for every
command, options are checked before any engine is asked, the version comes from the package metadata, and
cli.py only declares (each command's body is `run` in envbuilder/commands/<command>.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from envbuilder import DISTRIBUTION
from envbuilder.identity import BUILD_TARGETS, STAGES

REPO = Path(__file__).resolve().parents[2]


def one_line(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("args,expected", [
    (["lock", "--frob"], "envbuilder: lock: --frob: no such option"),
    (["render", "--chek"], "envbuilder: render: --chek: no such option (did you mean --check"),
    (["build", "--frob"], "envbuilder: build: --frob: no such option"),
    (["verify", "--frob"], "envbuilder: verify: --frob: no such option"),
    (["inspect", "--frob"], "envbuilder: inspect: --frob: no such option"),
    (["init", "--frob"], "envbuilder: init: --frob: no such option"),
    (["schema", "--frob"], "envbuilder: schema: --frob: no such option"),
    (["verify", "a", "b"], "envbuilder: verify: got unexpected extra argument(s) (b)"),
    (["nosuch"], "envbuilder: no such command 'nosuch'"),
    (["build", "--target", "prod"], "envbuilder: build: --target: 'prod' is not one of 'base', 'dev', 'ci'"),
    (["verify", "--stage", "prod"], "envbuilder: verify: --stage: 'prod' is not one of 'base', 'dev', 'ci'"),
    (["render", "--ci", "jenkins"], "envbuilder: render: --ci: 'jenkins' is not a CI system (choose from github, gitlab)"),
    (["verify", "--jobs", "0"], "envbuilder: verify: --jobs: input should be greater than or equal to 1"),
    (["inspect", "--jobs", "0", "."], "envbuilder: inspect: --jobs: input should be greater than or equal to 1"),
    (["verify", "--jobs", "many"], "envbuilder: verify: --jobs: input should be a valid integer"),
    (["build", "--pip-conf", "/nonexistent/pip.conf"], "envbuilder: build: --pip-conf: /nonexistent/pip.conf: no such file"),
    (["build", "--netrc", "/nonexistent/netrc"], "envbuilder: build: --netrc: /nonexistent/netrc: no such file"),
    (["inspect", "--goreleaser", "/nonexistent/a.json"], "envbuilder: inspect: --goreleaser: /nonexistent/a.json: no such file"),
    (["verify", "--devcontainer", "/nonexistent"], "envbuilder: verify: --devcontainer: /nonexistent: no such directory"),
    (["build", "--platform", "linux/amd65"], "envbuilder: build: --platform: 'linux/amd65': linux/amd65 is not a Go platform"),
    (["build", "--platform", "linux/arm/v9"], "envbuilder: build: --platform: 'linux/arm/v9': arm has no variant 'v9'"),
])
def test_a_usage_error_is_one_line_naming_command_and_option_exit_2(cli, tmp_path, args, expected):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done).startswith(expected)


@pytest.mark.parametrize("command,option", [("build", "--tag"), ("lock", "--index"), ("verify", "--stage"),
                                            ("render", "--ci"), ("inspect", "--expect")])
def test_an_option_without_its_value_is_one_line_exit_2(cli, tmp_path, command, option):
    done = cli(command, option, cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done) == f"envbuilder: {command}: {option}: option requires an argument"


def test_python_dash_m_envbuilder_inspect_has_the_same_one_line_errors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "envbuilder.inspect", "--frob"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert one_line(done).startswith("envbuilder: inspect: --frob: no such option")


def test_help_is_still_clicks_help(cli):
    done = cli("build", "--help")
    assert done.returncode == 0 and done.stdout.startswith("Usage: envbuilder build [OPTIONS]")
    assert "--target" in done.stdout and "base|dev|ci" in done.stdout


def test_a_bare_envbuilder_shows_the_help(cli):
    done = cli()
    assert done.returncode == 2 and "Commands:" in done.stderr + done.stdout


def test_build_options_are_checked_before_any_engine(cli, tmp_path):
    # DOCKER_HOST points nowhere: an option error must still be exit 2 (bad input), not 3 (no engine).
    env = {"DOCKER_HOST": "tcp://127.0.0.1:9", "ENVBUILDER_NO_ENGINE": ""}
    for args in (["build", "--platform", "linux/amd64/v7"], ["build", "--pip-conf", str(tmp_path / "no.conf")]):
        done = cli(*args, cwd=tmp_path, env=env)
        assert done.returncode == 2, done.stderr


def test_the_version_is_the_installed_distributions():
    assert DISTRIBUTION == "envbuilder-go"
    done = subprocess.run([sys.executable, "-m", "envbuilder", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == f"envbuilder {version(DISTRIBUTION)}"


def test_pyproject_names_the_distribution_and_holds_the_one_version():
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION and project["version"] == version(DISTRIBUTION)
    # envbuilder.__main__:run, not cli:main: a Ctrl-C while the CLI still imports is one line too
    assert project["scripts"] == {"envbuilder": "envbuilder.__main__:run"}
    assert "__version__ =" not in (REPO / "envbuilder" / "__init__.py").read_text()


@pytest.mark.parametrize("command,option,choices", [("build", "--target", BUILD_TARGETS), ("verify", "--stage", STAGES)])
def test_the_stage_choices_come_from_the_one_definition_of_stages(cli, command, option, choices):
    assert STAGES == ("base", "dev", "ci")
    assert BUILD_TARGETS == (*STAGES, "verify-runner")  # build also builds the verify runner; verify never expects it
    assert f"{option} <{'|'.join(choices)}>" in cli(command, "--help").stdout


def test_cli_py_only_declares_each_command_body_is_a_commands_module():
    tree = ast.parse((REPO / "envbuilder" / "cli.py").read_text())
    commands = [f for f in tree.body if isinstance(f, ast.FunctionDef)
                and any("command" in ast.unparse(d) for d in f.decorator_list)]
    assert {f.name for f in commands} == {"init", "lock", "render", "build", "verify", "schema", "inspect",
                                             "doctor", "snapshot", "diff"}
    for function in commands:
        imports = [n for n in ast.walk(function) if isinstance(n, ast.ImportFrom)]
        assert [i.module for i in imports] == ["envbuilder.commands"], function.name
        assert len(function.body) <= 5, f"{function.name}: the body belongs in envbuilder/commands/"
    for name in ("init", "lock", "render", "build", "verify", "schema", "inspect", "doctor", "snapshot", "diff"):
        assert (REPO / "envbuilder" / "commands" / f"{name}.py").is_file()


def test_ctrl_c_in_a_command_is_one_line_exit_130(monkeypatch, capsys):
    from envbuilder import cli
    from envbuilder.commands import schema

    def interrupted() -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(schema, "run", interrupted)
    with pytest.raises(SystemExit) as exited:
        cli.main(["schema"])
    assert exited.value.code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == "envbuilder: interrupted"


def test_a_commands_exit_code_is_the_process_exit_code(monkeypatch):
    from envbuilder import cli
    from envbuilder.commands import schema

    monkeypatch.setattr(schema, "run", lambda: 1)
    with pytest.raises(SystemExit) as exited:
        cli.main(["schema"])
    assert exited.value.code == 1
