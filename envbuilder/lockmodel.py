"""envbuilder.lock as pydantic models: every field has a type and a pattern, checked on every read.

The lock is input like the spec (committed, editable, mergeable), and its values reach the rendered files
(FROM, the Go download step, GOTOOLCHAIN, `go install`), so each one is held to the spec's own patterns and
to the rules that tie lock fields together (a tarball's name follows its version and platform, its URL ends
in that name, the locked release is one of the requested minor). Whether the lock still matches the spec is
the other half, in lock.py.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from envbuilder.errors import InputError
from envbuilder.goreleases import tarball_name
from envbuilder.spec.load import format_loc
from envbuilder.spec.models import (
    GO_EXACT_VERSION,
    PATTERN_NAMES,
    ArchivePath,
    Digest,
    GoVersion,
    ImageName,
    ImagePlatform,
    ModulePath,
    ModuleVersion,
    SpecRuleError,
    ToolchainPolicy,
    Url,
)

LOCK_VERSION = 1
SHA256_HEX = r"^[0-9a-f]{64}$"
TARBALL_NAME = r"^go[0-9.]+\.[a-z0-9]+-[a-z0-9]+\.tar\.gz$"
MAX_ARCHIVE_SIZE = 1 << 40  # far above any Go tarball (~100 MB); a bound, so size stays a sane integer
ZIG_RELEASE = r"^[0-9]+\.[0-9]+\.[0-9]+(\.post[0-9]+)?$"
ZIG_WHEEL_NAME = r"^ziglang-[0-9][0-9a-z.]*-py3-none-[A-Za-z0-9_.]+\.whl$"
PATTERN_NAMES.update({SHA256_HEX: "a sha256 hex digest (64 hex digits)",
                      TARBALL_NAME: "a Go tarball name such as go1.22.10.linux-amd64.tar.gz",
                      ZIG_RELEASE: "a ziglang release such as 0.14.1",
                      ZIG_WHEEL_NAME: "a ziglang wheel file name"})
ToolStage = Literal["dev", "ci"]  # the image stages that install tools


def _strict() -> ConfigDict:
    # strict: JSON "12" is not a size and true is not a lock version; frozen: a read lock is a value.
    return ConfigDict(extra="forbid", frozen=True, strict=True)


class ArchiveLock(BaseModel):
    model_config = _strict()
    filename: str = Field(pattern=TARBALL_NAME)
    url: Url | None = None
    path: ArchivePath | None = None  # offline archive, spec-relative
    sha256: str = Field(pattern=SHA256_HEX)
    size: int | None = Field(None, ge=0, le=MAX_ARCHIVE_SIZE)

    @model_validator(mode="after")
    def _one_source(self) -> "ArchiveLock":
        if (self.url is None) == (self.path is None):
            raise SpecRuleError(("url",), "give exactly one of url (a download) and path (an offline archive)")
        if self.url is not None and not self.url.endswith("/" + self.filename):
            raise SpecRuleError(("url",), f"does not end with the archive's filename {self.filename}")
        return self


class GoLock(BaseModel):
    model_config = _strict()
    requested: GoVersion
    version: str = Field(pattern=GO_EXACT_VERSION)
    toolchain: ToolchainPolicy
    archives: dict[ImagePlatform, ArchiveLock] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "GoLock":
        if not (self.version == self.requested or self.version.startswith(self.requested + ".")):
            raise SpecRuleError(("version",), f"{self.version} is not a release of the requested Go {self.requested}")
        for platform, archive in self.archives.items():
            expected = tarball_name(self.version, platform)
            if archive.filename != expected:
                raise SpecRuleError(("archives", platform, "filename"),
                                    f"{archive.filename} is not the Go {self.version} {platform} tarball ({expected})")
        return self


class ZigLock(BaseModel):
    """The zig every zig cc wrapper runs: PyPI's `ziglang` release and its wheel for the images' platform."""

    model_config = _strict()
    version: str = Field(pattern=ZIG_RELEASE)
    wheel: str = Field(pattern=ZIG_WHEEL_NAME)
    sha256: str = Field(pattern=SHA256_HEX)

    @model_validator(mode="after")
    def _wheel_of_version(self) -> "ZigLock":
        if not self.wheel.startswith(f"ziglang-{self.version}-"):
            raise SpecRuleError(("wheel",), f"{self.wheel} is not a wheel of ziglang {self.version}")
        return self


class BaseLock(BaseModel):
    model_config = _strict()
    image: ImageName
    digest: Digest | None = Field(None, description="Registry digest, if known.")
    image_id: Digest | None = Field(None, description="Local image ID, if known.")


class ToolLock(BaseModel):
    model_config = _strict()
    module: ModulePath
    version: ModuleVersion
    stage: ToolStage


class Lock(BaseModel):
    model_config = _strict()
    lock_version: int = LOCK_VERSION
    spec_hash: Digest
    go: GoLock  # the primary version
    go_matrix: list[GoLock] = Field(default_factory=list, description="Further Go versions (spec go.matrix).")
    base: BaseLock
    tools: list[ToolLock]
    zig: ZigLock | None = Field(None, description="zig, when a cgo target builds with it.")

    @field_validator("lock_version", mode="before")
    @classmethod
    def _supported(cls, value: object) -> object:
        if type(value) is not int or value != LOCK_VERSION:
            raise ValueError(f"{_shown(value)} is not supported: this envbuilder reads lock_version {LOCK_VERSION} only")
        return value

    @model_validator(mode="after")
    def _distinct_releases(self) -> "Lock":
        versions = [g.version for g in self.go_versions()]
        for i, version in enumerate(versions[1:]):
            if version in versions[: i + 1]:
                raise SpecRuleError(("go_matrix", i, "version"), f"Go {version} is locked twice")
        return self

    def go_versions(self) -> list[GoLock]:
        return [self.go, *self.go_matrix]

    def go_for(self, version: str | None) -> GoLock:
        """The locked Go for VERSION: exact ("1.24.11"), as requested ("1.24"), or None for the primary."""
        if version is None:
            return self.go
        for g in self.go_versions():
            if version in (g.version, g.requested):
                return g
        known = ", ".join(g.version for g in self.go_versions())
        raise InputError(f"Go {version} is not in the lock (locked: {known})")

    def as_json(self) -> dict[str, Any]:
        """The lock as JSON data; `zig` only when it pins one, so a lock without zig reads as it always has."""
        data = self.model_dump(mode="json")
        if data["zig"] is None:
            del data["zig"]
        return data

    def to_bytes(self) -> bytes:
        return (json.dumps(self.as_json(), indent=2, sort_keys=True) + "\n").encode()

    @property
    def hash(self) -> str:
        return "sha256:" + hashlib.sha256(self.to_bytes()).hexdigest()


# ---- one-line errors ---------------------------------------------------------------------------------------


def _shown(value: object, limit: int = 60) -> str:
    """VALUE for an error message: repr (so a newline shows as \\n and the message stays one line), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(error: dict[str, Any]) -> str:
    # pydantic adds '[key]' for a bad dict key and validator names such as 'function-after[...]'; keep the
    # path the user reads in the file. Keys are shown as written, or repr'd when they hold odd characters.
    loc: list[str | int] = []
    for part in error["loc"]:
        if isinstance(part, int):
            loc.append(part)
        elif part == "[key]" or part.startswith(("function-", "constrained-")):
            continue
        else:
            loc.append(part if part.isprintable() and part.replace("/", "").replace("_", "").isalnum() else _shown(part))
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SpecRuleError):
        loc += list(cause.loc)
    return format_loc(tuple(loc))


def _message(error: dict[str, Any]) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SpecRuleError):
        return cause.message
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        pattern = error["ctx"]["pattern"]
        return f"{_shown(error.get('input'))} is not {PATTERN_NAMES.get(pattern, 'allowed here')}"
    msg = str(error["msg"]).removeprefix("Value error, ").replace("\n", " ")
    if "input" in error and kind not in ("value_error", "json_invalid"):
        msg += f" (got {_shown(error['input'])})"
    return msg


def describe(exc: ValidationError) -> str:
    """The first problem of EXC as `field: message`; a lock_version problem first (a newer lock's other
    fields would only confuse), and a count of the rest."""
    errors = exc.errors(include_url=False)
    first = next((e for e in errors if e["loc"][:1] == ("lock_version",)), errors[0])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{_where(first)}: {_message(first)}{more}"


def parse_lock(raw: bytes, source: str) -> Lock:
    """Validate a lock file's bytes; InputError `SOURCE: field: problem` (one line) when anything is off."""
    try:
        return Lock.model_validate_json(raw)
    except ValidationError as exc:
        raise InputError(f"{source}: {describe(exc)} (regenerate it with `envbuilder lock`)") from None
