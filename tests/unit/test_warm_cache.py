"""ci.warm_cache: the ci stage compiles Go's standard library for every target into the image's GOCACHE, with
the env and flags verify's probe builds and the generated CI jobs use, so their cache keys match."""

from __future__ import annotations

import shlex

from envbuilder.ciconfig import ci_context
from envbuilder.identity import GOCACHE
from envbuilder.render import render_all
from envbuilder.spec.models import Spec, json_schema
from envbuilder.verify.expected import Expectations
from envbuilder.warmcache import FUTURE_MTIME

from .renderkit import env_instructions, offline_lock, parse_dockerfile

SPEC = {
    "name": "payments",
    "go": {"version": "1.22", "download": "http://127.0.0.1:8080/dl/"},
    "targets": ["linux/amd64", {"platform": "linux/arm64", "cgo": True}, {"platform": "windows/amd64", "cgo": True},
                "linux/arm/v6", "darwin/arm64", {"platform": "darwin/amd64", "cgo": True, "sdk": "/opt/MacOSX.sdk"}],
    "ci": {"tools": ["gotest.tools/gotestsum@v1.12.0"], "warm_cache": True},
}


def spec_with(**ci) -> Spec:
    return Spec.model_validate({**SPEC, "ci": {**SPEC["ci"], **ci}})


def stages(spec: Spec) -> dict[str, list]:
    """The Dockerfile's instructions, by stage, as BuildKit's parser reads them."""
    dockerfile = next(f.text for f in render_all(spec, offline_lock(spec)) if f.path == "Dockerfile")
    out: dict[str, list] = {}
    current = "global"
    for cmd in parse_dockerfile(dockerfile):
        if cmd.cmd == "FROM":
            current = cmd.value[-1]
        out.setdefault(current, []).append(cmd)
    return out


def warm_steps(spec: Spec) -> list[list[str]]:
    """The shell commands of the RUN that builds std, each split into words."""
    runs = [c for stage in stages(spec).values() for c in stage if c.cmd == "RUN" and " std " in f"{c.value[0]} "]
    assert len(runs) <= 1
    return [shlex.split(step) for step in runs[0].value[0].split(" && ")] if runs else []


def std_builds(spec: Spec) -> dict[tuple[str, ...], dict[str, str]]:
    """Each `go build ... std` of the warm step: its flags -> its env."""
    builds = {}
    for words in warm_steps(spec):
        if words[0] == "env" and words[-1] == "std":
            go = words.index("go")
            env = dict(w.split("=", 1) for w in words[1:go])
            builds[(env["GOOS"], env["GOARCH"], env.get("GOARM", ""), env["CGO_ENABLED"])] = env
            assert words[go:] == ["go", "build", "-trimpath", "std"]
    return builds


def test_off_by_default_the_image_carries_no_compiled_std():
    spec = Spec.model_validate({**SPEC, "ci": {"tools": SPEC["ci"]["tools"]}})
    assert spec.ci.warm_cache is False
    assert warm_steps(spec) == []


def test_std_is_built_once_per_target_with_its_cgo_env():
    builds = std_builds(spec_with())
    assert set(builds) == {("linux", "amd64", "", "0"), ("linux", "arm64", "", "1"), ("windows", "amd64", "", "1"),
                           ("linux", "arm", "6", "0"), ("darwin", "arm64", "", "0")}
    assert builds[("linux", "arm64", "", "1")]["CC"] == "aarch64-linux-gnu-gcc"
    assert builds[("windows", "amd64", "", "1")]["CXX"] == "x86_64-w64-mingw32-g++-posix"
    assert "CC" not in builds[("linux", "amd64", "", "0")]


def test_a_cgo_target_with_the_users_own_sdk_is_not_warmed():
    # darwin cgo compiles with the user's Apple SDK, which envbuilder does not manage (verify skips its C checks).
    assert ("darwin", "amd64", "", "1") not in std_builds(spec_with())


def test_the_warm_builds_use_exactly_the_env_of_the_ci_jobs_and_of_verify():
    spec = spec_with()
    builds = std_builds(spec)
    ci_builds = {b["key"]: dict(b["env"]) for b in ci_context(spec, offline_lock(spec))["builds"]}
    verify_builds = {t.key: t.build_env() for t in Expectations(spec, offline_lock(spec)).targets()}
    for target in spec.targets:
        warm = builds.get((target.goos, target.goarch, target.goarm or "", "1" if target.cgo else "0"))
        if warm is not None:
            assert warm == ci_builds[target.key] == verify_builds[target.key], target.key


def test_the_ci_jobs_build_with_the_warm_builds_flags():
    spec = spec_with()
    for build in ci_context(spec, offline_lock(spec))["builds"]:
        assert shlex.split(build["command"])[:3] == ["go", "build", "-trimpath"]


def test_the_cache_is_the_images_gocache_writable_by_any_user_and_dated_ahead():
    spec = spec_with()
    steps = warm_steps(spec)
    assert ["chmod", "-R", "a+rwX", GOCACHE] in steps
    assert ["find", GOCACHE, "-name", "*-[ad]", "-exec", "touch", "-d", f"@{FUTURE_MTIME}", "{}", "+"] in steps
    assert FUTURE_MTIME > 4_000_000_000  # beyond 2096: Go never trims nor re-dates these entries
    dockerfile = next(f.text for f in render_all(spec, offline_lock(spec)) if f.path == "Dockerfile")
    assert env_instructions(dockerfile)["GOCACHE"] == GOCACHE


def test_the_cache_is_warmed_in_the_ci_stage_only_into_the_image_before_the_ci_tools():
    by_stage = stages(spec_with())
    runs = [(stage, c) for stage, cmds in by_stage.items() for c in cmds if c.cmd == "RUN"]
    warm = [(stage, c) for stage, c in runs if " std " in f"{c.value[0]} "]
    assert [stage for stage, _ in warm] == ["ci"]
    mounts = [f for f in warm[0][1].flags if f.startswith("--mount=")]
    assert mounts == ["--mount=type=cache,id=envbuilder-home-cache-ci,target=/root/.cache"], \
        "GOCACHE must not be a cache mount (that keeps it out of the image); HOME's caches (zig) must be"
    ci_runs = [c for stage, c in runs if stage == "ci"]
    tools = next(i for i, c in enumerate(ci_runs) if "gotestsum" in c.value[0])
    assert ci_runs.index(warm[0][1]) < tools, "a CI tool bump must not compile std again"


def test_the_schema_describes_the_option():
    ci = json_schema()["$defs"]["CiSpec"]["properties"]["warm_cache"]
    assert ci["type"] == "boolean" and ci["default"] is False and "GOCACHE" in ci["description"]
