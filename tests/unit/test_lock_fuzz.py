"""No lock file can add a Dockerfile instruction or crash `envbuilder render`.

hypothesis starts from a real lock (a small spec locked offline against a file:// release index) and mutates
its values, types and structure: hostile strings (newlines, quotes, $, shell and HCL syntax), valid-looking
values, wrong JSON types, dropped, added, renamed and nested keys. `envbuilder render` then either renders
files that parse (BuildKit's Dockerfile parser, JSON, HCL) to the instructions of the untouched lock, or
refuses in one line: exit 2 for a malformed lock, exit 1 for a stale one. Never a traceback.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envbuilder.lock import LOCK_NAME

from .lockkit import envbuilder, locked_project
from .renderkit import parse_dockerfile, parse_hcl, parse_jsonc

RENDERED = ("Dockerfile", ".devcontainer/devcontainer.json", "docker-bake.hcl")

HOSTILE = st.lists(
    st.sampled_from(list("abc/:.-_=@v1 \"'\\$`{}%#;&|()<>*?[]!~\n\r\t\x00") +
                    ["${x}", "%{x}", "\nRUN id", "\\\nRUN id", "linux/amd64", "sha256:", "go1.22.10", ") ;;"]),
    max_size=20,
).map("".join)
# Well-formed values of the lock's fields, so mutations also reach the staleness check and the renderer.
PLAUSIBLE = st.sampled_from([
    "auto", "local", "go1.23.4+auto", "1.22", "1.23", "1.22.9", "1.23.4", "v0.16.3", "dev", "ci", "linux/arm64",
    "debian:bookworm", "debian:bookworm-slim", "golang.org/x/tools/cmd/goimports", "go1.22.9.linux-amd64.tar.gz",
    "https://go.dev/dl/go1.22.10.linux-amd64.tar.gz", "go.tar.gz", "sha256:" + "0f" * 32, 0, 1, 1 << 40,
])
SCALARS = st.one_of(
    HOSTILE,
    PLAUSIBLE,
    st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    st.integers(min_value=-(1 << 70), max_value=1 << 70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(HOSTILE, inner, max_size=3)), max_leaves=6)
KEYS = st.one_of(HOSTILE, st.sampled_from(["url", "path", "extra", "linux/arm64", "linux/386", "linux/amd64\nRUN id",
                                           "lock_version", "go", "sha256", "image"]))


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The spec's text, its lock's JSON data and the Dockerfile instructions that lock renders to."""
    spec = locked_project(tmp_path_factory.mktemp("lockfuzz"))
    result = envbuilder("render", "-f", str(spec))
    assert result.code == 0, result
    instructions = [(c.cmd, c.flags) for c in parse_dockerfile((spec.parent / "Dockerfile").read_text())]
    return spec.read_text(), json.loads((spec.parent / LOCK_NAME).read_text()), instructions


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in the lock's JSON data, containers included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw, lock: dict) -> dict:
    data = copy.deepcopy(lock)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(data)))
        if not path:  # the top level: replace it, or add a key
            if draw(st.booleans()):
                data = draw(VALUES)
                continue
            if isinstance(data, dict):
                data[draw(KEYS)] = draw(VALUES)
            continue
        parent, key = at(data, path[:-1]), path[-1]
        value = parent[key]
        op = draw(st.sampled_from(["replace", "swap", "edit", "drop", "add", "rename", "nest", "duplicate"]))
        if op == "replace":
            parent[key] = draw(VALUES)
        elif op == "swap":  # a value from elsewhere in the lock: right form, wrong place
            parent[key] = copy.deepcopy(at(lock, draw(st.sampled_from(paths(lock)))))
        elif op == "edit" and isinstance(value, str):  # hostile text inside a real value
            i = draw(st.integers(0, len(value)))
            parent[key] = value[:i] + draw(HOSTILE) + value[i:]
        elif op == "drop":
            del parent[key]
        elif op == "add" and isinstance(value, dict):
            value[draw(KEYS)] = draw(VALUES)
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(KEYS)] = parent.pop(key)
        elif op == "nest":
            parent[key] = draw(st.sampled_from([[value], {"value": value}]))
        elif op == "duplicate" and isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
        if not isinstance(data, (dict, list)):
            break
    return data


def render_mutated(spec_text: str, lock_data: Any):
    """Render a project whose lock is LOCK_DATA; returns the CLI result and the rendered files (if any)."""
    root = Path(tempfile.mkdtemp(prefix="lockfuzz-"))
    try:
        spec = root / "envbuilder.yaml"
        spec.write_text(spec_text)
        (root / LOCK_NAME).write_text(json.dumps(lock_data, indent=2))
        result = envbuilder("render", "-f", str(spec))
        files = {name: (root / name).read_text() for name in RENDERED if (root / name).exists()}
        return result, files, spec.parent / LOCK_NAME
    finally:
        shutil.rmtree(root)


def assert_safe_outcome(original, lock_data) -> int:
    spec_text, _, instructions = original
    result, files, lock_path = render_mutated(spec_text, lock_data)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    if result.code == 0:
        assert set(files) == set(RENDERED)
        assert [(c.cmd, c.flags) for c in parse_dockerfile(files["Dockerfile"])] == instructions, \
            "a lock value changed the Dockerfile's instructions"
        parse_jsonc(files[".devcontainer/devcontainer.json"])
        parse_hcl(files["docker-bake.hcl"])
    else:
        assert result.code in (1, 2), result
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"envbuilder: {lock_path}: "), lines[0]
        if result.code == 1:
            assert ": stale: " in lines[0]
        assert files == {}, "a refused lock must not render anything"
    return result.code


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_lock_renders_the_same_instructions_or_is_refused_in_one_line(original, data):
    assert_safe_outcome(original, data.draw(mutated(original[1])))


def test_the_fuzzers_outcomes_cover_render_stale_and_refused(original):
    """Guard against a fuzzer that only ever sees one outcome: each branch of the oracle is reachable."""
    _, lock, _ = original
    other_sha = copy.deepcopy(lock)
    other_sha["go"]["archives"]["linux/amd64"]["sha256"] = "0f" * 32  # only the index knows: taken on trust
    assert assert_safe_outcome(original, other_sha) == 0
    other_tool = copy.deepcopy(lock)
    other_tool["tools"][0]["version"] = "v0.16.3"
    assert assert_safe_outcome(original, other_tool) == 1
    hostile = copy.deepcopy(lock)
    hostile["base"]["image"] += "\nRUN id"
    assert assert_safe_outcome(original, hostile) == 2
