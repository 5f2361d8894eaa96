"""Plain dataclasses that read and write like pydantic models: the check reports and inspect's facts.

Importing pydantic and building its models costs more than inspecting a binary, so these records are stdlib
dataclasses. `Record` gives them pydantic's model API (model_dump, model_validate, model_json_schema, ...)
through a TypeAdapter built on first use: pydantic stays the one source of their schema and validation, and
is imported only where those are asked for. `dump_json` writes, without pydantic, the bytes pydantic's
`model_dump_json` writes (tests/unit/test_record.py holds the two side by side).
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime
from functools import cache
from json.encoder import encode_basestring
from typing import Any


class Record:
    """Mixin for a dataclass: pydantic's model API, served by a TypeAdapter of the class."""

    def model_dump(self, *, mode: str = "python", exclude: Any = None) -> dict[str, Any]:
        return adapter(type(self)).dump_python(self, mode=mode, exclude=exclude)

    def model_dump_json(self, *, indent: int | None = None) -> str:
        return adapter(type(self)).dump_json(self, indent=indent).decode()

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        return adapter(cls).validate_python(data)

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        return adapter(cls).json_schema()

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Any:
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


@cache
def adapter(cls: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


class NotPlain(TypeError):
    """A value dump_json does not write itself (a pydantic model inside a record): pydantic must."""


def dump_json(value: Any, indent: int | None = 2, *, python_floats: bool = False) -> str:
    """VALUE (records, lists, tuples, dicts, str, int, float, bool, None, datetime) as pydantic's
    dump_json(indent=INDENT) writes it; with PYTHON_FLOATS, floats as json.dumps writes them (1e-05, not
    0.00001). Raises NotPlain for anything else."""
    out: list[str] = []
    _write(value, out, "\n" if indent else "", " " * (indent or 0), ": " if indent else ":",
           float.__repr__ if python_floats else _float)
    return "".join(out)


def _write(value: Any, out: list[str], newline: str, step: str, colon: str, number: Any) -> None:
    # One call per value, written into OUT: a report of 300 binaries is ~30000 values.
    if isinstance(value, str):
        out.append(encode_basestring(value))  # json.dumps(ensure_ascii=False)'s escapes, as pydantic's
    elif value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(number(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + step if newline else ""
        separator = "," + inner
        out.append("[" + inner)
        for i, item in enumerate(value):
            if i:
                out.append(separator)
            _write(item, out, inner, step, colon, number)
        out.append(newline + "]")
    elif isinstance(value, Record) or isinstance(value, dict):
        items = (value.items() if isinstance(value, dict)
                 else ((name, getattr(value, name)) for name in _field_names(type(value))))
        inner = newline + step if newline else ""
        separator = "," + inner
        first = True
        for key, item in items:
            out.append("{" + inner if first else separator)
            first = False
            out.append(encode_basestring(str(key)) + colon)
            _write(item, out, inner, step, colon, number)
        out.append("{}" if first else newline + "}")
    elif isinstance(value, datetime):
        out.append(f'"{_datetime(value)}"')
    else:
        raise NotPlain(type(value).__name__)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    if not dataclasses.is_dataclass(cls):
        raise NotPlain(cls.__name__)
    return tuple(f.name for f in dataclasses.fields(cls))


def _float(value: float) -> str:
    # pydantic writes Python's repr except for small numbers: 1e-05 as 0.00001, 1e-07 as 1e-7.
    if not math.isfinite(value):
        return "null"
    text = repr(value)
    mantissa, _, exponent = text.partition("e-")
    if not exponent:
        return text
    if exponent == "05":
        negative = mantissa.startswith("-")
        digits = mantissa.lstrip("-").replace(".", "")
        return f"{'-' if negative else ''}0.0000{digits}"
    return f"{mantissa}e-{int(exponent)}"


def _datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
