"""What inspect knows about one file: header facts, linkage and the Go build info. These records are the JSON
output's schema (`BinaryFacts.model_json_schema()`); plain dataclasses (envbuilder.record) so that inspecting
a binary needs no pydantic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from envbuilder.record import Record

Format = Literal["elf", "pe", "macho", "macho-fat", "unknown"]
Kind = Literal["exe", "shared", "object", "core", "other"]


@dataclass
class Module(Record):
    path: str
    version: str = ""
    sum: str = ""
    replace: Module | None = None


@dataclass
class GoBuildInfo(Record):
    """Go's build info as `go version -m` shows it, plus the settings most checks need, lifted out."""

    go_version: str  # "go1.22.10"
    path: str = ""  # main package path
    main: Module | None = None
    deps: list[Module] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)  # in build order, as the binary has them
    blob_format: Literal["inline", "pointer"] = "inline"  # Go 1.18+ inline varints, or older pointers
    modinfo: str = ""  # the raw module text (without framing), for byte-exact comparison with the oracle

    def setting(self, key: str) -> str | None:
        for k, v in self.settings:
            if k == key:
                return v
        return None

    @property
    def goos(self) -> str | None:
        return self.setting("GOOS")

    @property
    def goarch(self) -> str | None:
        return self.setting("GOARCH")

    @property
    def arch_level(self) -> str | None:
        """GOARM / GOAMD64 / GO386 / GOARM64 / ...: the feature level of GOARCH, when recorded."""
        arch = self.goarch
        return self.setting(f"GO{arch.upper()}") if arch else None

    @property
    def cgo(self) -> bool | None:
        value = self.setting("CGO_ENABLED")
        return None if value is None else value == "1"

    @property
    def trimpath(self) -> bool:
        return self.setting("-trimpath") == "true"


@dataclass
class BinaryFacts(Record):
    """Facts about one file (or one slice of a fat Mach-O). `error` set means it could not be fully read;
    whatever was read before the error is still reported."""

    path: str
    size: int = 0
    format: Format = "unknown"
    bits: int | None = None
    endian: Literal["little", "big"] | None = None
    machine: str | None = None  # the header's own name: EM_X86_64, IMAGE_FILE_MACHINE_ARM64, CPU_TYPE_ARM64
    os: str | None = None  # from the headers: linux (ELF System V), freebsd, windows, darwin, ...
    arch: str | None = None  # GOARCH spelling of the machine: amd64, 386, arm, arm64, s390x, ...
    os_abi: str | None = None  # ELF EI_OSABI; PE "windows"; Mach-O build platform
    kind: Kind | None = None
    linkage: Literal["static", "dynamic"] | None = None
    interpreter: str | None = None
    needed: list[str] = field(default_factory=list)  # DT_NEEDED / imported DLLs / LC_LOAD_DYLIB
    subsystem: str | None = None  # PE only
    min_os: str | None = None  # Mach-O only: LC_BUILD_VERSION minos or LC_VERSION_MIN_*
    stripped: bool | None = None
    pie: bool | None = None
    go: GoBuildInfo | None = None
    slices: list[BinaryFacts] = field(default_factory=list)  # fat Mach-O: one entry per architecture
    error: str | None = None

    @property
    def is_go(self) -> bool:
        return self.go is not None

    @property
    def platform(self) -> str | None:
        """os/arch from the headers (fat Mach-O: darwin/<arch>+<arch>)."""
        if self.slices:
            return "darwin/" + "+".join(s.arch or "?" for s in self.slices)
        if self.os and self.arch:
            return f"{self.os}/{self.arch}"
        return None
