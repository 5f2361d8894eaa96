"""A project on disk: the spec and, beside it, its lock."""

from __future__ import annotations

from pathlib import Path


def load_spec(spec_path: Path):
    from envbuilder.spec import load_spec as _load

    return _load(spec_path)


def load_locked(spec_path: Path):
    """Spec and its lock; a stale lock is an error (render/build/verify must not use an old pin)."""
    from envbuilder.lock import LOCK_NAME, check_fresh, read_lock

    spec = load_spec(spec_path)
    lock_path = spec_path.parent / LOCK_NAME
    lock = read_lock(lock_path)
    check_fresh(spec, lock, lock_path)
    return spec, lock


def locked_go(lock, go: str | None) -> str:
    """The locked Go version --go names (None: the primary); an unknown one is bad input, blamed on --go."""
    from envbuilder.errors import InputError

    try:
        return lock.go_for(go).version
    except InputError as e:
        raise InputError(f"--go: {e.message}") from None
