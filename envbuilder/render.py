"""Render spec + lock into the Dockerfile, .devcontainer/devcontainer.json and docker-bake.hcl.

Python decides what goes in (packages, archives, env); the Jinja2 templates only lay it out. Output is
deterministic: the same spec and lock give the same bytes. Each file starts with a header carrying the
sha256 of its body, so a later render can tell a hand edit (body no longer matches) from a stale file.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from envbuilder.errors import CheckFailed, InputError
from envbuilder.fsutil import check_destinations, read_bounded, read_input, write_all
from envbuilder.devcontainer import devcontainer_context
from envbuilder import DISTRIBUTION
from envbuilder.identity import (GOCACHE, GOCACHE_ROOT, GOMODCACHE, GOPATH, GOROOT, RUNNER_STAGE, RUNNER_WINE_SHIM,
                                 STAGES, image_labels, image_tag)
from envbuilder.lock import Lock
from envbuilder.profiles import profile, target_toolchain
from envbuilder.spec.models import ARCHIVE_PATH, GO_EXACT_VERSION, IMAGE_REF, PATTERN_NAMES, Spec, package_name
from envbuilder.warmcache import warm_cache_context
from envbuilder.zigcache import zig_cache_context

# Debian's default PATH, after GOPATH/bin and GOROOT/bin in the images.
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
DOCKERFILE = "Dockerfile"  # also named in devcontainer.py (relative to .devcontainer/)
DEVCONTAINER = ".devcontainer/devcontainer.json"
BAKE = "docker-bake.hcl"
# Rendered files are a few KB: an existing file larger than this cannot be envbuilder's output, and is
# never read whole (a 1 GB file in its place must not cost a GB to compare).
MAX_RENDERED_BYTES = 16 << 20
DIGEST_RE = re.compile(r"^(?:#|//) envbuilder-digest: sha256:([0-9a-f]{64})$", re.M)


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the spec's directory
    text: str


# ---- quoting filters: the second wall behind the spec's patterns ---------------------------------------------


def one_line(value: object) -> str:
    text = str(value)
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in text):
        raise InputError(f"refusing to render a value with control characters: {text!r}")
    return text


def dockerfile_quote(value: object) -> str:
    """A Dockerfile double-quoted word: escapes \\ " and $ (ENV/LABEL values)."""
    text = one_line(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def shell_quote(value: object) -> str:
    return shlex.quote(one_line(value))


def hcl_quote(value: object) -> str:
    """An HCL quoted string: JSON escapes plus HCL's template sequences ${ and %{ doubled."""
    return json.dumps(one_line(value)).replace("${", "$${").replace("%{", "%%{")


def json_value(value: object) -> str:
    """JSON for devcontainer.json. Not Jinja's `tojson`: that one is for HTML and writes & < > ' as \\u0026..."""
    return json.dumps(value, ensure_ascii=False)


class Expr(str):
    """Text envbuilder writes on purpose that GitHub evaluates (`${{ matrix.go }}`); any other value that
    contains `${{` is refused by the yaml filter, so no spec value can become a GitHub expression."""


def yaml_quote(value: object) -> str:
    """A YAML double-quoted scalar in JSON syntax (valid YAML 1.1 and 1.2): one line, printable only."""
    text = one_line(value)
    if not text.isprintable():
        raise InputError(f"refusing to render a value with non-printable characters: {text!r}")
    if "${{" in text and not isinstance(value, Expr):
        raise InputError(f"refusing to render a value with a GitHub expression: {text!r}")
    return json.dumps(text, ensure_ascii=False)


def yaml_comment(value: object) -> str:
    """Text after `# ` on a YAML line: one line, so it cannot end the comment."""
    return one_line(value)


@functools.cache
def template_environment():
    """The one Jinja environment of every rendered file (Dockerfile, devcontainer, bake file, CI configs):
    each filter quotes for its own file type."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("envbuilder.templates", "."),  # top-level templates/, mapped in pyproject.toml
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - not HTML; each value is quoted by the filter for its file type
        keep_trailing_newline=True,
    )
    env.filters.update(dq=dockerfile_quote, sq=shell_quote, hcl=hcl_quote, json=json_value, yaml=yaml_quote,
                       comment=yaml_comment)
    return env


# ---- what goes in ------------------------------------------------------------------------------------------


def apt_packages(spec: Spec) -> list[str]:
    """Every apt package of the base stage: essentials, the spec's, cgo cross toolchains, and the emulators
    only when the spec wants them in the image (verify.in_image; else they go into the verify runner); a
    package the spec pins (`name=version`) is installed by its pin only."""
    pinned = {package_name(p) for p in apt_pins(spec)}
    packages = {"ca-certificates", "git", "openssh-client"}
    packages.update(spec.base.packages)
    for t in spec.targets:
        tc = target_toolchain(t)
        if tc is not None:
            packages.update(tc.packages)
            if tc.strategy == "zig":
                packages.update(("python3", "python3-pip"))
        target_profile = profile(t.goos, t.goarch, t.goarm)
        if spec.verify.emulate and spec.verify.in_image and target_profile is not None:
            packages.update(target_profile.execution.packages)
    return sorted(p for p in packages if p not in pinned)


# gcc's lto-dump (<triple>-lto-dump-12: 20-32 MB per gcc) dumps LTO object files to debug GCC itself; no Go
# or cgo build runs it, and a gcc per cross target makes it 280 MB of the cross image. dpkg's own path filter
# (the one Debian's slim images use) leaves it out of this install and of any later one in the image.
GCC_DEBUG_TOOLS = ("/usr/bin/*lto-dump*",)
DEBIAN_GCC = re.compile(r"(gcc|g\+\+|build-essential)($|-)")


def dpkg_excludes(packages: list[str]) -> list[str]:
    """The paths dpkg leaves out of the base stage's install: gcc's debug tools, when a Debian gcc comes in."""
    return list(GCC_DEBUG_TOOLS) if any(DEBIAN_GCC.match(p) for p in packages) else []


def apt_pins(spec: Spec) -> list[str]:
    """The spec's `name=version` entries: checked against the apt sources before the install."""
    return sorted(p for p in spec.base.packages if "=" in p)


def runner_packages(spec: Spec) -> list[str]:
    """The verify runner's apt packages: each target's emulator, and for a cgo target run under qemu the C
    library of its cross sysroot (qemu -L). Empty when the spec runs no foreign binary in a runner."""
    packages: set[str] = set()
    if not spec.verify.uses_runner:
        return []
    for t in spec.targets:
        target_profile = profile(t.goos, t.goarch, t.goarm)
        if target_profile is None:
            continue
        run = target_profile.execution
        packages.update(run.packages)
        if t.cgo and run.qemu and target_profile.gnu is not None:  # zig builds need the same glibc sysroot
            packages.update(target_profile.gnu.runtime)
    return sorted(packages)


def _runner(spec: Spec) -> dict[str, Any] | None:
    """The verify-runner stage: its packages, and for wine the ProcessPrng shim it carries prebuilt."""
    packages = runner_packages(spec)
    if not packages:
        return None
    wine = next((w for t in spec.targets if (p := profile(t.goos, t.goarch, t.goarm)) and (w := p.execution.wine)),
                None)
    shim = None
    if wine is not None:
        probe = resources.files("envbuilder.templates").joinpath("probe")
        shim = {"packages": list(wine.shim_packages), "cc": wine.shim_cc[0], "dll": RUNNER_WINE_SHIM,
                "source": probe.joinpath("wine-processprng.c").read_text().splitlines(),
                "exports": probe.joinpath("wine-processprng.def").read_text().splitlines()}
    return {"stage": RUNNER_STAGE, "packages": packages, "shim": shim}


def _zig(spec: Spec, lock: Lock) -> dict[str, Any] | None:
    """zig from the locked wheel (pip checks its sha256) and one cc/c++ wrapper per zig target."""
    wrappers = []
    for t in spec.targets:
        tc = target_toolchain(t)
        if tc is None or tc.strategy != "zig":
            continue
        for name, mode in ((tc.cc, "cc"), (tc.cxx, "c++")):
            if not any(w["name"] == name for w in wrappers):
                wrappers.append({"name": name, "mode": mode, "triple": tc.zig_triple})
    if not wrappers:
        return None
    if lock.zig is None:
        raise InputError("the spec builds with zig but the lock pins none: run `envbuilder lock`")
    return {"requirement": f"ziglang=={lock.zig.version} --hash=sha256:{lock.zig.sha256}", "wrappers": wrappers}


def bare_word(value: str, pattern: str, what: str) -> str:
    """A value written without quotes (FROM's image, a shell case pattern, COPY's source): it must match
    its pattern here too, whatever model it came from."""
    if not re.fullmatch(pattern, value):
        raise InputError(f"refusing to render {what} {value!r}: not {PATTERN_NAMES.get(pattern, pattern)}")
    return value


def _dockerfile_context(spec: Spec, lock: Lock) -> dict[str, Any]:
    archives = []
    for go in lock.go_versions():
        for platform, a in sorted(go.archives.items()):
            archives.append({"version": bare_word(go.version, GO_EXACT_VERSION, "Go version"),
                             "arch": bare_word(platform.split("/")[1], r"^(amd64|arm64)$", "architecture"),
                             "url": a.url or a.path or "", "sha256": a.sha256})
    offline = next((bare_word(a.path, ARCHIVE_PATH, "go.archive") for a in lock.go.archives.values() if a.path), None)
    base_ref = f"{lock.base.image}@{lock.base.digest}" if lock.base.digest else lock.base.image
    packages, pins = apt_packages(spec), apt_pins(spec)
    return {
        "go_version": lock.go.version,
        "base_ref": bare_word(base_ref, IMAGE_REF, "base image"),
        "archives": archives,
        "offline_archive": offline,
        "packages": packages,
        "dpkg_excludes": dpkg_excludes(packages + pins),
        "apt_pins": pins,
        "apt_snapshot": spec.base.snapshot,
        "zig": _zig(spec, lock),
        "zig_cache": zig_cache_context(spec),
        "toolchain": lock.go.toolchain,
        "module_env": list(spec.modules.env().items()),
        "user": spec.devcontainer.user,
        "uid": spec.devcontainer.uid,
        "dev_tools": [f"{t.module}@{t.version}" for t in lock.tools if t.stage == "dev"],
        "ci_tools": [f"{t.module}@{t.version}" for t in lock.tools if t.stage == "ci"],
        "ci_envbuilder": f"{DISTRIBUTION}=={spec.ci.envbuilder}" if spec.ci.envbuilder else None,
        "warm_cache": warm_cache_context(spec),
        "runner": _runner(spec),
        "goroot": GOROOT,
        "gopath": GOPATH,
        "gomodcache": GOMODCACHE,
        "gocache_root": GOCACHE_ROOT,
        "gocache": GOCACHE,
        "path": ":".join((f"{GOPATH}/bin", f"{GOROOT}/bin", *SYSTEM_PATH)),
    }


def _bake_context(spec: Spec, lock: Lock) -> dict[str, Any]:
    return {
        "dockerfile": DOCKERFILE,
        "platforms": list(spec.platforms),
        "labels": sorted({k: v for k, v in image_labels(spec, lock, "bake").items()
                          if not k.endswith((".stage", "image.title"))}.items()),
        "stages": bake_targets(spec, lock),
        "default_targets": [t["name"] for t in bake_targets(spec, lock) if t["stage"] in ("dev", "ci")],
        "runner": {"name": RUNNER_STAGE, "tag": image_tag(spec, lock, RUNNER_STAGE)} if _runner(spec) else None,
    }


def bake_targets(spec: Spec, lock: Lock) -> list[dict[str, str]]:
    """One bake target per stage and Go version: base/dev/ci for the primary Go, base-go1_24_11 etc. for the
    matrix (HCL names allow no dots), each passing GO_VERSION to the Dockerfile."""
    targets = []
    for go in lock.go_versions():
        suffix = "" if go is lock.go else "-go" + go.version.replace(".", "_")
        for stage in STAGES:
            targets.append({"name": stage + suffix, "stage": stage, "go_version": go.version,
                            "tag": image_tag(spec, lock, stage, go.version)})
    return targets


# ---- headers ------------------------------------------------------------------------------------------------


def with_header(body: str, comment: str) -> str:
    digest = hashlib.sha256(body.encode()).hexdigest()
    return (
        f"{comment} generated by envbuilder from envbuilder.yaml: do not edit by hand "
        f"(change the spec, then run `envbuilder render`)\n"
        f"{comment} envbuilder-digest: sha256:{digest}\n"
        f"{body}"
    )


def _body_after_header(text: str) -> str:
    lines = text.split("\n", 2)
    return lines[2] if len(lines) == 3 else ""


def edited_by_hand(text: str) -> bool | None:
    """True if TEXT carries an envbuilder header whose digest no longer matches its body;
    None if it is not an envbuilder-generated file at all."""
    m = DIGEST_RE.search("\n".join(text.split("\n", 2)[:2]))
    if not m:
        return None
    return hashlib.sha256(_body_after_header(text).encode()).hexdigest() != m.group(1)


# ---- the API ------------------------------------------------------------------------------------------------


def render_all(spec: Spec, lock: Lock) -> list[RenderedFile]:
    env = template_environment()
    dockerfile = env.get_template("Dockerfile.j2").render(**_dockerfile_context(spec, lock))
    devcontainer = env.get_template("devcontainer.json.j2").render(**devcontainer_context(spec, lock))
    json.loads(devcontainer)  # the template must always lay out valid JSON; fail loudly here if not
    bake = env.get_template("docker-bake.hcl.j2").render(**_bake_context(spec, lock))
    return [
        RenderedFile(DOCKERFILE, with_header(dockerfile, "#")),
        RenderedFile(DEVCONTAINER, with_header(devcontainer, "//")),
        RenderedFile(BAKE, with_header(bake, "#")),
    ]


def read_rendered(path: Path) -> str:
    """The text of an existing file envbuilder may have rendered, read within bounds: InputError (naming the
    file) when it cannot be envbuilder's output: larger than MAX_RENDERED_BYTES, a FIFO or device, not UTF-8."""
    raw = read_input(path, "is missing", limit=MAX_RENDERED_BYTES, what="rendered file")
    try:
        return raw.decode()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def drift(files: list[RenderedFile], root: Path) -> list[str]:
    """Unified diffs (on-disk -> expected) for each file that is missing or differs."""
    diffs = []
    for f in files:
        path = root / f.path
        if not path.exists():
            diffs.append(f"--- {f.path} is missing\n")
            continue
        try:
            current = read_rendered(path)
        except InputError as exc:  # too big or not a file: it differs, and a diff would be useless
            reason = exc.message.removeprefix(f"{path}: ")
            diffs.append(f"--- {f.path} differs and is not envbuilder's output: {reason}\n")
            continue
        if current != f.text:
            diffs.append("".join(difflib.unified_diff(
                current.splitlines(keepends=True), f.text.splitlines(keepends=True),
                fromfile=f"{f.path} (on disk)", tofile=f"{f.path} (rendered)",
            )))
    return diffs


def write_files(files: list[RenderedFile], root: Path, *, force: bool = False) -> list[str]:
    """Write FILES under ROOT atomically; returns the paths that changed. Refuses (writing nothing) when a
    file was edited by hand or is not envbuilder's, unless FORCE."""
    check_destinations([root / f.path for f in files])
    refused = []
    for f in files:
        path = root / f.path
        if not path.exists() or force:
            continue
        try:
            current = read_rendered(path)
        except InputError:
            current = ""
        state = edited_by_hand(current)
        if state is None:
            refused.append(f"{f.path} exists and was not generated by envbuilder")
        elif state:
            refused.append(f"{f.path} was edited by hand")
    if refused:
        raise CheckFailed("; ".join(refused) + ": not overwritten (use --force to replace it)")
    changed: dict[str, bytes] = {}
    for f in files:
        path = root / f.path
        data = f.text.encode()
        if read_bounded(path, MAX_RENDERED_BYTES) == data:
            continue
        changed[f.path] = data
    write_all(root, changed)  # every changed file, or none
    return list(changed)
