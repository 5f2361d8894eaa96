"""zig's global cache, warmed in the image: the base stage links verify's probe once per zig toolchain of the
spec (with the env verify builds with), into a fixed cache directory every user may write, and keeps Go's
part of that warm-up out of the image."""

from __future__ import annotations

import shlex
import subprocess
from importlib import resources

from envbuilder.profiles import CGO_DEFAULT_FLAGS, build_env, target_toolchain
from envbuilder.render import render_all
from envbuilder.spec.models import Spec
from envbuilder.warmcache import CI_ZIG_CACHE
from envbuilder.zigcache import C_PROBE, PROBE_FILES, WARM_DIR, ZIG_CACHE_DIR, zig_warm_targets

from .renderkit import env_instructions, offline_lock, parse_dockerfile


def spec_of(targets: list, **extra) -> Spec:
    return Spec.model_validate({"name": "payments", "go": {"version": "1.26.1"}, "targets": targets, **extra})


ZIG = spec_of([{"platform": p, "cgo": True} for p in ("linux/amd64", "linux/amd64/v2", "linux/arm/v6", "linux/arm/v5",
                                                      "windows/amd64", "windows/arm64")]
              + [{"platform": "linux/arm64", "cgo": True, "libc": "musl"}, "linux/riscv64"],
              cgo={"strategy": "zig", "glibc": "2.28"})


def dockerfile(spec: Spec) -> str:
    return next(f.text for f in render_all(spec, offline_lock(spec, "1.26.1")) if f.path == "Dockerfile")


def base_runs(spec: Spec) -> list:
    stage, runs = "global", []
    for cmd in parse_dockerfile(dockerfile(spec)):
        if cmd.cmd == "FROM":
            stage = cmd.value[-1]
        elif stage == "base" and cmd.cmd in ("RUN", "COPY"):
            runs.append(cmd)
    return runs


def warm_runs(spec: Spec) -> list:
    return [c for c in base_runs(spec) if c.cmd == "RUN" and WARM_DIR in c.value[0]]


def warm_run(spec: Spec):
    """The RUN that links the Go probe."""
    runs = [c for c in warm_runs(spec) if " go build " in c.value[0]]
    assert len(runs) <= 1
    return runs[0] if runs else None


def c_probe_run(spec: Spec):
    """The RUN that links verify's C probe, right after the Go probe's."""
    runs = warm_runs(spec)
    assert len(runs) == 2 and runs[0].original == warm_run(spec).original
    return runs[1]


def test_one_probe_link_per_zig_toolchain_with_the_env_verify_builds_with():
    targets = zig_warm_targets(ZIG)
    assert [t.key for t in targets] == ["linux-amd64-cgo", "linux-arm-v6-cgo", "windows-amd64-cgo",
                                        "windows-arm64-cgo", "linux-arm64-cgo"]  # amd64/v2, arm/v5 share a wrapper
    steps = [shlex.split(s) for s in warm_run(ZIG).value[0].split(" && ")]
    links = [words for words in steps if words[0] == "env"]
    assert [dict(w.split("=", 1) for w in words[1:words.index("go")]) for words in links] == [
        build_env(t) for t in targets]
    assert all(words[words.index("go"):-3] == ["go", "build", "-trimpath"] for words in links)
    assert ["chmod", "-R", "a+rwX", ZIG_CACHE_DIR] in steps  # the dev user and verify's builds lock it too


def test_verify_s_c_probe_is_linked_too_with_verify_s_command():
    steps = [shlex.split(s) for s in c_probe_run(ZIG).value[0].split(" && ")]
    links = [words for words in steps if words[0].startswith("zcc-")]
    assert [words[0] for words in links] == [target_toolchain(t).cc for t in zig_warm_targets(ZIG)]
    assert all(words[1:5] == [*CGO_DEFAULT_FLAGS, "-x", "c"] and words[-1] == f"{WARM_DIR}/{C_PROBE}"
               for words in links)
    # what this layer adds is all it changes: files of the layer below already let every user write
    assert ["find", ZIG_CACHE_DIR, "!", "-perm", "-a+rw", "-exec", "chmod", "a+rwX", "{}", "+"] in steps


def test_the_cache_directory_is_fixed_for_every_stage_and_filled_after_go_is_in_place():
    assert env_instructions(dockerfile(ZIG))["ZIG_GLOBAL_CACHE_DIR"] == ZIG_CACHE_DIR
    runs = base_runs(ZIG)
    go = next(i for i, c in enumerate(runs) if c.cmd == "COPY" and "/usr/local/go" in c.value[-1])
    assert runs.index(warm_run(ZIG)) > go
    mounts = [f for f in warm_run(ZIG).flags if f.startswith("--mount=")]
    assert mounts == ["--mount=type=cache,id=envbuilder-gocache-zigwarm,target=/root/.cache/envbuilder-zig-warm"]


def test_the_probe_written_in_the_image_is_verify_s_probe(tmp_path):
    script = warm_run(ZIG).value[0].split(" && cd ")[0].replace(WARM_DIR, str(tmp_path))
    subprocess.run(["sh", "-c", script], check=True)
    probe = resources.files("envbuilder.templates").joinpath("probe")
    for name in PROBE_FILES:
        assert (tmp_path / "probe" / name).read_text() == probe.joinpath(f"{name}.txt").read_text().expandtabs(4)
    script = c_probe_run(ZIG).value[0].split(" && zcc-")[0].replace(WARM_DIR, str(tmp_path))
    subprocess.run(["sh", "-c", script], check=True)
    assert (tmp_path / C_PROBE).read_text() == probe.joinpath(C_PROBE).read_text().expandtabs(4)


def test_a_spec_without_zig_has_no_zig_cache():
    spec = spec_of(["linux/amd64", {"platform": "linux/arm64", "cgo": True}])
    assert "ZIG_GLOBAL_CACHE_DIR" not in dockerfile(spec) and warm_runs(spec) == []


def test_the_gnu_strategy_warms_zig_for_the_target_debian_has_no_cross_gcc_for():
    spec = spec_of([{"platform": "windows/amd64", "cgo": True}, {"platform": "windows/arm64", "cgo": True}])
    assert [t.key for t in zig_warm_targets(spec)] == ["windows-arm64-cgo"]


def test_the_ci_std_warm_up_keeps_what_zig_caches_out_of_the_image():
    spec = spec_of(ZIG.model_dump(mode="json")["targets"], cgo={"strategy": "zig", "glibc": "2.28"},
                   ci={"warm_cache": True})
    std = [c for c in parse_dockerfile(dockerfile(spec)) if c.cmd == "RUN" and " std " in f"{c.value[0]} "]
    assert std[0].value[0].split(" && ")[0].split() == ["export", f"ZIG_GLOBAL_CACHE_DIR={CI_ZIG_CACHE}"]
    assert CI_ZIG_CACHE.startswith("/root/.cache/")  # the ci stage's home cache mount
