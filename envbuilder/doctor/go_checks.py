"""Findings about the go installs themselves: which go runs, GOROOT, GOPATH/bin, pinned tools, and the
toolchain the go command will really run in the project directory."""

from __future__ import annotations

from pathlib import PurePosixPath

from envbuilder.doctor import gover
from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding, passed, skipped
from envbuilder.doctor.installs import GoInstall, gopath_bin, origin
from envbuilder.doctor.machine import path_dirs, which
from envbuilder.doctor.settings import ENVIRONMENT, fix_command


def _describe(ctx: Context, install: GoInstall, runs: bool) -> str:
    version = f"go{install.version}" if install.version else f"unknown version ({install.error})"
    real = f" -> {ctx.short(install.real)}" if install.real != install.path else ""
    return (f"{ctx.short(install.path)}{real}: {version}, {origin(ctx.machine, install)}"
            f"{' (runs)' if runs else ' (shadowed)'}")


def root_version(ctx: Context, root: str) -> str:
    text = ctx.machine.read_text(str(PurePosixPath(root) / "VERSION")) or ""
    first = text.splitlines()[0] if text else ""
    return first[2:] if first.startswith("go") else ""


def _known_roots(ctx: Context, version: str) -> list[str]:
    """Places a Go VERSION is often installed without being on PATH."""
    h, env = ctx.home, ctx.go_env
    minor = ".".join(version.split(".")[:2])
    goos, goarch = env.get("GOHOSTOS", ctx.machine.facts.system), env.get("GOHOSTARCH", "amd64")
    modcache = env.get("GOMODCACHE") or f"{h}/go/pkg/mod"
    return [f"{h}/sdk/go{version}", "/usr/local/go", f"/usr/lib/go-{minor}", f"{h}/.goenv/versions/{version}",
            f"{h}/.gvm/gos/go{version}", f"{h}/.asdf/installs/golang/{version}/go",
            f"/opt/homebrew/Cellar/go/{version}/libexec", f"/usr/local/Cellar/go/{version}/libexec",
            f"{modcache}/golang.org/toolchain@v0.0.1-go{version}.{goos}-{goarch}"]


def locked_go_dir(ctx: Context, version: str) -> str | None:
    """The bin directory of an installed Go VERSION: on PATH first, else in a well-known place."""
    for install in ctx.installs:
        if install.version == version and not install.path.endswith(".exe"):
            return str(PurePosixPath(install.path).parent)
    for root in _known_roots(ctx, version):
        if ctx.machine.is_executable(f"{root}/bin/go") and root_version(ctx, root) == version:
            return f"{root}/bin"
    return None


def put_first(ctx: Context, version: str) -> str:
    """The command that makes Go VERSION the go that runs: its bin first on PATH, installing it if need be."""
    where = locked_go_dir(ctx, version)
    several = " && hash -r" if len({i.real for i in ctx.installs}) > 1 else ""
    return f'export PATH="{ctx.shell_path(where)}:$PATH"{several}' if where else install_command(ctx, version)


def install_command(ctx: Context, version: str) -> str:
    spec = ctx.project.spec
    base = (spec.go.download if spec is not None else "https://go.dev/dl/").rstrip("/")
    goos = ctx.go_env.get("GOHOSTOS") or ctx.machine.facts.system
    goarch = ctx.go_env.get("GOHOSTARCH") or {"x86_64": "amd64", "aarch64": "arm64"}.get(
        ctx.machine.facts.machine, ctx.machine.facts.machine)
    dest = f"$HOME/sdk/go{version}"
    return (f'mkdir -p "{dest}" && curl -fsSL {base}/go{version}.{goos}-{goarch}.tar.gz | tar -xz -C "{dest}" '
            f'--strip-components=1 && export PATH="{dest}/bin:$PATH"')


def check_path_go(ctx: Context) -> Finding:
    installs = ctx.installs
    locked = ctx.project.locked_version
    several = len({i.real for i in installs}) > 1
    rehash = " && hash -r" if several else ""
    evidence = tuple(_describe(ctx, i, i is ctx.go) for i in installs)
    go = ctx.go
    if go is None:
        if locked:
            where = locked_go_dir(ctx, locked)
            fix = (f'export PATH="{ctx.shell_path(where)}:$PATH"' if where else install_command(ctx, locked))
            return Finding("fail", f"no go on PATH; the lock pins go{locked}", fix, evidence,
                           expected=f"go{locked}", actual="none")
        return Finding("fail", "no go on PATH", "install Go from https://go.dev/dl/ and put its bin on PATH",
                       evidence)
    if not go.version:
        return Finding("fail", f"the go on PATH ({ctx.short(go.path)}) does not run: {go.error}",
                       f"remove {ctx.short(go.path)} or put a working Go before it on PATH", evidence)
    if locked is None or go.version == locked:
        return passed(f"go{go.version} at {ctx.short(go.path)}" + (" (the locked version)" if locked else ""),
                      *evidence)
    where = locked_go_dir(ctx, locked)
    fix = f'export PATH="{ctx.shell_path(where)}:$PATH"{rehash}' if where else install_command(ctx, locked)
    shadow = f"; go{locked} is installed at {ctx.short(where)} but comes later" if where else ""
    return Finding("fail", f"the go on PATH is go{go.version} ({ctx.short(go.path)}, "
                   f"{origin(ctx.machine, go)}), the lock pins go{locked}{shadow}", fix, evidence,
                   expected=f"go{locked}", actual=f"go{go.version}")


def check_goroot(ctx: Context) -> Finding:
    go = ctx.go
    if go is None or not go.env:
        return skipped("no go on PATH that runs")
    setting = ctx.setting("GOROOT")
    own_root = go.root
    if not setting.value:
        return passed(f"GOROOT is not set: go{go.version} uses its own tree {ctx.short(own_root)}")
    goroot = setting.value
    where = "the environment" if setting.where == ENVIRONMENT else setting.where
    unset = "unset GOROOT" if setting.where == ENVIRONMENT else "go env -u GOROOT"
    if ctx.machine.realpath(goroot) != ctx.machine.realpath(own_root):
        tree = root_version(ctx, goroot)
        evidence = (f"GOROOT={ctx.short(goroot)} ({where})", f"go{go.version} runs from {ctx.short(own_root)}")
        if tree != go.version:
            return Finding("fail", f"GOROOT points at {'go' + tree if tree else 'no Go'} tree {ctx.short(goroot)} "
                           f"but the go that runs is go{go.version}: builds fail with \"version go{tree or '?'} "
                           f"does not match go tool version go{go.version}\"", unset, evidence,
                           expected=ctx.short(own_root), actual=ctx.short(goroot))
        return Finding("warn", f"GOROOT points at another copy of go{go.version} ({ctx.short(goroot)})", unset,
                       evidence, expected=ctx.short(own_root), actual=ctx.short(goroot))
    bin_dir = ctx.machine.realpath(f"{goroot}/bin")
    if bin_dir not in {ctx.machine.realpath(d) for d in path_dirs(ctx.machine.env)}:
        return Finding("warn", f"GOROOT {ctx.short(goroot)} is set ({where}) but its bin is not on PATH "
                       "(gofmt and go tool programs may come from elsewhere)",
                       f'export PATH="{ctx.shell_path(goroot)}/bin:$PATH"')
    return passed(f"GOROOT={ctx.short(goroot)} ({where}) is the tree of the go that runs")


def _dev_tools(ctx: Context) -> list:
    lock = ctx.project.lock
    return [t for t in lock.tools if t.stage == "dev"] if lock is not None else []


def _on_path(ctx: Context, directory: str) -> bool:
    real = ctx.machine.realpath(directory)
    return any(ctx.machine.realpath(d) == real for d in path_dirs(ctx.machine.env))


def check_gobin(ctx: Context) -> Finding:
    if not ctx.go_env:
        return skipped("no go on PATH that runs")
    directory = gopath_bin(ctx.go_env)
    label = "GOBIN" if ctx.go_env.get("GOBIN") else "GOPATH/bin"
    if _on_path(ctx, directory):
        return passed(f"{label} {ctx.short(directory)} is on PATH")
    tools = _dev_tools(ctx)
    status = "fail" if tools else "warn"
    needs = f": the pinned tools ({', '.join(tool_name(t.module) for t in tools)}) are not found" if tools else ""
    return Finding(status, f"{label} {ctx.short(directory)} is not on PATH{needs}",
                   f'export PATH="$PATH:{ctx.shell_path(directory)}"')


def tool_name(package: str) -> str:
    """The program `go install` writes: the last path element, skipping a major-version suffix."""
    parts = package.split("/")
    if len(parts) > 1 and parts[-1].startswith("v") and parts[-1][1:].isdigit():
        return parts[-2]
    return parts[-1]


def check_tools(ctx: Context) -> Finding:
    if ctx.project.lock is None:
        return skipped("no envbuilder.lock: no pinned tools")
    tools = _dev_tools(ctx)
    if not tools:
        return passed("the lock pins no tools")
    if not ctx.go_env:
        return skipped("no go on PATH that runs")
    from envbuilder.inspect.analyze import analyze

    directory = gopath_bin(ctx.go_env)
    problems: list[tuple[str, str]] = []
    evidence = []
    exe = ".exe" if ctx.go_env.get("GOHOSTOS") == "windows" else ""
    for tool in tools:
        name = tool_name(tool.module) + exe
        path = f"{directory}/{name}"
        install = f"go install {tool.module}@{tool.version}"
        facts = analyze(path)
        info = facts.go
        if facts.error or info is None:
            problems.append((f"{name} is not installed in {ctx.short(directory)}", install))
            continue
        version = info.main.version if info.main else ""
        evidence.append(f"{ctx.short(path)}: {info.path} {version} ({info.go_version})")
        if info.path != tool.module or version != tool.version:
            problems.append((f"{ctx.short(path)} is {info.path} {version or '(devel)'}, the lock pins "
                             f"{tool.module} {tool.version}", install))
            continue
        found = which(ctx.machine, name)
        if found and ctx.machine.realpath(found) != ctx.machine.realpath(path):
            problems.append((f"`{name}` on PATH is {ctx.short(found)}, not the pinned {ctx.short(path)}",
                             f'export PATH="{ctx.shell_path(directory)}:$PATH"'))
    if problems:
        summary = "; ".join(p for p, _ in problems)
        return Finding("fail", summary, problems[0][1], tuple(evidence))
    return passed(f"{len(tools)} pinned tool(s) installed at their versions", *evidence)


def _toolchain_cached(ctx: Context, toolchain: str) -> bool:
    env = ctx.go_env
    modcache = env.get("GOMODCACHE", "")
    name = f"golang.org/toolchain@v0.0.1-{toolchain}.{env.get('GOHOSTOS', '')}-{env.get('GOHOSTARCH', '')}"
    return bool(modcache) and ctx.machine.is_executable(f"{modcache}/{name}/bin/go")


def _how_it_switches(ctx: Context, toolchain: str, mode: str) -> str:
    if mode == "path":
        return f"{'run' if which(ctx.machine, toolchain) else 'look for'} {toolchain} on PATH"
    if _toolchain_cached(ctx, toolchain):
        return f"run the module-cache copy of {toolchain}"
    return f"download {toolchain}"


def _newer_go_fix(ctx: Context, go_line: str) -> str:
    """Fix for a go.mod whose go line needs more than the go that runs: the locked Go when it is new
    enough (it just has to be the go that runs), else a newer Go in the spec."""
    locked = ctx.project.locked_version
    if locked and gover.compare(locked, go_line) >= 0:
        return put_first(ctx, locked)
    return f"set go.version to {go_line} or newer in envbuilder.yaml, then run `envbuilder lock`"


def check_toolchain(ctx: Context) -> Finding:
    sel = ctx.selection
    if sel is None:
        return skipped("no go on PATH that runs")
    setting = ctx.setting("GOTOOLCHAIN")
    where = f"GOTOOLCHAIN={setting.value} from {setting.where}"
    directory = ctx.short(str(ctx.project.directory))
    locked = ctx.project.locked_version
    lock_policy = ctx.project.spec.go.toolchain if ctx.project.spec is not None else None
    mod = ctx.modfile
    evidence = (where,) + ((f"{ctx.short(str(mod.file))}: go {mod.go or '(none)'}, "
                            f"toolchain {mod.toolchain or '(none)'}",) if mod is not None else ())
    if not sel.toolchain:
        return Finding("fail", f"the go command refuses to run: {sel.error}",
                       fix_command(ctx.layers, "GOTOOLCHAIN", lock_policy or "auto"), evidence)
    if sel.error and sel.local:
        fix = _newer_go_fix(ctx, mod.go) if mod is not None and mod.go else "install a newer Go"
        return Finding("fail", f"in {directory} the go command stops: {sel.error}", fix, evidence)
    if sel.local:
        return passed(f"in {directory} the local go{ctx.go.version} runs ({where})", *evidence)
    summary = (f"in {directory} the go command will {_how_it_switches(ctx, sel.toolchain, sel.mode)} instead of "
               f"the local go{ctx.go.version} ({sel.reason})")
    if locked is None:
        return Finding("warn", summary, fix_command(ctx.layers, "GOTOOLCHAIN", "local"), evidence)
    if sel.version == locked:
        return Finding("warn", summary + "; that is the locked version", put_first(ctx, locked), evidence)
    if mod is not None and mod.go and sel.reason.startswith(f"{ctx.short(str(mod.file))} says `go "):
        fix = _newer_go_fix(ctx, mod.go)
    elif lock_policy in ("local", "path") or (lock_policy or "").startswith("go"):
        fix = fix_command(ctx.layers, "GOTOOLCHAIN", lock_policy)
    else:  # the lock itself lets go.mod pick: go.mod's toolchain line has to name the locked Go
        fix = f"go mod edit -toolchain=go{locked}"
    return Finding("fail", summary + f"; the lock pins go{locked}", fix, evidence,
                   expected=f"go{locked}", actual=sel.toolchain)
