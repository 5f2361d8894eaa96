"""envbuilder: one spec to a reproducible, verified Go build environment."""

from importlib.metadata import version as _installed_version

# The name on the package index (`pip install envbuilder-go`): "envbuilder" there belongs to another project.
# The command and the import name stay `envbuilder`.
DISTRIBUTION = "envbuilder-go"

# pyproject.toml holds the one version; the installed metadata (also of an editable install) carries it.
__version__ = _installed_version(DISTRIBUTION)
