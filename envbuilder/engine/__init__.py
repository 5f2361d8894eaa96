"""Talking to Docker: picking a BuildKit-capable CLI, building, and docker-py for everything at run time."""
