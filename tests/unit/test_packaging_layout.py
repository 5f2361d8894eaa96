"""The installed package carries every module and the top-level templates/.

pyproject.toml lists the packages by hand (mapping templates/ into `envbuilder.templates` rules out automatic
discovery), so a new subpackage that is not listed would be missing from `pip install` without this test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_envbuilder_package_is_listed_in_pyproject() -> None:
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "envbuilder").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert on_disk - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"


def test_templates_install_as_package_data_of_envbuilder_templates() -> None:
    setuptools = _setuptools()
    assert setuptools["package-dir"]["envbuilder.templates"] == "templates"
    assert "envbuilder.templates" in setuptools["packages"]
    assert (ROOT / "templates" / "Dockerfile.j2").is_file()
    assert not (ROOT / "envbuilder" / "templates").exists(), "templates live in the top-level templates/ only"
