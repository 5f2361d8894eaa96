"""envbuilder: one spec to a reproducible, verified Go build environment."""

from __future__ import annotations

# The name on the package index (`pip install envbuilder-go`): "envbuilder" there belongs to another project.
# The command and the import name stay `envbuilder`.
DISTRIBUTION = "envbuilder-go"


def __getattr__(name: str) -> str:
    # pyproject.toml holds the one version; the installed metadata (also an editable install's) carries it.
    # Looked up on first use: importlib.metadata is not free and `envbuilder --help` must start fast.
    if name == "__version__":
        from importlib.metadata import version

        return version(DISTRIBUTION)
    raise AttributeError(f"module 'envbuilder' has no attribute {name!r}")
