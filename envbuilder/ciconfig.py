"""CI configs (`envbuilder render --ci github|gitlab`): a pipeline that runs inside the project's ci image.

One job per locked Go version, in `<ci.image>:ci-go<version>`: check out, `envbuilder verify --host` (the image
is what the spec and lock say), cross-build `ci.package` for every target with exactly the env verify's
build probes use (`profiles.build_env`), `envbuilder inspect` the binaries against the targets, and
publish both JUnit reports even when a step failed.

Python decides every value here; the templates in templates/ci/ only lay them out, each value through the
`yaml` filter (render.yaml_quote: a JSON string, which YAML reads as a double-quoted scalar). Shell commands are built word by
word: spec values are shell-quoted, only envbuilder's own words may expand `$GO_VERSION`.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envbuilder.errors import InputError
from envbuilder.identity import SPEC_NAME
from envbuilder.lock import Lock
from envbuilder.render import (Expr, RenderedFile, edited_by_hand, one_line, read_rendered, template_environment,
                               with_header, yaml_quote)
from envbuilder.spec.models import Spec, Target
from envbuilder.profiles import GO_BUILD, build_env


@dataclass(frozen=True)
class Action:
    """A GitHub action pinned to the full commit SHA of a release tag (the tag is kept as a comment)."""

    repo: str
    sha: str
    version: str

    @property
    def ref(self) -> str:
        return f"{self.repo}@{self.sha}"


# The release commits of the tags in the comments (upload-artifact's package.json at its commit reads 4.6.2;
# checkout's is the commit of its v4.2.2 release). Bump both together with a look at their changelogs.
CHECKOUT = Action("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2")
UPLOAD_ARTIFACT = Action("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2")

GO_VAR = "GO_VERSION"  # the job's Go version, an environment variable in both CI systems
IMAGE_VAR = "ENVBUILDER_CI_IMAGE"  # GitLab: the job's image pinned by digest, a matrix variable


class Raw(str):
    """A shell word envbuilder writes itself, e.g. "$GO_VERSION" that must expand; other words are quoted."""


# ---- quoting -----------------------------------------------------------------------------------------------


def shell(*words: str) -> str:
    """One POSIX shell command line: each word quoted, except Raw words envbuilder wrote to expand."""
    return " ".join(w if isinstance(w, Raw) else shlex.quote(one_line(w)) for w in words)


# ---- which configs -----------------------------------------------------------------------------------------


def ci_providers(requested: list[str], root: Path) -> list[CIProvider]:
    """The CI configs to render: those asked for with --ci, plus each one already on disk under ROOT with an
    envbuilder header (so a plain `render`/`render --check` keeps it current and catches hand edits)."""
    unknown = [name for name in requested if name not in PROVIDERS]
    if unknown:
        raise InputError(f"--ci: {unknown[0]!r} is not a CI system (choose from {', '.join(PROVIDERS)})")
    return [p for p in PROVIDERS.values() if p.name in requested or _is_generated(root / p.path)]


def _is_generated(path: Path) -> bool:
    try:
        return edited_by_hand(read_rendered(path)) is not None
    except InputError:  # missing, too big, not a file or not text: not a config envbuilder wrote
        return False


def render_ci(spec: Spec, lock: Lock, spec_path: Path, requested: list[str]) -> list[RenderedFile]:
    """The CI config files (paths relative to the spec's directory); InputError before anything is written
    when the spec lacks what a pipeline needs."""
    providers = ci_providers(requested, spec_path.parent)
    if not providers:
        return []
    _require(spec, spec_path, (requested or [providers[0].name])[0])
    _check_digests(spec, lock, spec_path)
    context = ci_context(spec, lock, spec_path.name)
    env = template_environment()
    files = []
    for provider in providers:
        body = env.get_template(provider.template).render(**provider.context(context, spec))
        files.append(RenderedFile(provider.path, with_header(body, "#")))
    return files


def _require(spec: Spec, spec_path: Path, provider: str) -> None:
    if not spec.ci.image:
        raise InputError(f"{spec_path}: ci.image: set the registry repository of the CI image "
                         f"to render --ci {provider}")
    if not spec.ci.envbuilder:
        raise InputError(f"{spec_path}: ci.envbuilder: set the envbuilder version to install into the CI image "
                         f"(the pipeline runs `envbuilder verify` and `envbuilder inspect`) to render --ci {provider}")


def _check_digests(spec: Spec, lock: Lock, spec_path: Path) -> None:
    """ci.digests pin every locked Go version's image or none: a pipeline half pinned runs unverified images."""
    if not spec.ci.digests:
        return
    locked = [g.version for g in lock.go_versions()]
    unknown = [v for v in spec.ci.digests if v not in locked]
    if unknown:
        raise InputError(f"{spec_path}: ci.digests: {unknown[0]!r} is not a locked Go version "
                         f"(locked: {', '.join(locked)})")
    missing = [v for v in locked if v not in spec.ci.digests]
    if missing:
        raise InputError(f"{spec_path}: ci.digests: no digest for Go {missing[0]} (`envbuilder build --target ci "
                         f"--push --go {missing[0]}` prints it)")


def pinned_images(spec: Spec, lock: Lock) -> list[dict[str, str]]:
    """Each locked Go version with its ci image by digest (empty when ci.digests pins none)."""
    if not spec.ci.digests:
        return []
    return [{"go": g.version, "image": f"{spec.ci.image}@{spec.ci.digests[g.version]}"} for g in lock.go_versions()]


# ---- what goes in ------------------------------------------------------------------------------------------


def expect_platform(target: Target) -> str:
    """A target as `envbuilder inspect --expect` spells it: os/arch, linux/arm/v7, linux/amd64/v3."""
    text = target.platform
    if target.goarm:
        text += f"/v{target.goarm}"
    if target.goamd64:
        text += f"/{target.goamd64}"
    return text


def build_output(spec: Spec, target: Target) -> str:
    """dist/<target key>/<name>[.exe]; for a `./...` pattern a directory, where go build names each binary."""
    if spec.ci.package.endswith("/..."):
        return f"dist/{target.key}/"
    return f"dist/{target.key}/{spec.name}" + (".exe" if target.goos == "windows" else "")


def ci_context(spec: Spec, lock: Lock, spec_name: str = SPEC_NAME) -> dict[str, Any]:
    """What both CI systems run: the same commands, Go versions and reports."""
    go = Raw(f'"${GO_VAR}"')
    spec_args = [] if spec_name == SPEC_NAME else ["-f", spec_name]
    # repro.probe builds every target twice from a cold cache: it proves the image, which `envbuilder verify`
    # did when the image was built. Each CI job proves the rest (env, toolchains, cross builds) and skips it.
    verify = shell("envbuilder", "verify", *spec_args, "--host", "--go", go, "--skip", "repro",
                   "--junit", Raw(f'"reports/verify-go${{{GO_VAR}}}.xml"'))
    builds = []
    for t in spec.targets:
        env = sorted(build_env(t).items())
        go_build = (*GO_BUILD, "-o", build_output(spec, t), spec.ci.package)
        builds.append({"key": t.key, "env": env, "command": shell(*go_build),  # GitHub: the env is the step's
                       "env_command": shell("env", *(f"{k}={v}" for k, v in env), *go_build)})  # GitLab: env(1)
    expects = list(dict.fromkeys(expect_platform(t) for t in spec.targets))
    inspect = shell("envbuilder", "inspect", "dist", *(w for p in expects for w in ("--expect", p)),
                    "--expect-go", go, "--expect-trimpath", "--junit", Raw(f'"reports/inspect-go${{{GO_VAR}}}.xml"'))
    return {
        "go_var": GO_VAR,
        "go_versions": [g.version for g in lock.go_versions()],
        "verify": verify,
        "builds": builds,
        "inspect": inspect,
        "reports": "reports/",
        "junit_glob": "reports/*.xml",
        "pins": pinned_images(spec, lock),
        "image_var": IMAGE_VAR,
    }


def github_context(common: dict[str, Any], spec: Spec) -> dict[str, Any]:
    image = spec.ci.image or ""
    yaml_quote(image)  # the one spec value inside an Expr: refuse a GitHub expression or control character in it
    return {
        **common,
        "github_image": Expr("${{ matrix.image }}" if common["pins"] else f"{image}:ci-go${{{{ matrix.go }}}}"),
        "github_go": Expr("${{ matrix.go }}"),
        "github_job_name": Expr("go ${{ matrix.go }}"),
        "github_artifact": Expr("junit-go${{ matrix.go }}"),
        "ghcr": image.startswith("ghcr.io/"),
        "ghcr_user": Expr("${{ github.actor }}"),
        "ghcr_password": Expr("${{ secrets.GITHUB_TOKEN }}"),
        "checkout": CHECKOUT,
        "upload": UPLOAD_ARTIFACT,
        # Go stamps VCS info with git, which refuses a checkout owned by another user ("dubious ownership").
        "trust_checkout": shell("git", "config", "--global", "--add", "safe.directory", Raw('"$GITHUB_WORKSPACE"')),
    }


def gitlab_context(common: dict[str, Any], spec: Spec) -> dict[str, Any]:
    image = f"${{{IMAGE_VAR}}}" if common["pins"] else f"{spec.ci.image or ''}:ci-go${{{GO_VAR}}}"
    return {**common, "gitlab_image": image}


# ---- the CI systems ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CIProvider:
    """A CI system `render --ci NAME` writes a pipeline for."""

    name: str  # what --ci takes
    path: str  # the config file, relative to the spec's directory
    template: str  # under templates/
    context: Callable[[dict[str, Any], Spec], dict[str, Any]]  # the common context -> this template's


GITHUB_PROVIDER = CIProvider("github", ".github/workflows/envbuilder.yml", "ci/github-workflow.yml.j2", github_context)
GITLAB_PROVIDER = CIProvider("gitlab", ".gitlab-ci.yml", "ci/gitlab-ci.yml.j2", gitlab_context)
PROVIDERS = {p.name: p for p in (GITHUB_PROVIDER, GITLAB_PROVIDER)}
CI_NAMES = tuple(PROVIDERS)  # the choices of `render --ci`
GITHUB = GITHUB_PROVIDER.path
GITLAB = GITLAB_PROVIDER.path
