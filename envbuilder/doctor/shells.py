"""What a new login shell sees: its `go` and Go variables (bash, and zsh where installed), run for real with
the same HOME so the user's startup files are read; a difference names the startup file that causes it."""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath
from dataclasses import dataclass
from typing import Callable

from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding, passed, skipped
from envbuilder.doctor.go_checks import locked_go_dir, put_first
from envbuilder.doctor.go_checks import root_version as _root_version
from envbuilder.doctor.machine import which

SHELL_TIMEOUT = 5.0
MARK = "__envbuilder_doctor__"
VARIABLES = ("GOROOT", "GOPATH", "GOBIN", "GOTOOLCHAIN", "GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY",
             "GONOSUMDB", "GOFLAGS", "GOINSECURE", "CGO_ENABLED", "GOENV")
# POSIX sh that bash and zsh both run: the go a command lookup finds, then each variable that is set.
SCRIPT = (f"printf '\\0{MARK}\\0'; printf 'GO=%s\\0' \"$(command -v go 2>/dev/null)\"; "
          f"for v in {' '.join(VARIABLES)}; do eval \"if [ -n \\\"\\${{$v+x}}\\\" ]; then "
          f"printf '%s=%s\\0' $v \\\"\\$$v\\\"; fi\"; done")


@dataclass(frozen=True)
class LoginShell:
    shell: str
    go: str  # "" when a new login shell finds no go
    variables: dict[str, str]


def startup_files(shell: str, home: str, zdotdir: str | None, exists: Callable[[str], bool]) -> list[str]:
    """The files a login shell of SHELL reads, in order (bash reads the first of its three user files)."""
    if shell == "zsh":
        z = zdotdir or home
        return ["/etc/zsh/zshenv", f"{z}/.zshenv", "/etc/zsh/zprofile", f"{z}/.zprofile", "/etc/zsh/zlogin",
                f"{z}/.zlogin"]
    user = next((f"{home}/{n}" for n in (".bash_profile", ".bash_login", ".profile") if exists(f"{home}/{n}")),
                f"{home}/.profile")
    return ["/etc/profile", user, f"{home}/.bashrc"]


def user_startup_file(shell: str, home: str, zdotdir: str | None, exists: Callable[[str], bool]) -> str:
    """The file to add a line to so every new login shell of SHELL sees it."""
    if shell == "zsh":
        return f"{zdotdir or home}/.zprofile"
    return startup_files("bash", home, None, exists)[1]


def run_login_shell(ctx: Context, shell_path: str, shell: str) -> LoginShell | str:
    ran = ctx.machine.run([shell_path, "-l", "-c", SCRIPT], timeout=SHELL_TIMEOUT, cwd=ctx.home or None)
    if ran.rc is None:
        return ran.error
    if MARK not in ran.out:
        return f"`{shell} -l` printed nothing usable (exit status {ran.rc})"
    fields = ran.out.rsplit(f"\0{MARK}\0", 1)[-1].split("\0")
    values = dict(f.split("=", 1) for f in fields if "=" in f)
    go = values.pop("GO", "")
    return LoginShell(shell, go, values)


def start_login_shells(ctx: Context) -> None:
    """Start a login shell of each installed shell now, in the background (they read startup files: slow)."""
    for shell in ("bash", "zsh"):
        shell_path = which(ctx.machine, shell)
        if shell_path is not None:
            ctx.start(f"login:{shell}", lambda p=shell_path, s=shell: run_login_shell(ctx, p, s))


def _needles(ctx: Context, directory: str) -> list[str]:
    h = ctx.home.rstrip("/")
    out = [directory]
    if h and directory.startswith(h + "/"):
        rest = directory[len(h):]
        out += ["~" + rest, "$HOME" + rest, "${HOME}" + rest]
    return out


def find_cause(ctx: Context, files: list[str], needles: list[str] | None = None,
               pattern: re.Pattern[str] | None = None) -> tuple[str, int, str] | None:
    """The last line (file, number, text) of FILES that mentions a needle or matches PATTERN."""
    found = None
    for path in files:
        for number, line in enumerate((ctx.machine.read_text(path) or "").splitlines(), 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if (needles and any(n in text for n in needles)) or (pattern and pattern.search(text)):
                found = (path, number, text)
    return found


def login_shell_check(shell: str) -> Callable[[Context], Finding | None]:
    def check(ctx: Context) -> Finding | None:
        shell_path = which(ctx.machine, shell)
        if shell_path is None:
            return skipped(f"{shell} is not on PATH") if shell == "bash" else None
        if ctx.go is None:
            return skipped("no go on PATH to compare with")
        seen = ctx.shared(f"login:{shell}", lambda: run_login_shell(ctx, shell_path, shell))
        if isinstance(seen, str):
            return skipped(f"could not start a {shell} login shell: {seen}")
        zdotdir = ctx.machine.env.get("ZDOTDIR")
        files = startup_files(shell, ctx.home, zdotdir, ctx.machine.is_file)
        target = user_startup_file(shell, ctx.home, zdotdir, ctx.machine.is_file)
        locked = ctx.project.locked_version
        go_dir = (locked and locked_go_dir(ctx, locked)) or ctx.go.path.rsplit("/", 1)[0]
        path_line = 'export PATH="' + ctx.shell_path(go_dir) + ':$PATH"'
        add_path = f"echo {shlex.quote(path_line)} >> {ctx.shell_path(target)}"
        rehash = "rehash" if shell == "zsh" else "hash -r"
        now = f"this shell runs {ctx.short(ctx.go.path)} (go{ctx.go.version})"
        if not seen.go:
            return Finding("warn", f"a new {shell} login shell finds no go; {now}", add_path,
                           (f"startup files: {', '.join(ctx.short(f) for f in files if ctx.machine.is_file(f))}",))
        login_real = ctx.machine.realpath(seen.go)
        if login_real != ctx.machine.realpath(ctx.go.path):
            login_dir = seen.go.rsplit("/", 1)[0]
            tree = _root_version(ctx, str(PurePosixPath(login_real).parent.parent))
            version = f" (go{tree})" if tree else ""
            if locked and tree == locked and ctx.go.version != locked:
                # New shells are right; only this one is not (PATH changed by hand or by a non-login file).
                return Finding("warn", f"a new {shell} login shell runs the locked go{locked} "
                               f"({ctx.short(seen.go)}), but {now}", put_first(ctx, locked),
                               expected=ctx.short(seen.go), actual=ctx.short(ctx.go.path))
            cause = find_cause(ctx, files, _needles(ctx, login_dir))
            because = (f": {ctx.short(cause[0])}:{cause[1]} puts {ctx.short(login_dir)} on PATH (`{cause[2]}`)"
                       if cause else "")
            return Finding("fail", f"a new {shell} login shell runs {ctx.short(seen.go)}{version}, but {now}"
                           f"{because}; shells that remember command paths need `{rehash}` after a change",
                           add_path, expected=ctx.short(ctx.go.path), actual=ctx.short(seen.go))
        differences = []
        for name in VARIABLES:
            mine, theirs = ctx.machine.env.get(name), seen.variables.get(name)
            if (mine or "") == (theirs or ""):
                continue
            cause = find_cause(ctx, files, pattern=re.compile(rf"\b{name}="))
            where = f" (set by {ctx.short(cause[0])}:{cause[1]})" if cause else ""
            differences.append((name, mine, theirs, where))
        if differences:
            name, mine, theirs, where = differences[0]
            export_line = f"export {name}={shlex.quote(mine)}" if mine else ""
            fix = (f"echo {shlex.quote(export_line)} >> {ctx.shell_path(target)}"
                   if mine else f"remove the line that sets {name} from {ctx.short(target)}")
            text = "; ".join(f"{n}: this shell {m!r}, a new login shell {t!r}{w}" for n, m, t, w in differences)
            return Finding("warn", f"a new {shell} login shell sees other Go variables: {text}", fix)
        return passed(f"a new {shell} login shell runs the same go and Go variables")

    check.__name__ = f"check_{shell}_login"
    check.__doc__ = f"A new {shell} login shell sees the same go and Go variables as this process."
    return check
