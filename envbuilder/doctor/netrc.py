"""Which hosts a .netrc gives credentials for (the go command's reading of it: NETRC, else ~/.netrc).
Only machine names are kept: doctor never reads a password into anything it prints."""

from __future__ import annotations

from pathlib import PurePosixPath

from envbuilder.doctor.machine import Machine, home


def netrc_path(machine: Machine) -> str:
    return machine.env.get("NETRC") or str(PurePosixPath(home(machine)) / ".netrc")


def netrc_hosts(text: str | None) -> set[str]:
    """Machine names with a login or password; a `default` entry is reported as "*"."""
    hosts: set[str] = set()
    words = (text or "").split()
    current: str | None = None
    i = 0
    while i < len(words):
        word = words[i]
        if word == "machine" and i + 1 < len(words):
            current = words[i + 1]
            i += 2
            continue
        if word == "default":
            current = "*"
        elif word in ("login", "password") and current is not None:
            hosts.add(current)
            i += 2
            continue
        elif word == "macdef":
            current = None
        i += 1
    return hosts
