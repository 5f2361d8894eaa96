"""Load envbuilder.yaml into a Spec, turning every problem into one line: `FILE:LINE: FIELD: message`.

ruamel.yaml is used (not PyYAML) because its round-trip loader keeps each key's and item's line number,
which is what lets a pydantic error on `targets[2].platform` point at the line the user must fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envbuilder.errors import InputError
from envbuilder.fsutil import read_input
from envbuilder.spec.models import PATTERN_NAMES, Spec, SpecRuleError

MAX_SPEC_BYTES = 1 << 20  # a spec is a few KB; refuse megabytes of junk before parsing it


def format_loc(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _line_of(doc: Any, loc: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node on LOC that the YAML document knows."""
    node, line = doc, None
    for part in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
                if lc is not None:
                    line = lc.item(part)[0] + 1
                node = node[part]
            elif isinstance(part, str) and isinstance(node, dict) and part in node:
                if lc is not None:
                    line = lc.key(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    if line is None and getattr(doc, "lc", None) is not None:
        line = doc.lc.line + 1
    return line


def _pydantic_loc(error: dict[str, Any]) -> tuple[str | int, ...]:
    # pydantic puts union/tagged branches and validator names in loc (e.g. 'function-after[...]', 'str');
    # keep only what the user wrote: field names and list indexes.
    loc = tuple(p for p in error["loc"] if isinstance(p, int) or not any(c in p for c in "[]()-") and p != "str")
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SpecRuleError):
        loc = loc + cause.loc
    return loc


def _message(error: dict[str, Any]) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SpecRuleError):
        return cause.message
    msg: str = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown key (check the spelling; `envbuilder schema` lists the keys)"
    if error["type"] == "string_pattern_mismatch":
        value = error.get("input")
        pattern = error["ctx"]["pattern"]
        return f"{value!r} is not {PATTERN_NAMES.get(pattern, 'allowed here (must match ' + pattern + ')')}"
    if error["type"] == "missing":
        return "is required"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if "input" in error and error["type"] not in ("value_error",) and not isinstance(error["input"], (dict, list)):
        msg = f"{msg} (got {error['input']!r})"
    return msg


MAX_FLOW_DEPTH = 64


def _refuse_deep_nesting(text: str, path: Path) -> None:
    """A spec nests a few levels; thousands of `[[[[` only make the parser recurse for seconds and die."""
    depth = 0
    quote = ""
    for line_no, line in enumerate(text.splitlines(), 1):
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                depth += 1
                if depth > MAX_FLOW_DEPTH:
                    raise InputError(f"{path}:{line_no}: invalid YAML: nested deeper than {MAX_FLOW_DEPTH} levels")
            elif ch in "]}":
                depth = max(0, depth - 1)


# Values, counted as they are parsed and again with aliases expanded. A real spec has a few hundred; the pure
# Python parser spends ~0.1-0.3 ms on each, so this also keeps the worst 1 MB spec to seconds, not minutes.
MAX_YAML_NODES = 10_000


class _RefusedYAML(Exception):
    """A YAML feature the spec does not allow, at a 0-based LINE (the loader turns it into InputError)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _expanded_size(node: Any, resolver: Any, sizes: dict[int, int]) -> int:
    """How many values NODE stands for once every alias in it is expanded, computed once per node (an alias
    is the very node it names), so a few hundred bytes of nested aliases cannot make anything expand them.
    Refuses recursive aliases, merge keys (`<<`) and keys that are not plain text on the way."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    key = id(node)
    if key in sizes:
        if sizes[key] < 0:
            raise _RefusedYAML(node.start_mark.line, "an alias refers to its own anchor (recursive alias)")
        return sizes[key]
    sizes[key] = -1  # in progress
    total = 1
    if isinstance(node, SequenceNode):
        for item in node.value:
            total += _expanded_size(item, resolver, sizes)
    elif isinstance(node, MappingNode):
        for k, v in node.value:
            line = k.start_mark.line
            if k.tag == "tag:yaml.org,2002:merge":
                raise _RefusedYAML(line, "merge keys (<<) are not supported: write the keys out")
            if not isinstance(k, ScalarNode):
                raise _RefusedYAML(line, "a key must be plain text, not a list or mapping")
            if k.ctag.handle is not None or str(k.ctag) != str(resolver.resolve(ScalarNode, k.value, (True, False))):
                written = f"{k.ctag.handle}{k.ctag.suffix}" if k.ctag.handle else k.tag
                raise _RefusedYAML(line, f"tags on keys are not supported ({written} on {k.value!r})")
            total += _expanded_size(k, resolver, sizes) + _expanded_size(v, resolver, sizes)
            if total > MAX_YAML_NODES:
                break
    if total > MAX_YAML_NODES:
        raise _RefusedYAML(node.start_mark.line, f"more than {MAX_YAML_NODES} values once aliases are expanded")
    sizes[key] = total
    return total


def _counting_composer() -> type:
    from ruamel.yaml.composer import Composer

    class CountingComposer(Composer):
        """Stops parsing at the node budget instead of composing a megabyte of tiny values first."""

        composed = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.composed += 1
            if self.composed > MAX_YAML_NODES:
                raise _RefusedYAML(self.parser.peek_event().start_mark.line, f"more than {MAX_YAML_NODES} values")
            return super().compose_node(parent, index)

    return CountingComposer


def _checked_constructor() -> type:
    from ruamel.yaml.constructor import RoundTripConstructor

    class CheckedConstructor(RoundTripConstructor):
        """Checks the composed node graph before any Python object is built from it."""

        def construct_document(self, node: Any) -> Any:
            _expanded_size(node, self.resolver, {})
            return super().construct_document(node)

    return CheckedConstructor


def parse_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    raw = read_input(path, "no such file (run `envbuilder init` to write a starter spec)", limit=MAX_SPEC_BYTES,
                     what="spec")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise InputError(f"{path}: contains NUL bytes: not a YAML file")
    _refuse_deep_nesting(text, path)
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _counting_composer()
    yaml.Constructor = _checked_constructor()
    yaml.allow_duplicate_keys = False
    try:
        doc = yaml.load(text)
    except _RefusedYAML as exc:
        raise InputError(f"{path}:{exc.line + 1}: invalid YAML: {exc.message}") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}:" if mark is not None else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(f"{path}:{line} invalid YAML: {problem}") from None
    except YAMLError as exc:  # e.g. duplicate keys, bad anchors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid YAML"
        raise InputError(f"{path}: invalid YAML: {first}") from None
    except (RecursionError, ValueError) as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    if doc is None:
        raise InputError(f"{path}: empty spec: it needs at least `name:` and `go: {{version: ...}}`")
    if not isinstance(doc, dict):
        raise InputError(f"{path}:1: the spec must be a YAML mapping, not a {'list' if isinstance(doc, list) else 'scalar'}")
    return doc


def _plain(node: Any) -> Any:
    """ruamel's CommentedMap/Seq and scalar subclasses to plain Python, so pydantic sees ordinary types."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (str, int, bool, float)) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return str(node)  # dates and other YAML scalars become text; the models then reject or accept them


def validate(doc: Any, path: Path) -> Spec:
    try:
        return Spec.model_validate(_plain(doc), strict=False)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        loc = _pydantic_loc(first)
        line = _line_of(doc, loc)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        where = f"{path}:{line}" if line else str(path)
        raise InputError(f"{where}: {format_loc(loc)}: {_message(first)}{more}") from None


def load_spec(path: Path) -> Spec:
    return validate(parse_yaml(path), path)


def blame_field(error: InputError, path: Path) -> InputError:
    """An error found after loading (at lock time) that starts with a spec field, `go.version: ...`, as
    `FILE:LINE: go.version: ...`, like the loader's own errors; any other error as it is."""
    head, sep, _ = error.message.partition(": ")
    loc = tuple(head.split("."))
    if not sep or loc[0] not in Spec.model_fields or not all(part.isidentifier() for part in loc):
        return error
    try:
        line = _line_of(parse_yaml(path), loc)
    except InputError:
        return error
    return InputError(f"{path}:{line}: {error.message}" if line else f"{path}: {error.message}")
