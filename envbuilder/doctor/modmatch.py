"""Go's module path patterns (GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE).

`match_prefix_patterns` follows golang.org/x/mod/module.MatchPrefixPatterns: a comma list of globs; a glob
with N slashes is matched with path.Match against the first N+1 elements of the module path, so
"*.corp.example.com" matches "git.corp.example.com/team/repo". An invalid glob matches nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _path_match_regex(pattern: str) -> re.Pattern[str] | None:
    """path.Match's syntax as a regex: '*' and '?' stop at '/', [classes] with '^' negation, '\\' escapes."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            i += 1 if negate else 0
            ranges: list[str] = []
            while True:
                if i >= n:
                    return None
                if pattern[i] == "]" and ranges:
                    i += 1
                    break
                lo, i = _class_char(pattern, i)
                if lo is None:
                    return None
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = _class_char(pattern, i + 1)
                    if hi is None:
                        return None
                ranges.append(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}")
            out.append(("[^" if negate else "[") + "".join(ranges) + "]")
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))


def _class_char(pattern: str, i: int) -> tuple[str | None, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        return None, i
    if pattern[i] == "\\":
        return (pattern[i + 1], i + 2) if i + 1 < len(pattern) else (None, i)
    return pattern[i], i + 1


def path_match(pattern: str, name: str) -> bool:
    regex = _path_match_regex(pattern)
    return regex is not None and regex.fullmatch(name) is not None


def matching_glob(globs: str, target: str) -> str | None:
    """The first glob of the comma list GLOBS that matches module path TARGET, or None."""
    for glob in globs.split(","):
        glob = glob.removesuffix("/")
        if not glob:
            continue
        n = glob.count("/")
        prefix = "/".join(target.split("/")[: n + 1])
        if target.count("/") < n:
            continue  # not enough path elements
        if path_match(glob, prefix):
            return glob
    return None


def match_prefix_patterns(globs: str, target: str) -> bool:
    return matching_glob(globs, target) is not None
