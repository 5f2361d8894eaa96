"""No spec value can add a Dockerfile instruction or break out of a JSON/HCL string.

For each field that reaches a rendered file, hypothesis feeds hostile text (quotes, $, backslashes,
newlines, HCL ${...}, shell metacharacters) and values drawn from the field's own valid pattern. Each value
is either rejected by the spec, or renders to files that parse (with BuildKit's own Dockerfile parser, a JSON
parser and an HCL parser) to exactly the instructions of a benign spec, with the value intact.
"""

from __future__ import annotations

import copy
import functools
import re
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from envbuilder.identity import image_tag
from envbuilder.render import render_all
from envbuilder.spec import models
from envbuilder.spec.models import Spec

from .renderkit import env_instructions, offline_lock, parse_dockerfile, parse_hcl, parse_jsonc

BASE = {
    "name": "payments",
    "go": {"version": "1.22", "download": "http://127.0.0.1:8080/dl/"},
    "modules": {"proxy": ["https://proxy.golang.org", "direct"], "private": ["git.corp.example/*"],
                "flags": ["-mod=readonly"]},
    "base": {"image": "debian:bookworm-slim", "packages": ["make"]},
    "targets": ["linux/amd64"],
    "tools": ["golang.org/x/tools/gopls@v0.16.2"],
    "devcontainer": {"on_create": "make tools", "post_create": "go mod download", "post_start": "go env",
                     "run_args": ["--init"], "build_options": ["--network=host"]},
}

HOSTILE = st.lists(
    st.sampled_from(list("abc/:.-_=@v1 \"'\\$`{}%#;&|()<>*?[]!~\n\r\t\x00") + ["${x}", "%{x}", "\nRUN id"]),
    max_size=30,
).map("".join)


def hostile_or_valid(pattern: str):
    valid = st.from_regex(pattern, fullmatch=True).filter(lambda s: len(s) < 200)
    return st.one_of(valid, HOSTILE, st.tuples(valid, HOSTILE).map("".join))


def place(path: tuple, value: str) -> dict:
    spec = copy.deepcopy(BASE)
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return spec


def render(spec_dict: dict):
    try:
        spec = Spec.model_validate(spec_dict)
    except ValidationError:
        return None  # rejected: the first wall held
    lock = offline_lock(spec)
    return spec, lock, {f.path: f.text for f in render_all(spec, lock)}


@functools.cache
def benign_cmds(pinned: bool, snapshot: bool) -> list[tuple]:
    """The instruction list of BASE with the optional parts a spec may add by design: a package pin adds
    the pin check's RUN, `base.snapshot` the apt sources' RUN. A spec value may add those, nothing else."""
    spec = copy.deepcopy(BASE)
    if pinned:
        spec["base"]["packages"] = ["make=4.3-4.1"]
    if snapshot:
        spec["base"]["snapshot"] = "http://snapshot.debian.org/archive/debian/20250520T000000Z"
    return [(c.cmd, c.flags) for c in parse_dockerfile(render(spec)[2]["Dockerfile"])]


def assert_structure_intact(spec: Spec, lock, files: dict[str, str]) -> None:
    cmds = parse_dockerfile(files["Dockerfile"])
    expected = benign_cmds(any("=" in p for p in spec.base.packages), spec.base.snapshot is not None)
    assert [(c.cmd, c.flags) for c in cmds] == expected, "a spec value changed the instruction list"
    env = env_instructions(files["Dockerfile"])
    for key, value in spec.modules.env().items():
        assert env[key] == value
    dc = parse_jsonc(files[".devcontainer/devcontainer.json"])
    assert dc["containerEnv"] == {**spec.modules.env(), "GOTOOLCHAIN": spec.go.toolchain}
    assert dc["onCreateCommand"] == ["/usr/local/bin/envbuilder-devcontainer-ready", spec.devcontainer.on_create]
    assert dc["postCreateCommand"] == spec.devcontainer.post_create
    assert dc["postStartCommand"] == spec.devcontainer.post_start
    assert dc["build"]["options"] == spec.devcontainer.build_options
    assert dc["runArgs"] == spec.devcontainer.run_args
    assert dc["name"] == spec.name
    bake = parse_hcl(files["docker-bake.hcl"])
    tags = {name: body["tags"] for t in bake["target"] for name, body in t.items() if "tags" in body}
    assert tags["dev"] == [image_tag(spec, lock, "dev")]


def run_words(files: dict[str, str], needle: str) -> list[str]:
    """Shell words of the RUN instruction whose text contains NEEDLE (what /bin/sh will see)."""
    run = next(c for c in parse_dockerfile(files["Dockerfile"]) if c.cmd == "RUN" and needle in c.value[0])
    return shlex.split(run.value[0])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELDS = {
    ("modules", "sumdb"): r"^[a-z.]+$",
    ("go", "download"): models.URL_SAFE,
    ("devcontainer", "post_create"): models.ONE_LINE,
    ("devcontainer", "on_create"): models.ONE_LINE,
    ("devcontainer", "post_start"): models.ONE_LINE,
    ("name",): models.NAME,
    ("base", "image"): models.IMAGE_REF,
    ("base", "snapshot"): models.APT_SNAPSHOT_URL,
}
LIST_FIELDS = {
    ("modules", "proxy"): models.URL_SAFE,
    ("modules", "private"): models.MODULE_GLOB,
    ("modules", "flags"): models.GOFLAG,
    ("base", "packages"): models.DEB_PACKAGE,
    ("tools",): models.TOOL,
    ("devcontainer", "run_args"): models.ONE_LINE,
    ("devcontainer", "build_options"): models.DOCKER_ARG,
}


def _fuzz_field(path: tuple, is_list: bool, value: str) -> None:
    result = render(place(path, [value] if is_list else value))
    if result is None:
        return
    spec, lock, files = result
    assert_structure_intact(spec, lock, files)
    if path == ("base", "packages"):
        assert value in run_words(files, "/var/log/apt")
    if path == ("base", "snapshot"):
        assert value in run_words(files, "Check-Valid-Until")
    if path == ("tools",):
        assert value in run_words(files, "go install")
    if path == ("go", "download"):
        archive = lock.go.archives["linux/amd64"]
        assert f"url={archive.url};" in run_words(files, "sha256sum")
    if path == ("base", "image"):
        assert [c.value[0] for c in parse_dockerfile(files["Dockerfile"]) if c.cmd == "FROM"][:2] == [value] * 2


def _make_test(path: tuple, pattern: str, is_list: bool):
    @FUZZ
    @given(value=hostile_or_valid(pattern))
    def test(value: str) -> None:
        _fuzz_field(path, is_list, value)

    test.__name__ = f"test_fuzzed_{'_'.join(path)}_cannot_inject"
    return test


for _path, _pattern in FIELDS.items():
    globals()[f"test_fuzzed_{'_'.join(_path)}_cannot_inject"] = _make_test(_path, _pattern, False)
for _path, _pattern in LIST_FIELDS.items():
    globals()[f"test_fuzzed_{'_'.join(_path)}_cannot_inject"] = _make_test(_path, _pattern, True)


def test_tricky_but_valid_values_render_verbatim():
    """Values the patterns allow that are special to a shell, JSON or HCL still come out exactly."""
    spec_dict = place(("modules", "proxy"), ["https://proxy.example/a;b&c(d)*e+f,g=h%20", "direct"])
    spec_dict["devcontainer"]["post_create"] = 'echo "${HOME}" \'%{x}\' && go mod download # done'
    spec, lock, files = render(spec_dict)
    assert_structure_intact(spec, lock, files)
    assert env_instructions(files["Dockerfile"])["GOPROXY"] == "https://proxy.example/a;b&c(d)*e+f,g=h%20,direct"


VALID_EXAMPLES = {
    ("modules", "sumdb"): "sum.golang.org",
    ("go", "download"): "https://golang.google.cn/dl/",
    ("devcontainer", "post_create"): "go mod download && make tools",
    ("name",): "billing-api",
    ("base", "image"): "debian:bookworm",
    ("base", "snapshot"): "https://snapshot.debian.org/archive/debian/20250520T000000Z",
    ("modules", "proxy"): "https://goproxy.cn",
    ("modules", "private"): "*.corp.example",
    ("modules", "flags"): "-buildvcs=false",
    ("base", "packages"): "libsqlite3-dev=3.40.1-2",
    ("tools",): "honnef.co/go/tools/cmd/staticcheck@v0.5.1",
    ("devcontainer", "run_args"): "--add-host=db:127.0.0.1",
    ("devcontainer", "on_create"): "go install ./cmd/... && make generate",
    ("devcontainer", "post_start"): "go env -w GOFLAGS=-mod=mod",
    ("devcontainer", "build_options"): "--add-host=proxy.corp.example:10.0.0.1",
}


@pytest.mark.parametrize("path", sorted(VALID_EXAMPLES))
def test_the_fuzzers_valid_branch_reaches_the_renderer(path):
    """Guard against a fuzz test that only ever sees rejections: the pattern the fuzzer draws valid values
    from admits real-world values, and those render."""
    value = VALID_EXAMPLES[path]
    pattern = {**FIELDS, **LIST_FIELDS}[path]
    assert re.fullmatch(pattern.strip("^$"), value)
    assert render(place(path, [value] if path in LIST_FIELDS else value)) is not None
    _fuzz_field(path, path in LIST_FIELDS, value)
