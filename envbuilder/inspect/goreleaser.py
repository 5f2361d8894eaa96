"""goreleaser's `dist/artifacts.json`: the binaries a release declares and the platform of each.

Only binary-like artifacts are checked (type Binary, Universal Binary, C Shared Library); archives,
checksums and packages are not executables. `path` is relative to the project root goreleaser ran in,
which is the parent of the dist directory holding artifacts.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from envbuilder.errors import InputError
from envbuilder.fsutil import read_input
from envbuilder.inspect.platform import Platform, normalize_variant
from envbuilder.jsoninput import parse_json

# goreleaser writes ~1 KB per artifact: 8 MB is thousands of them, and parses in well under 200 MB.
MAX_ARTIFACTS_BYTES = 8 << 20
BINARY_TYPES = {"Binary", "Universal Binary", "C Shared Library", "Uploadable Binary"}
# goreleaser field for the variant of each GOARCH.
_VARIANT_FIELD = {"arm": "goarm", "amd64": "goamd64", "arm64": "goarm64", "386": "go386",
                  "mips": "gomips", "mipsle": "gomips", "ppc64": "goppc64", "ppc64le": "goppc64", "riscv64": "goriscv64"}


class Artifact(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    path: str = Field(max_length=4096, pattern=r"^[^\x00]+$")  # a NUL would make every path lookup raise
    type: str
    goos: str | None = None
    goarch: str | None = None
    goarm: str | None = None
    goamd64: str | None = None
    goarm64: str | None = None
    go386: str | None = None
    gomips: str | None = None
    goppc64: str | None = None
    goriscv64: str | None = None


@dataclass(frozen=True)
class Claim:
    """What goreleaser says one file is."""

    path: Path
    name: str
    platform: Platform  # arch "all" for a universal (fat) darwin binary


def read_artifacts(path: Path) -> list[Claim]:
    """The claims of every binary-like artifact in PATH; InputError naming the file and field if malformed."""
    data = read_input(path, "no such file", limit=MAX_ARTIFACTS_BYTES, what="goreleaser artifacts list")
    raw = parse_json(data, str(path), "goreleaser artifacts list")
    if not isinstance(raw, list):
        raise InputError(f"{path}: expected a JSON list of artifacts, got {type(raw).__name__}")
    claims = []
    for i, item in enumerate(raw):
        try:
            artifact = Artifact.model_validate(item)
        except ValidationError as e:
            err = e.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            raise InputError(f"{path}: [{i}].{field}: {err['msg'].lower()}") from None
        if artifact.type not in BINARY_TYPES:
            continue
        if not artifact.goos or not artifact.goarch:
            raise InputError(f"{path}: [{i}] ({artifact.name}): a {artifact.type} needs goos and goarch")
        field = _VARIANT_FIELD.get(artifact.goarch)
        variant = getattr(artifact, field) if field else None
        platform = Platform(artifact.goos, artifact.goarch, normalize_variant(artifact.goarch, variant))
        claims.append(Claim(_resolve(path, artifact.path), artifact.name, platform))
    return claims


def _resolve(artifacts_json: Path, listed: str) -> Path:
    p = Path(listed)
    if p.is_absolute():
        return p
    root = artifacts_json.resolve().parent.parent
    for base in (root, Path.cwd(), artifacts_json.resolve().parent):
        if (base / p).exists():
            return base / p
    return root / p  # missing: reported as such against the path goreleaser meant
