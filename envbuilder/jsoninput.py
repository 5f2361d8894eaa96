"""JSON that envbuilder does not write (release indexes, goreleaser's artifacts.json): parsed only within
bounds on values, nesting and numbers, so a hostile file or server costs milliseconds and megabytes, not a
traceback. Sizes are bounded by the caller's reader before the bytes get here."""

from __future__ import annotations

import json
from typing import Any

from envbuilder.errors import InputError

MAX_DEPTH = 32  # the deepest real input (a release index) nests 4 levels
MAX_VALUES = 500_000  # go.dev's full index holds ~60k values; each parsed one costs ~50-100 bytes
MAX_INT_DIGITS = 18  # every number envbuilder reads fits in 63 bits


class _BadNumber(ValueError):
    pass


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(f"number {text[:12]}... has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber(f"number {text[:12]}{'...' if len(text) > 12 else ''} is out of range")
    return value


def _constant(text: str) -> float:
    raise _BadNumber(f"{text} is not a JSON number")


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def refuse_too_many_values(raw: bytes, source: str, what: str, max_values: int = MAX_VALUES) -> None:
    """InputError when the JSON text RAW may hold more than MAX_VALUES values. Every value but the first follows
    a comma or opens an object/array: a count that is fast (C) and only ever overestimates, taken before
    any parser allocates a thing."""
    if raw.count(b",") + raw.count(b"[") + raw.count(b"{") > max_values:
        raise InputError(f"{source}: not a {what}: more than {max_values} values")


def parse_json(raw: bytes, source: str, what: str) -> Any:
    """RAW parsed as JSON; InputError `SOURCE: not a WHAT: ...` for anything malformed or out of bounds."""
    refuse_too_many_values(raw, source, what)
    try:
        data = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise InputError(f"{source}: not a {what}: nested deeper than {MAX_DEPTH} levels") from None
    except _BadNumber as exc:
        raise InputError(f"{source}: not a {what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: not JSON ({exc.msg}): not a {what}") from None
    except ValueError:  # UnicodeDecodeError and friends
        raise InputError(f"{source}: not a {what} (not UTF-8 JSON text)") from None
    if _depth_exceeds(data, MAX_DEPTH):
        raise InputError(f"{source}: not a {what}: nested deeper than {MAX_DEPTH} levels")
    return data


def first_error(exc: Any, prefix: str = "") -> str:
    """`loc: message` of a pydantic ValidationError's first error, on one line (locations as [i].field, after
    PREFIX, e.g. the index of the item validated)."""
    err = exc.errors(include_url=False)[0]
    loc = prefix
    for part in err["loc"]:
        loc += f"[{part}]" if isinstance(part, int) else ("." if loc else "") + str(part)
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    msg = str(err["msg"]).removeprefix("Value error, ").replace("\n", " ")
    return f"{loc or '(top level)'}: {msg}{more}"
