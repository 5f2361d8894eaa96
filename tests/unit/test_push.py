"""`build --push` and `--cache-from` without an engine: the BuildKit arguments each client gets, where an
image is pushed, and how each registry answer becomes one line with its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from docker.errors import APIError

from envbuilder.commands.push import check_cache_refs, push_targets, registry_cache
from envbuilder.engine.build import BuildRequest, build_argv
from envbuilder.engine.dockercli import DockerCli
from envbuilder.engine.registry import push, registry_host, split_ref
from envbuilder.errors import CheckFailed, EnvironmentProblem, InputError

CLASSIC = DockerCli("/usr/bin/docker", "20.10.24", buildx=False)
BUILDX = DockerCli("/usr/bin/docker", "27.0.1", buildx=True)
DIGEST = "sha256:" + "ab" * 32
REF = "127.0.0.1:5000/acme/app-ci:ci-go1.22.10"


def argv_of(cli: DockerCli, **kw) -> list[str]:
    req = BuildRequest(context=Path("ctx"), dockerfile=Path("ctx/Dockerfile"), target="ci", tags=["t"], **kw)
    return build_argv(cli, req, Path("iid"))


def test_the_engines_own_buildkit_imports_an_image_and_exports_inline_cache_as_a_build_argument():
    argv = argv_of(CLASSIC, cache_from=[REF], inline_cache=True, cache_to=["type=registry,ref=x"])
    assert argv[argv.index("--cache-from") + 1] == REF
    assert argv[argv.index("BUILDKIT_INLINE_CACHE=1") - 1] == "--build-arg"
    assert "--cache-to" not in argv  # it has no cache exporter besides inline


def test_buildx_takes_typed_cache_specs_and_exports_to_the_registry():
    argv = argv_of(BUILDX, cache_from=[REF, "type=local,src=/c"], inline_cache=True,
                   cache_to=["type=registry,ref=r:buildcache,mode=max"])
    cache_from = [argv[i + 1] for i, a in enumerate(argv) if a == "--cache-from"]
    cache_to = [argv[i + 1] for i, a in enumerate(argv) if a == "--cache-to"]
    assert cache_from == [f"type=registry,ref={REF}", "type=local,src=/c"]
    assert cache_to == ["type=inline", "type=registry,ref=r:buildcache,mode=max"]


def test_without_push_or_cache_options_the_build_arguments_are_unchanged():
    argv = argv_of(CLASSIC)
    assert "--cache-from" not in argv and "BUILDKIT_INLINE_CACHE=1" not in argv


def test_push_goes_to_the_tags_else_to_the_specs_ci_image():
    spec = SimpleNamespace(ci=SimpleNamespace(image="127.0.0.1:5000/acme/app-ci"))
    assert push_targets(spec, Path("envbuilder.yaml"), [], "ci", "1.22.10") == [REF]
    assert push_targets(spec, Path("envbuilder.yaml"), ["r/x:1"], "ci", "1.22.10") == ["r/x:1"]


def test_push_without_ci_image_or_tag_names_the_field():
    spec = SimpleNamespace(ci=SimpleNamespace(image=None))
    with pytest.raises(InputError, match=r"^envbuilder.yaml: ci.image: set the registry repository"):
        push_targets(spec, Path("envbuilder.yaml"), [], "dev", "1.22.10")


def test_registry_cache_is_exported_only_with_a_buildx_builder():
    assert registry_cache(REF, None) == []
    assert registry_cache(REF, "remote") == [
        "type=registry,ref=127.0.0.1:5000/acme/app-ci:buildcache-ci-go1.22.10,mode=max"]


@pytest.mark.parametrize("bad", ["not a ref!", "acme/App Name", ""])
def test_a_cache_source_that_is_no_reference_is_bad_input(bad):
    with pytest.raises(InputError, match=r"^--cache-from: "):
        check_cache_refs([bad])


@pytest.mark.parametrize(("ref", "parts", "host"), [
    (REF, ("127.0.0.1:5000/acme/app-ci", "ci-go1.22.10", None), "127.0.0.1:5000"),
    (f"localhost:5000/a@{DIGEST}", ("localhost:5000/a", None, DIGEST), "localhost:5000"),
    (f"ghcr.io/acme/a:1@{DIGEST}", ("ghcr.io/acme/a", "1", DIGEST), "ghcr.io"),
    ("debian:bookworm", ("debian", "bookworm", None), "docker.io"),
    ("acme/app", ("acme/app", None, None), "docker.io"),
])
def test_references_split_into_repository_tag_digest_and_registry(ref, parts, host):
    assert split_ref(ref) == parts
    assert registry_host(ref) == host


class FakeApi:
    """The two docker-py calls a push makes: the push event stream and the registry's answer for a digest."""

    def __init__(self, events: list[dict], served: bool = True) -> None:
        self.events = events
        self.served = served

    def push(self, repo, tag, stream, decode):
        return iter(self.events)

    def inspect_distribution(self, ref):
        if not self.served:
            raise APIError("manifest unknown")
        return {}


def push_with(events: list[dict], served: bool = True) -> str:
    return push(SimpleNamespace(api=FakeApi(events, served)), REF)


def test_a_push_returns_the_reference_pinned_by_the_digest_the_engine_reported():
    events = [{"status": "Pushed"}, {"aux": {"Tag": "ci-go1.22.10", "Digest": DIGEST, "Size": 528}}]
    assert push_with(events) == f"{REF}@{DIGEST}"


@pytest.mark.parametrize(("events", "served", "error", "message"), [
    ([{"error": 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'}], True,
     EnvironmentProblem, "registry 127.0.0.1:5000 does not answer (push "),
    ([{"status": "Pushed"}, {"error": "error parsing HTTP 405 response body: Method not allowed"}], True,
     EnvironmentProblem, "registry 127.0.0.1:5000 refused the push of "),
    ([{"status": "Pushed"}], True, EnvironmentProblem, "ended without a digest"),
    ([{"aux": {"Digest": DIGEST}}], False, EnvironmentProblem, "does not serve the pushed"),
])
def test_a_push_that_did_not_end_with_a_served_digest_is_never_a_success(events, served, error, message):
    with pytest.raises(error) as raised:
        push_with(events, served)
    assert message in raised.value.message and "\n" not in raised.value.message


def test_a_pull_of_a_missing_image_is_a_failed_check():
    from envbuilder.engine.registry import _registry_error

    err = _registry_error(f"{REF}@{DIGEST}", "pull", "manifest for x not found: manifest unknown")
    assert isinstance(err, CheckFailed) and err.message.startswith(f"{REF}@{DIGEST}: no such image in registry")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "envbuilder", *args], capture_output=True, text=True,
                          env={**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"})


@pytest.mark.parametrize(("args", "message"), [
    (["--push", "--platform", "linux/amd64,linux/arm64"], "envbuilder: --push: one --platform at a time"),
    (["--cache-from", "not a ref!"], "envbuilder: --cache-from: 'not a ref!' is not an image reference"),
])
def test_push_and_cache_options_are_checked_before_the_spec_or_the_engine(args, message):
    done = run_cli("build", "-f", "/nonexistent/envbuilder.yaml", *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and done.stderr.startswith(message)
