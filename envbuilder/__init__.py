"""envbuilder: one spec to a reproducible, verified Go build environment."""

__version__ = "0.1.0"
