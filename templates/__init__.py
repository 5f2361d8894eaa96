"""Jinja templates and the Go probe, shipped as package data of `envbuilder.templates` (see pyproject.toml)."""
