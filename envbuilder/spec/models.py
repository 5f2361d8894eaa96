"""The envbuilder spec (envbuilder.yaml) as pydantic v2 models: the single source of truth and its JSON Schema.

Every string that reaches a rendered file (Dockerfile, devcontainer.json, docker-bake.hcl) is checked here
against a strict pattern, so no spec value can add a Dockerfile instruction or break out of a quoted string.
The renderers quote as well; validation is the first wall, quoting the second.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from envbuilder.profiles import GLIBC_FLOOR_MIN, ZIG_GLIBC_MAX, ZIG_VERSION, Libc, profile, target_toolchain
from envbuilder.spec import goplatforms

# ---- shared patterns ----------------------------------------------------------------------------------------

# A Go version as written in the spec: "1.22" (newest 1.22.x at lock time) or exact "1.22.10".
_GO_MINOR = r"1\.(2[1-9]|[3-9][0-9])"
_GO_PATCH = r"\.(0|[1-9][0-9]*)"
GO_VERSION = rf"^{_GO_MINOR}({_GO_PATCH})?$"
GO_EXACT_VERSION = rf"^{_GO_MINOR}{_GO_PATCH}$"  # a release, as the lock pins it: "1.22.10"
# Debian package name (policy 5.6.1) with an optional "=version" pin.
DEB_PACKAGE = r"^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$"
# A Go module path (golang.org/x/mod/module.CheckPath): a first element with a dot, like a domain, then
# non-empty elements of the allowed characters separated by single slashes, none starting or ending with a dot.
_MODULE_ELEMENT = r"[A-Za-z0-9_~-](?:[A-Za-z0-9._~-]*[A-Za-z0-9_~-])?"
MODULE_PATH = rf"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+(?:/{_MODULE_ELEMENT})*"
# Exact versions only: semver with optional pre-release/build (pseudo-versions included). No @latest, no branches.
MODULE_VERSION = r"v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
TOOL = rf"^{MODULE_PATH}@{MODULE_VERSION}$"
# A URL with no quote, space, backslash, dollar or backtick: safe in every rendered file.
URL = r"^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!&'()*+,;=%-]+$"
URL_SAFE = r"^(https?|file)://[A-Za-z0-9._~:/?#\[\]@!&()*+,;=%-]+$"  # also no single quote: it is shell-quoted
# An apt archive URL for a deb822 `URIs:` line: http(s) only (the build's containers cannot read file:// of the
# host), and none of the characters deb822 or the shell would split on.
APT_SNAPSHOT_URL = r"^https?://[A-Za-z0-9._~:/%+-]+$"
# GOPRIVATE-style glob patterns (path.Match syntax over module path prefixes).
MODULE_GLOB = r"^[A-Za-z0-9._~/*?\[\]-]+$"
# GOFLAGS entries: -flag or -flag=value, no spaces (GOFLAGS is space-separated).
GOFLAG = r"^-{1,2}[a-z][a-z0-9._-]*(=[A-Za-z0-9._,:/=+@-]*)?$"
NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
USER = r"^[a-z_][a-z0-9_-]{0,31}$"
VSCODE_EXTENSION = r"^[A-Za-z0-9][A-Za-z0-9-]*\.[A-Za-z0-9][A-Za-z0-9.-]*(@[0-9][0-9A-Za-z.+-]*)?$"
# Image references, Docker's grammar (distribution/reference): [registry[:port]/]path[:tag][@sha256:digest],
# path components lower-case.
_REGISTRY = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = rf"(?:{_REGISTRY}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
_DIGEST = r"sha256:[a-f0-9]{64}"
IMAGE_REF = rf"^{_REPOSITORY}{_TAG}(?:@{_DIGEST})?$"
IMAGE_NAME = rf"^{_REPOSITORY}{_TAG}$"  # an image reference without its digest (the lock keeps that apart)
DIGEST = rf"^{_DIGEST}$"  # a content digest: registry digest, image ID, hash of a spec or lock
# An offline Go tarball, relative to the spec's directory.
ARCHIVE_PATH = r"^[A-Za-z0-9._/-]+\.tar\.gz$"
# Lifecycle commands run by the devcontainer CLI: free text but one line, no control characters.
ONE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"  # no C0/C1 controls, no Unicode line breaks
# One `docker build` argument (devcontainer.json build.options): printable ASCII, no spaces, no quotes.
DOCKER_ARG = r"^[A-Za-z0-9_.,:/=@+%-]+$"

# How an error message names each pattern, so users read "a Debian package name", not a regex.
PATTERN_NAMES = {
    GO_VERSION: 'a Go version such as "1.22" or "1.22.10" (1.21 or newer)',
    DEB_PACKAGE: "a Debian package name (optionally name=version)",
    TOOL: "a module path with an exact version, e.g. golang.org/x/tools/gopls@v0.16.2 (no @latest)",
    URL_SAFE: "an http(s):// or file:// URL without spaces, quotes, backslashes or $",
    MODULE_GLOB: "a module path pattern such as git.corp.example/*",
    GOFLAG: "a Go flag such as -mod=readonly (no spaces)",
    NAME: "a lower-case name (a-z, 0-9, . _ -)",
    USER: "a Unix user name (a-z, 0-9, _ -)",
    VSCODE_EXTENSION: "a VS Code extension id such as golang.go",
    IMAGE_REF: "an image reference [registry[:port]/]path[:tag][@sha256:...] with lower-case path, "
               "such as debian:bookworm-slim",
    GO_EXACT_VERSION: 'an exact Go release such as "1.22.10"',
    IMAGE_NAME: "an image reference without digest, such as debian:bookworm-slim",
    DIGEST: "a digest such as sha256:<64 hex digits>",
    ARCHIVE_PATH: "a relative path to a .tar.gz file",
    f"^{MODULE_PATH}$": "a Go module path such as golang.org/x/tools/gopls",
    f"^{MODULE_VERSION}$": "an exact module version such as v0.16.2",
    ONE_LINE: "a single line of text",
    APT_SNAPSHOT_URL: "an http(s):// URL of a Debian archive snapshot, such as "
                      "http://snapshot.debian.org/archive/debian/20250520T000000Z",
    DOCKER_ARG: "one docker build argument such as --network=host (no spaces or quotes)",
}

Name = Annotated[str, StringConstraints(pattern=NAME)]
DebPackage = Annotated[str, StringConstraints(pattern=DEB_PACKAGE)]
Tool = Annotated[str, StringConstraints(pattern=TOOL)]
ModuleGlob = Annotated[str, StringConstraints(pattern=MODULE_GLOB, max_length=256)]
GoFlag = Annotated[str, StringConstraints(pattern=GOFLAG, max_length=256)]
Url = Annotated[str, StringConstraints(pattern=URL_SAFE, max_length=2048)]
ModulePath = Annotated[str, StringConstraints(pattern=f"^{MODULE_PATH}$")]
ModuleVersion = Annotated[str, StringConstraints(pattern=f"^{MODULE_VERSION}$")]
ImageName = Annotated[str, StringConstraints(pattern=IMAGE_NAME, max_length=512)]
Digest = Annotated[str, StringConstraints(pattern=DIGEST)]
# The platforms envbuilder builds images for (the lock keys its Go tarballs by them).
ImagePlatform = Literal["linux/amd64", "linux/arm64"]
OneLine = Annotated[str, StringConstraints(pattern=ONE_LINE, min_length=1, max_length=4096)]


def _strict_model() -> ConfigDict:
    # Unknown keys are errors: a typo such as `modules.proxi` must not silently fall back to a default.
    return ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


# ---- go -----------------------------------------------------------------------------------------------------


def _check_toolchain_policy(value: str) -> str:
    # GOTOOLCHAIN forms (go.dev/doc/toolchain): local | auto | path | goX.Y.Z | goX.Y.Z+auto | goX.Y.Z+path
    if value in ("local", "auto", "path"):
        return value
    if re.fullmatch(r"go1\.[0-9]+(\.[0-9]+)?(rc[0-9]+)?(\+(auto|path))?", value):  # [0-9]: \d is any digit
        return value
    raise ValueError("must be local, auto, path, goX.Y.Z, goX.Y.Z+auto or goX.Y.Z+path")


def _version_is_text(value: object, example: str = "1.22") -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f'must be a quoted string such as "{example}" (YAML reads {value!r} as a number)')
    return value


def _archive_inside(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/"):
        raise ValueError("must be a relative path inside the spec's directory")
    return value


GoVersion = Annotated[str, BeforeValidator(_version_is_text), StringConstraints(pattern=GO_VERSION)]
ToolchainPolicy = Annotated[str, AfterValidator(_check_toolchain_policy)]
ArchivePath = Annotated[str, StringConstraints(pattern=ARCHIVE_PATH), AfterValidator(_archive_inside)]


class GoSpec(BaseModel):
    model_config = _strict_model()

    version: GoVersion = Field(
        description='"1.22" resolves to the newest 1.22.x at lock time; "1.22.10" is exact (Go >= 1.21).'
    )
    download: Url = Field(
        "https://go.dev/dl/", description="Base URL of the Go download mirror (tarballs go<V>.<os>-<arch>.tar.gz)."
    )
    index: Url | Literal["none"] | None = Field(
        None,
        description="Release index in go.dev's JSON format. Default: <download>?mode=json&include=all. "
        "'none' for a plain mirror: the version must then be exact and tarballs are hashed by downloading.",
    )
    archive: ArchivePath | None = Field(
        None, description="Offline Go tarball, relative to the spec's directory (used instead of download)."
    )
    toolchain: ToolchainPolicy = Field(
        "local", description="GOTOOLCHAIN baked into the image. 'local' never downloads another Go."
    )
    matrix: list[GoVersion] = Field(
        default_factory=list,
        description="More Go versions built from the same spec, one image each (docker-bake targets, "
        "`envbuilder build --all`). `version` stays the primary: the devcontainer and a plain `build` use it.",
    )

    @field_validator("matrix")
    @classmethod
    def _matrix_unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("lists a Go version twice")
        return v

    @model_validator(mode="after")
    def _matrix_fits(self) -> "GoSpec":
        if self.version in self.matrix:
            raise SpecRuleError(("matrix",), f"{self.version} is already go.version")
        if self.matrix and self.archive:
            raise SpecRuleError(("matrix",), "an offline go.archive holds one Go version: drop go.matrix")
        return self

    def versions(self) -> list[str]:
        """The primary version first, then the matrix."""
        return [self.version, *self.matrix]


# ---- modules ------------------------------------------------------------------------------------------------


def _split_goproxy(value: object) -> object:
    # Accept both the env-var form "a,b|c" and a YAML list; normalise to a list of entries with separators kept
    # inside entries ("a|b" stays one entry meaning fall back on any error).
    if isinstance(value, str):
        return [part for part in value.split(",")]
    return value


def _check_goproxy_entry(value: str) -> str:
    for alt in value.split("|"):
        if alt in ("direct", "off"):
            continue
        if not re.fullmatch(URL_SAFE, alt) or alt.startswith("file://") and len(alt) <= len("file://"):
            raise ValueError(f"GOPROXY entry {alt!r} must be an http(s):// or file:// URL, 'direct' or 'off'")
    return value


ProxyEntry = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_check_goproxy_entry)]


def _check_sumdb(value: str) -> str:
    # GOSUMDB: "off", a database name ("sum.golang.org"), "name+key", or "name+key url" (go help module-auth).
    if value == "off":
        return value
    if re.fullmatch(r"[A-Za-z0-9.-]+(\+[A-Za-z0-9+/=.-]+)?( (https?)://[A-Za-z0-9._~:/%-]+)?", value):
        return value
    raise ValueError("must be 'off', a checksum database name, 'name+key' or 'name+key URL'")


class ModulesSpec(BaseModel):
    model_config = _strict_model()

    proxy: Annotated[list[ProxyEntry], BeforeValidator(_split_goproxy)] = Field(
        default_factory=lambda: ["https://proxy.golang.org", "direct"],
        description="GOPROXY entries, tried in order (joined with ','). An entry may be 'a|b'.",
    )
    sumdb: Annotated[str, AfterValidator(_check_sumdb)] = Field(
        "sum.golang.org", description="GOSUMDB; 'off' disables checksum verification (a warning is printed)."
    )
    private: list[ModuleGlob] = Field(default_factory=list, description="GOPRIVATE patterns.")
    noproxy: list[ModuleGlob] | None = Field(None, description="GONOPROXY; defaults to GOPRIVATE.")
    nosumdb: list[ModuleGlob] | None = Field(None, description="GONOSUMDB; defaults to GOPRIVATE.")
    flags: list[GoFlag] = Field(default_factory=list, description="GOFLAGS entries, e.g. -mod=readonly.")

    @field_validator("proxy")
    @classmethod
    def _proxy_not_empty(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("must list at least one entry (use [off] to forbid downloads)")
        return v

    def env(self) -> dict[str, str]:
        """The effective module environment, exactly as `go env` must report it in the built image."""
        return {
            "GOPROXY": ",".join(self.proxy),
            "GOSUMDB": self.sumdb,
            "GOPRIVATE": ",".join(self.private),
            "GONOPROXY": ",".join(self.private if self.noproxy is None else self.noproxy),
            "GONOSUMDB": ",".join(self.private if self.nosumdb is None else self.nosumdb),
            "GOFLAGS": " ".join(self.flags),
        }


# ---- base image ---------------------------------------------------------------------------------------------


class BaseSpec(BaseModel):
    model_config = _strict_model()

    image: Annotated[str, StringConstraints(pattern=IMAGE_REF, max_length=512)] = Field(
        "debian:bookworm-slim", description="Debian bookworm based image every stage starts from."
    )
    packages: list[DebPackage] = Field(
        default_factory=list,
        description="Extra apt packages for every stage. `name=version` pins an exact Debian version: the build "
        "fails with one line naming the pin when the apt sources do not have it.",
    )
    snapshot: Annotated[str, StringConstraints(pattern=APT_SNAPSHOT_URL, max_length=2048)] | None = Field(
        None,
        description="A dated Debian archive snapshot, such as "
        "http://snapshot.debian.org/archive/debian/20250520T000000Z: written into the image as its only apt "
        "source (suites <codename> and <codename>-updates), so package versions do not move between builds.",
    )

    @field_validator("packages")
    @classmethod
    def _one_entry_per_package(cls, v: list[str]) -> list[str]:
        names = [package_name(p) for p in v]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(twice)} twice (one entry per package, pinned or not)")
        return v


def package_name(entry: str) -> str:
    """The package of a `base.packages` entry: `make` for both `make` and `make=4.3-4.1`."""
    return entry.partition("=")[0]


# ---- cgo ----------------------------------------------------------------------------------------------------

GLIBC_VERSION = r"^2\.[0-9]{1,2}$"
PATTERN_NAMES[GLIBC_VERSION] = 'a glibc version such as "2.28"'
Strategy = Literal["gnu", "zig"]
LibcName = Literal["glibc", "musl"]
GlibcVersion = Annotated[str, BeforeValidator(lambda v: _version_is_text(v, "2.28")),
                         StringConstraints(pattern=GLIBC_VERSION)]


def glibc_tuple(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


class CgoSpec(BaseModel):
    """The C toolchain of every cgo target, unless the target says otherwise."""

    model_config = _strict_model()

    strategy: Strategy = Field("gnu", description="gnu: Debian's cross gcc and mingw (zig where Debian has none); "
                               "zig: zig cc for every target, no Debian cross toolchain in the image.")
    libc: LibcName = Field("glibc", description="C library of zig Linux builds: glibc, or musl for fully static "
                           "binaries.")
    glibc: GlibcVersion | None = Field(None, description='Oldest glibc the zig Linux builds may need, e.g. "2.28" '
                                       "(default: zig's own default).")


# ---- targets ------------------------------------------------------------------------------------------------


class Target(BaseModel):
    """One cross-compile target. Written as "os/arch", "os/arch/variant" (linux/arm/v7, linux/amd64/v3) or
    a mapping with `platform` and options."""

    model_config = _strict_model()

    platform: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+/[a-z0-9]+(/v[0-9]+)?$")]
    cgo: bool = Field(False, description="Build with CGO_ENABLED=1 using the cross C toolchain for this target.")
    goarm: Literal["5", "6", "7"] | None = Field(None, description="GOARM for linux/arm (default 7).")
    goamd64: Literal["v1", "v2", "v3", "v4"] | None = Field(None, description="GOAMD64 for amd64 targets.")
    strategy: Strategy | None = Field(None, description="C toolchain family for cgo: Debian gcc or zig cc "
                                      "(default: cgo.strategy).")
    libc: LibcName | None = Field(None, description="C library of a zig Linux build (default: cgo.libc).")
    glibc: GlibcVersion | None = Field(None, description="glibc floor of a zig Linux build (default: cgo.glibc).")
    sdk: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._/-]+$")] | None = Field(
        None, description="Apple SDK path inside the image (darwin cgo only)."
    )
    _defaults: CgoSpec = PrivateAttr(default_factory=CgoSpec)  # the spec's `cgo`, set by Spec

    @property
    def toolchain_strategy(self) -> Strategy:
        """The C toolchain family this target's cgo build uses: its own, else the spec's `cgo.strategy`."""
        return self.strategy or self._defaults.strategy

    @property
    def zig_libc(self) -> Libc | None:
        """The C library of a zig Linux cgo build (None for other builds)."""
        if not self.cgo or self.goos != "linux" or self.toolchain_strategy != "zig":
            return None
        libc = self.libc or self._defaults.libc
        return Libc(musl=True) if libc == "musl" else Libc(glibc=self.glibc or self._defaults.glibc)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: object) -> object:
        if isinstance(data, str):
            return {"platform": data}
        return data

    @model_validator(mode="after")
    def _variants(self) -> "Target":
        parts = self.platform.split("/")
        if len(parts) == 3:
            goos, goarch, variant = parts
            if goarch == "arm" and variant in ("v5", "v6", "v7"):
                field, value = "goarm", variant[1:]
            elif goarch == "amd64" and variant in ("v1", "v2", "v3", "v4"):
                field, value = "goamd64", variant
            else:
                raise ValueError(f"variant {variant!r} is not valid for {goarch} (arm: v5-v7, amd64: v1-v4)")
            if getattr(self, field) not in (None, value):
                raise ValueError(f"{field} {getattr(self, field)!r} contradicts platform variant {variant!r}")
            object.__setattr__(self, field, value)
            object.__setattr__(self, "platform", f"{goos}/{goarch}")
        if self.goarm is not None and self.goarch != "arm":
            raise ValueError("goarm applies only to arm targets")
        if self.goamd64 is not None and self.goarch != "amd64":
            raise ValueError("goamd64 applies only to amd64 targets")
        if self.goarch == "arm" and self.goarm is None:
            object.__setattr__(self, "goarm", "7")
        if self.sdk is not None and self.goos not in ("darwin", "ios"):
            raise ValueError("sdk applies only to darwin/ios targets")
        return self

    @property
    def goos(self) -> str:
        return self.platform.split("/")[0]

    @property
    def goarch(self) -> str:
        return self.platform.split("/")[1]

    @property
    def key(self) -> str:
        """A unique, file-name-safe name for this target: linux-arm-v7-cgo, windows-amd64."""
        parts = [self.goos, self.goarch]
        if self.goarm:
            parts.append(f"v{self.goarm}")
        if self.goamd64:
            parts.append(self.goamd64)
        if self.cgo:
            parts.append("cgo")
        return "-".join(parts)

    def go_env(self) -> dict[str, str]:
        env = {"GOOS": self.goos, "GOARCH": self.goarch, "CGO_ENABLED": "1" if self.cgo else "0"}
        if self.goarm:
            env["GOARM"] = self.goarm
        if self.goamd64:
            env["GOAMD64"] = self.goamd64
        return env


# ---- tools, devcontainer, ci, verify ------------------------------------------------------------------------


class DevcontainerSpec(BaseModel):
    model_config = _strict_model()

    user: Annotated[str, StringConstraints(pattern=USER)] = "gopher"
    uid: int = Field(1000, ge=1000, le=60000, description="UID of the non-root user (updateRemoteUserUID may remap it).")
    extensions: list[Annotated[str, StringConstraints(pattern=VSCODE_EXTENSION)]] = Field(
        default_factory=lambda: ["golang.go"]
    )
    on_create: OneLine | None = Field(None, description="onCreateCommand, run as the remote user once caches are "
                                                        "owned by it.")
    post_create: OneLine | None = Field(None, description="postCreateCommand, run as the remote user.")
    post_start: OneLine | None = Field(None, description="postStartCommand, run as the remote user on every start.")
    run_args: list[OneLine] = Field(default_factory=list, description="Extra `docker run` arguments (runArgs), "
                                    "e.g. --network=host to reach services on the host's 127.0.0.1.")
    build_options: list[Annotated[str, StringConstraints(pattern=DOCKER_ARG, max_length=1024)]] = Field(
        default_factory=list, description="Extra `docker build` arguments (build.options), e.g. --network=host."
    )
    forward_ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default_factory=list, description="forwardPorts: container ports the editor forwards to the host."
    )
    ptrace: bool = Field(True, description="Add SYS_PTRACE and seccomp=unconfined so dlv can debug.")

    @field_validator("user")
    @classmethod
    def _not_root(cls, v: str) -> str:
        if v == "root":
            raise ValueError("must not be root: the dev stage creates this non-root user (the container runs "
                             "as root only for its entrypoint)")
        return v


# A registry repository without tag or digest: ghcr.io/acme/payments-ci, registry.gitlab.com/acme/ci.
IMAGE_REPO = rf"^{_REPOSITORY}$"  # no tag: envbuilder derives the tags (ci-go<version>)
# An exact release of a PyPI package (PEP 440, no ranges): 0.1.0, 1.2.3.post1, 2.0.0rc1, 0.1.0+src.1a2b (local).
PY_VERSION = r"^[0-9]+(\.[0-9]+)*((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$"
# A Go package pattern relative to the module root: ".", "./cmd/payments", "./cmd/...".
GO_PACKAGE = r"^\.(/[A-Za-z0-9._-]+)*(/\.\.\.)?$"
PATTERN_NAMES.update({
    IMAGE_REPO: "an image repository without tag (envbuilder derives the tags), e.g. ghcr.io/acme/payments-ci",
    PY_VERSION: "an exact version such as 0.1.0",
    GO_PACKAGE: 'a package path relative to the module root, e.g. "." or ./cmd/payments',
})


class CiSpec(BaseModel):
    model_config = _strict_model()

    tools: list[Tool] = Field(default_factory=list, description="Tools for the ci image, exact versions only.")
    envbuilder: Annotated[str, StringConstraints(pattern=PY_VERSION)] | None = Field(
        None, description="Install this exact envbuilder release (distribution envbuilder-go) into the ci image, "
        "so pipelines can run `envbuilder verify --host` and `envbuilder inspect`. From the index of "
        "`envbuilder build --pip-conf` only.")
    image: Annotated[str, StringConstraints(pattern=IMAGE_REPO, max_length=255)] | None = Field(
        None, description="Registry repository the ci images are pushed to (tags ci-go<version>): the image "
        "that generated CI configs (`envbuilder render --ci`) run their jobs in.")
    package: Annotated[str, StringConstraints(pattern=GO_PACKAGE, max_length=255)] = Field(
        ".", description="Go package the generated CI configs cross-build for every target.")
    digests: dict[GoVersion, Digest] = Field(
        default_factory=dict, max_length=32,
        description="Pin the ci image of each locked Go version (exact, e.g. 1.22.10) by the digest "
        "`envbuilder build --target ci --push` printed: generated CI configs then run <ci.image>@<digest>, "
        "exactly the image that was verified. Not part of the lock's spec hash: it names images built from it.")
    warm_cache: bool = Field(
        False, description="Compile Go's standard library for every target into the ci image's GOCACHE at image "
        "build time (`go build -trimpath std` with each target's GOOS/GOARCH/cgo env, as verify and the generated "
        "CI jobs build), so a job's first cross builds compile only the project. Costs image size: about 170 MB "
        "per target (70 MB compressed).")


class VerifySpec(BaseModel):
    model_config = _strict_model()

    emulate: bool = Field(False, description="Also run foreign binaries under qemu-user (Linux) and wine (Windows).")
    in_image: bool = Field(False, description="With emulate: install qemu-user and wine in the dev and ci images "
                           "themselves and run foreign binaries there (e.g. for `verify --host` in a CI job). By "
                           "default they run in a separate verify-runner image (`envbuilder build --target "
                           "verify-runner`, also built with the dev and ci images), and the images stay without "
                           "emulators.")

    @field_validator("in_image")
    @classmethod
    def _in_image_needs_emulate(cls, v: bool, info: ValidationInfo) -> bool:
        if v and not info.data.get("emulate"):
            raise ValueError("needs emulate: true (it says where the emulators go)")
        return v

    @property
    def uses_runner(self) -> bool:
        """Foreign binaries run in the verify-runner image, not in the environment under test."""
        return self.emulate and not self.in_image


class Spec(BaseModel):
    """envbuilder.yaml"""

    model_config = ConfigDict(extra="forbid", frozen=True, title="envbuilder spec")

    name: Name = Field(description="Project name: used for image names and labels.")
    go: GoSpec
    modules: ModulesSpec = Field(default_factory=ModulesSpec)
    base: BaseSpec = Field(default_factory=BaseSpec)
    platforms: list[ImagePlatform] = Field(
        default_factory=lambda: ["linux/amd64"], description="Platforms the images are built for."
    )
    targets: list[Target] = Field(
        default_factory=lambda: [Target(platform="linux/amd64")], description="Cross-compile matrix."
    )
    tools: list[Tool] = Field(default_factory=list, description="Installed in the dev image with `go install`.")
    devcontainer: DevcontainerSpec = Field(default_factory=DevcontainerSpec)
    ci: CiSpec = Field(default_factory=CiSpec)
    verify: VerifySpec = Field(default_factory=VerifySpec)
    cgo: CgoSpec = Field(default_factory=CgoSpec, description="The C toolchain of every cgo target (each target's "
                         "strategy, libc and glibc override it).")

    @field_validator("targets")
    @classmethod
    def _some_targets(cls, v: list[Target]) -> list[Target]:
        if not v:
            raise ValueError("must list at least one target (omit targets for linux/amd64)")
        return v

    @field_validator("platforms")
    @classmethod
    def _platforms_unique(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("must list at least one platform")
        if len(set(v)) != len(v):
            raise ValueError("lists a platform twice")
        return v

    @model_validator(mode="after")
    def _targets_fit_go(self) -> "Spec":
        _check_cgo_defaults(self.cgo)
        for target in self.targets:
            target._defaults = self.cgo  # private: not part of the dumped (and hashed) spec
        seen: set[str] = set()
        for i, target in enumerate(self.targets):
            where: tuple[str | int, ...] = ("targets", i)
            for version in self.go.versions():
                if not goplatforms.is_valid(version, target.goos, target.goarch):
                    raise SpecRuleError(
                        (*where, "platform"),
                        f"{target.platform} is not a GOOS/GOARCH pair of Go {version} "
                        f"(`go tool dist list`); e.g. {goplatforms.suggest(version, target.goos)}",
                    )
            if target.key in seen:
                raise SpecRuleError(where, f"target {target.key} is listed twice")
            seen.add(target.key)
            if not target.cgo:
                continue
            if not goplatforms.cgo_supported(self.go.version, target.goos, target.goarch):
                raise SpecRuleError((*where, "cgo"), f"Go does not support cgo on {target.platform}")
            if target.goos in ("darwin", "ios"):
                if target.sdk is None:
                    raise SpecRuleError(
                        (*where, "cgo"),
                        f"cgo for {target.platform} needs an Apple SDK: set cgo: false, or give sdk: <path in image>",
                    )
                continue
            if target_toolchain(target) is None:
                other = "gnu" if target.toolchain_strategy == "zig" else "zig"
                raise SpecRuleError(
                    (*where, "cgo"),
                    f"no known C cross toolchain for {target.platform} (strategy {target.toolchain_strategy}); "
                    f"set cgo: false or try strategy: {other}",
                )
            _check_libc(target, where, self.cgo)
        if "linux/arm64" in self.platforms and any(t.cgo for t in self.targets):
            raise SpecRuleError(
                ("platforms",),
                "cgo cross toolchains are rendered for linux/amd64 images only: drop linux/arm64 or disable cgo",
            )
        for group, tools in (("tools", self.tools), ("ci.tools", self.ci.tools)):
            paths = [t.split("@")[0] for t in tools]
            dupes = {p for p in paths if paths.count(p) > 1}
            if dupes:
                raise SpecRuleError((group,), f"{sorted(dupes)[0]} is listed twice")
        return self


def _check_cgo_defaults(cgo: CgoSpec) -> None:
    if cgo.strategy != "zig":
        for name in ("libc", "glibc"):
            if name in cgo.model_fields_set:
                raise SpecRuleError(("cgo", name), "chooses the C library of zig builds: set cgo.strategy: zig "
                                    "(Debian's cross gcc links bookworm's glibc 2.36)")
    if cgo.libc == "musl" and cgo.glibc is not None:
        raise SpecRuleError(("cgo", "glibc"), "a glibc floor with libc: musl (musl builds need no glibc)")


def _check_libc(target: Target, where: tuple[str | int, ...], cgo: CgoSpec) -> None:
    """The C library a target's zig build asks for is one zig can give it."""
    own = [name for name in ("libc", "glibc") if getattr(target, name) is not None]
    if own and target.goos != "linux":
        raise SpecRuleError((*where, own[0]), f"{getattr(target, own[0])} is a Linux C library: "
                            f"{target.platform} links {'mingw' if target.goos == 'windows' else 'its own'}")
    if own and target.toolchain_strategy != "zig":
        raise SpecRuleError((*where, own[0]), "chooses the C library of a zig build: set strategy: zig "
                            "(Debian's cross gcc links bookworm's glibc 2.36)")
    libc = target.zig_libc
    if libc is None or libc.glibc is None:
        if libc is not None and libc.musl and target.glibc is not None:
            raise SpecRuleError((*where, "glibc"), "a glibc floor with libc: musl (musl builds need no glibc)")
        return
    floor = glibc_tuple(libc.glibc)
    field = (*where, "glibc") if target.glibc else ("cgo", "glibc")
    target_profile = profile(target.goos, target.goarch, target.goarm)
    lowest = target_profile.glibc_min if target_profile else GLIBC_FLOOR_MIN
    if floor < lowest:
        raise SpecRuleError(field, f"glibc {libc.glibc} is older than zig {ZIG_VERSION} supports for "
                            f"{target.platform} (oldest: {lowest[0]}.{lowest[1]})")
    if floor > ZIG_GLIBC_MAX:
        raise SpecRuleError(field, f"glibc {libc.glibc} is newer than zig {ZIG_VERSION} knows "
                            f"(newest: {ZIG_GLIBC_MAX[0]}.{ZIG_GLIBC_MAX[1]})")


class SpecRuleError(ValueError):
    """A cross-field rule failed; `loc` points at the field to blame (for file:line in the message)."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def json_schema() -> dict:
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://envbuilder.dev/schema/envbuilder.schema.json"
    return schema
