"""Each module setting the lock pins, compared with its effective value on this machine and the layer it
comes from (environment, go env -w file, $GOROOT/go.env, Go's default)."""

from __future__ import annotations

from typing import Callable

from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding, passed, skipped
from envbuilder.doctor.settings import ENVIRONMENT, fix_command

_GLOB_LISTS = {"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"}


def normalized(name: str, value: str) -> object:
    """Values that mean the same to the go command compare equal (glob order, GOFLAGS spacing)."""
    if name in _GLOB_LISTS:
        return frozenset(g for g in value.split(",") if g)
    if name == "GOFLAGS":
        return tuple(value.split())
    return value.strip()


def setting_check(name: str) -> Callable[[Context], Finding]:
    def check(ctx: Context) -> Finding:
        if not ctx.go_env:
            return skipped("no go on PATH that runs")
        setting = ctx.setting(name)
        shown = f"{name}={setting.value!r} ({setting.where})"
        hidden = tuple(f"{name}={layer.value!r} in the {layer.where}, hidden by the {setting.where}"
                       for layer in setting.hidden)
        expected = ctx.project.expected_settings()
        if expected is None:
            return passed(shown + " (no lock to compare with)", *hidden)
        want = expected[name]
        if normalized(name, setting.value) != normalized(name, want):
            also = "".join(f"; it hides {layer.value!r} from the {layer.where}" for layer in setting.hidden)
            # GOTOOLCHAIN alone does not change a build: doctor.toolchain.select says whether it switches Go.
            status = "warn" if name == "GOTOOLCHAIN" else "fail"
            return Finding(status, f"{name} is {setting.value!r} ({setting.where}){also}; the lock says {want!r}",
                           fix_command(ctx.layers, name, want), hidden, expected=want, actual=setting.value)
        goenv_layers = [layer for layer in setting.hidden if layer.where == ctx.layers.goenv_label]
        if setting.where == ENVIRONMENT and goenv_layers:
            return Finding("warn", f"{name} is set twice: {setting.value!r} in the environment and "
                           f"{goenv_layers[0].value!r} in the {goenv_layers[0].where}; the environment wins",
                           f"go env -u {name}", hidden, expected=want, actual=setting.value)
        return passed(shown + " as locked", *hidden)

    check.__name__ = f"check_{name.lower()}"
    check.__doc__ = f"{name} as the lock pins it, and where its value comes from."
    return check
