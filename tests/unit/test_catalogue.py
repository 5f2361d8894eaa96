"""The check catalogue: one entry per check, the README's table is the registry's, and --only/--skip name
only checks that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from envbuilder import checks
from envbuilder.checks import CATALOGUE, Catalogue, implements, markdown_table
from envbuilder.errors import InputError
from envbuilder.verify.suite import TARGET_CHECK_PREFIXES, Selection

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("tool, heading", [("verify", "## Verify: the check catalogue"),
                                           ("doctor", "## Doctor: why this machine is not the locked environment")])
def test_the_readme_catalogue_tables_are_the_registry(tool, heading):
    text = README.read_text()
    start = text.index("| id | scope | run by | proves |", text.index(heading))
    table = text[start:text.index("\n\n", start)]
    assert table == markdown_table(tool), f"README.md's {tool} table differs from envbuilder/checks.py: paste " \
        f"`python -c 'from envbuilder.checks import markdown_table as m; print(m(\"{tool}\"))'`"


def test_every_check_is_bound_to_the_function_that_produces_it():
    checks.load_implementations()
    assert [c.id for c in CATALOGUE if c.function is None] == []
    assert checks.TOOLCHAIN_VERSION.function.__name__ == "toolchain_checks"
    assert checks.BINARY_PLATFORM.function is checks.BINARY_MACHINE.function  # one evaluator of binaries


def test_ids_are_dotted_unique_and_scoped():
    registry = Catalogue()
    registry.register("host.go", "host", "a Go is installed", ("doctor",))
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("host.go", "host", "again", ("doctor",))
    with pytest.raises(ValueError, match="not a dotted"):
        registry.register("Host", "host", "no group")
    with pytest.raises(ValueError, match="scope"):
        registry.register("host.disk", "galaxy", "wrong scope")  # type: ignore[arg-type]
    assert [c.id for c in registry.of("doctor")] == ["host.go"] and registry.groups("verify") == []


def test_a_function_implements_its_checks_once():
    registry = Catalogue()
    check = registry.register("host.go", "host", "a Go is installed", ("doctor",))

    @implements(check)
    def go_installed() -> None: ...

    with pytest.raises(ValueError, match="already implemented"):
        implements(check)(lambda: None)
    assert check.function is go_installed


def test_results_are_made_through_their_entry():
    r = checks.MODULES["GOSUMDB"].warn("off by request", "off", "off")
    assert (r.id, r.target, r.status, r.expected) == ("modules.gosumdb", "environment", "warn", "off")
    assert checks.BINARY_READ.outcome(True, "x", "y", "never shown", target="a.out").message == ""
    assert checks.EXEC_RUN.error("boom" * 200, target="linux-amd64").message == ("boom" * 200)[:500]


def test_target_checks_are_the_target_and_binary_scoped_groups():
    assert set(TARGET_CHECK_PREFIXES) == {"cgo", "build", "binary", "exec", "repro"}


@pytest.mark.parametrize(("only", "skip", "unknown"), [
    (["binarie"], [], "--only: 'binarie'"),
    (["bin"], [], "--only: 'bin'"),  # prefixes are whole id segments
    ([], ["toolchain.gover"], "--skip: 'toolchain.gover'"),
    (["binary.platform"], [], "--only: 'binary.platform'"),  # an inspect check: verify never runs it
])
def test_a_selection_naming_no_verify_check_is_bad_input(only, skip, unknown):
    with pytest.raises(InputError, match=re.escape(unknown)):
        Selection.parse(only, skip)


def test_known_ids_and_prefixes_select():
    assert Selection.parse(["binary", "toolchain.version"], ["modules.goflags"])("binary.machine")


def test_verify_with_an_unknown_only_exits_2_with_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "envbuilder", "verify", "--host", "--only", "toolchain,nosuch"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "envbuilder: --only: 'nosuch' is not a verify check id or id prefix (groups: image, toolchain, modules, "
        "workspace, hygiene, cgo, build, exec, repro, binary)"]


def test_verify_help_lists_the_check_groups_from_the_registry():
    done = subprocess.run([sys.executable, "-m", "envbuilder", "verify", "--help"], capture_output=True, text=True,
                          timeout=60)
    text = " ".join(done.stdout.split())  # help is wrapped
    only = text[text.index("--only"):text.index("--skip")]
    assert f"groups: {', '.join(CATALOGUE.groups('verify'))})" in only
