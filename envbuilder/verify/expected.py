"""What a correct environment looks like, derived from spec + lock: the suite's expected values.

A target's binary expectations (format, word size, byte order, dynamic loader) and how to run it are its
profile's (envbuilder/profiles.py); machines are compared through their GOARCH spelling, which the
inspect parsers give.
"""

from __future__ import annotations

from dataclasses import dataclass

from envbuilder.lock import Lock
from envbuilder.profiles import (CgoToolchain, Execution, Header, Profile, build_env, header, profile,
                                 target_toolchain)
from envbuilder.spec.models import Spec, Target


@dataclass(frozen=True)
class TargetExpectation:
    target: Target
    toolchain: CgoToolchain | None

    @property
    def key(self) -> str:
        return self.target.key

    @property
    def output(self) -> str:
        return f"out/{self.key}" + (".exe" if self.target.goos == "windows" else "")

    @property
    def profile(self) -> Profile | None:
        """None for a pure-Go target envbuilder has no profile for (e.g. linux/loong64)."""
        return profile(self.target.goos, self.target.goarch, self.target.goarm)

    @property
    def header(self) -> Header:
        return header(self.target.goos, self.target.goarch)

    @property
    def format(self) -> str | None:
        return self.header.format

    @property
    def bits(self) -> int:
        return self.header.bits

    @property
    def endian(self) -> str:
        return self.header.endian

    @property
    def interpreter(self) -> str | None:
        libc = self.target.zig_libc
        if self.target.goos != "linux" or not self.target.cgo or self.profile is None or libc and libc.musl:
            return None
        return self.profile.loader

    @property
    def execution(self) -> Execution:
        return self.profile.execution if self.profile else Execution()

    def build_env(self) -> dict[str, str]:
        return build_env(self.target)  # the one definition, shared with the generated CI pipelines


@dataclass(frozen=True)
class Expectations:
    spec: Spec
    lock: Lock
    go: str | None = None  # which locked Go (go.matrix); None: the primary

    @property
    def go_version(self) -> str:
        return self.lock.go_for(self.go).version

    @property
    def module_env(self) -> dict[str, str]:
        return self.spec.modules.env()

    def targets(self) -> list[TargetExpectation]:
        out = []
        for t in self.spec.targets:
            out.append(TargetExpectation(t, target_toolchain(t)))
        return out

    def tools(self, stage: str) -> list[tuple[str, str]]:
        return [(t.module, t.version) for t in self.lock.tools if t.stage == stage]
