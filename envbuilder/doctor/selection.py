"""Which Go toolchain the go command will really run in a directory (go.dev/doc/toolchain, "Go toolchain
selection"), decided before the go command downloads anything.

GOTOOLCHAIN is `local`, `auto`, `path`, `<name>`, `<name>+auto` or `<name>+path`. The minimum starts as the
local Go (or <name>); with +auto/+path (and plain auto/path) a go.mod/go.work `toolchain` line newer than the
minimum wins, then a `go` line newer still wins (a language version such as 1.23 means go1.23.0). `auto`
downloads the chosen toolchain, `path` only looks for it on PATH.
"""

from __future__ import annotations

from dataclasses import dataclass

from envbuilder.doctor import gover


@dataclass(frozen=True)
class Selection:
    toolchain: str  # the Go that runs, e.g. "go1.24.11"; "" when GOTOOLCHAIN is invalid
    local: bool  # the go on PATH runs its own bundled toolchain
    mode: str  # "", "auto" or "path": how another toolchain would be found
    reason: str  # why this toolchain, in words
    error: str = ""  # what the go command would refuse with, if anything

    @property
    def version(self) -> str:
        return gover.from_toolchain(self.toolchain)


def select(gotoolchain: str, local_version: str, go_line: str = "", toolchain_line: str = "",
           file: str = "go.mod") -> Selection:
    """LOCAL_VERSION is the running go's own version ("1.22.10"); GO_LINE and TOOLCHAIN_LINE come from FILE."""
    local = f"go{local_version}"
    if gover.compare(local_version, "1.21") < 0:
        return Selection(local, True, "", f"go{local_version} predates toolchain switching (Go 1.21)")
    if not gotoolchain:
        return Selection(local, True, "", "GOTOOLCHAIN is empty: the local toolchain runs")
    min_toolchain, min_version = local, local_version
    if gotoolchain in ("auto", "path"):
        mode = gotoolchain
    else:
        name, plus, suffix = gotoolchain.partition("+")
        if name != "local":
            v = gover.from_toolchain(name)
            if not v:
                return Selection("", False, "", "", f"invalid GOTOOLCHAIN {gotoolchain!r}")
            min_toolchain, min_version = name, v
        if plus and suffix not in ("auto", "path"):
            return Selection("", False, "", "",
                             f"invalid GOTOOLCHAIN {gotoolchain!r}: only version suffixes are +auto and +path")
        mode = suffix
    chosen = min_toolchain
    reason = f"GOTOOLCHAIN={gotoolchain}"
    if mode in ("auto", "path") and toolchain_line != "default":
        if toolchain_line:
            tv = gover.from_toolchain(toolchain_line)
            if not tv:
                return Selection("", False, mode, "", f"invalid toolchain {toolchain_line!r} in {file}")
            if gover.compare(tv, min_version) > 0:
                chosen, min_version = toolchain_line, tv
                reason = f"{file} says `toolchain {toolchain_line}` and GOTOOLCHAIN={gotoolchain}"
        if go_line and gover.compare(go_line, min_version) > 0:
            chosen, min_version = f"go{go_line}", go_line
            if gover.is_lang(go_line) and gover.compare(go_line, "1.21") >= 0:
                chosen += ".0"
            reason = f"{file} says `go {go_line}` and GOTOOLCHAIN={gotoolchain}"
    runs_local = chosen in ("local", local)
    if runs_local:
        chosen = local
    error = ""
    running = gover.from_toolchain(chosen)
    if go_line and running and gover.compare(go_line, running) > 0:
        error = f"{file} requires go >= {go_line} (running go {running}; GOTOOLCHAIN={gotoolchain})"
    return Selection(chosen, runs_local, mode, reason, error)
