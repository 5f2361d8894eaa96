"""cgo's C compilers (host and the spec's cgo targets) and the notes only some machines need: WSL
(Windows paths and Windows Go reached through /mnt) and macOS (Command Line Tools, SDK, Rosetta)."""

from __future__ import annotations

from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding, passed, skipped
from envbuilder.doctor.installs import origin
from envbuilder.doctor.machine import path_dirs, which
from envbuilder.doctor.settings import fix_command

# Where a C compiler usually is when PATH misses it.
_COMPILER_DIRS = ("/usr/bin", "/usr/local/bin", "/bin", "/opt/homebrew/bin")


def _cgo_targets(ctx: Context) -> list:
    spec = ctx.project.spec
    return [t for t in spec.targets if t.cgo] if spec is not None else []


def target_toolchain(target):
    """The C toolchain envbuilder uses for a cgo target (the one call into envbuilder.profiles)."""
    from envbuilder import profiles

    return profiles.target_toolchain(target)


def _is_host(ctx: Context, target) -> bool:
    env = ctx.go_env
    return (target.goos, target.goarch) == (env.get("GOHOSTOS"), env.get("GOHOSTARCH"))


def _compiler_fix(ctx: Context, compiler: str, packages: tuple[str, ...]) -> str:
    for d in _COMPILER_DIRS:
        if d not in path_dirs(ctx.machine.env) and ctx.machine.is_executable(f"{d}/{compiler}"):
            return f'export PATH="$PATH:{d}"'
    if ctx.machine.facts.system == "darwin":
        return "xcode-select --install"
    return f"sudo apt-get install -y {' '.join(packages or ('gcc', 'libc6-dev'))}"


def check_cgo_host(ctx: Context) -> Finding:
    env = ctx.go_env
    if not env:
        return skipped("no go on PATH that runs")
    cgo = ctx.setting("CGO_ENABLED")
    enabled = env.get("CGO_ENABLED", "") == "1"
    cc = (env.get("CC") or "gcc").split()[0]
    host_targets = [t for t in _cgo_targets(ctx) if _is_host(ctx, t)]
    found = which(ctx.machine, cc)
    shown = f"CGO_ENABLED={env.get('CGO_ENABLED', '')!r} ({cgo.where}), CC={cc}"
    if found:
        if host_targets and not enabled and cgo.value == "0":
            return Finding("warn", f"CGO_ENABLED=0 ({cgo.where}) but the spec builds "
                           f"{', '.join(t.platform for t in host_targets)} with cgo",
                           fix_command(ctx.layers, "CGO_ENABLED", "1"), (shown,))
        return passed(f"C compiler {cc} at {ctx.short(found)}", shown)
    needed_by = []
    if cgo.value == "1":
        needed_by.append(f"CGO_ENABLED=1 ({cgo.where})")
    if host_targets:
        needed_by.append(f"the spec builds {', '.join(t.platform for t in host_targets)} with cgo")
    if not needed_by:
        return passed(f"no C compiler ({cc} not on PATH) and none needed: cgo is off", shown)
    tc = target_toolchain(host_targets[0]) if host_targets else None
    return Finding("fail", f"{' and '.join(needed_by)}, but the C compiler {cc} (go env CC) is not on PATH",
                   _compiler_fix(ctx, cc, tc.packages if tc else ()), (shown,), expected=cc, actual="not found")


def check_cgo_targets(ctx: Context) -> Finding | None:
    cross = [t for t in _cgo_targets(ctx) if not _is_host(ctx, t)]
    if not cross:
        return None
    missing, evidence = [], []
    for t in cross:
        tc = target_toolchain(t)
        if tc is None:
            evidence.append(f"{t.key}: no C toolchain known outside the image")
            continue
        found = which(ctx.machine, tc.cc)
        evidence.append(f"{t.key}: {tc.cc} {'at ' + ctx.short(found) if found else 'not on PATH'}")
        if not found:
            missing.append((t, tc))
    if missing:
        t, tc = missing[0]
        fix = (f"sudo apt-get install -y {' '.join(tc.packages)}" if tc.packages
               else "build this target in the dev image (`envbuilder build`), which has its zig wrapper")
        return Finding("warn", f"cross cgo builds for {', '.join(x.key for x, _ in missing)} need C compilers this "
                       "machine lacks (the image has them)", fix, tuple(evidence))
    return passed("C cross compilers for every cgo target", *evidence)


def check_wsl(ctx: Context) -> Finding | None:
    if not ctx.machine.facts.wsl:
        return None
    windows_dirs = [d for d in path_dirs(ctx.machine.env) if d.startswith("/mnt/")]
    windows_gos = [i for i in ctx.installs if i.path.startswith("/mnt/")]
    evidence = [f"{len(windows_dirs)} Windows directories on PATH (/mnt/...)"]
    evidence += [f"{i.path}: {origin(ctx.machine, i)}" for i in windows_gos]
    wsl_conf = "add `appendWindowsPath = false` under `[interop]` in /etc/wsl.conf, then run `wsl --shutdown`"
    go = ctx.go
    if go is not None and go.path.startswith("/mnt/"):
        linux = next((i for i in ctx.installs if not i.path.startswith("/mnt/")), None)
        fix = (f'export PATH="{ctx.shell_path(linux.path.rsplit("/", 1)[0])}:$PATH"' if linux
               else "install a Linux Go inside WSL (https://go.dev/dl/, linux-amd64) and put it first on PATH")
        return Finding("fail", f"the go that runs is a Windows program through WSL interop ({go.path}): it builds "
                       "Windows binaries and sees Windows paths", fix, tuple(evidence))
    if not ctx.installs or all(i.path.startswith("/mnt/") for i in ctx.installs):
        if windows_gos:
            return Finding("fail", f"only the Windows Go ({windows_gos[0].path}) is on PATH; `go` inside WSL "
                           "needs a Linux Go", "install a Linux Go inside WSL (https://go.dev/dl/, linux-amd64) "
                           "and put its bin first on PATH", tuple(evidence))
    project = str(ctx.project.directory)
    if project.startswith("/mnt/"):
        return Finding("warn", f"the project is on the Windows file system ({project}): builds are slow and file "
                       "modes are lost", f"move it into WSL's own file system, e.g. `cp -a {project} ~/src/`",
                       tuple(evidence))
    if windows_gos:
        return Finding("warn", f"a Windows Go is on PATH through /mnt ({windows_gos[0].path}); editors may pick "
                       "go.exe", wsl_conf, tuple(evidence))
    return passed("WSL: the Linux go runs and the project is on the Linux file system", *evidence)


def check_macos(ctx: Context) -> Finding | None:
    if ctx.machine.facts.system != "darwin":
        return None
    m = ctx.machine
    cgo_needed = ctx.go_env.get("CGO_ENABLED") == "1" or bool(_cgo_targets(ctx))
    clt = m.run(["xcode-select", "-p"], timeout=5)
    evidence = [f"xcode-select -p: {clt.out.strip() or clt.err.strip() or clt.error}"]
    if not clt.ok:
        return Finding("fail" if cgo_needed else "warn", "the Xcode Command Line Tools are not installed: cgo, "
                       "git and the race detector need them", "xcode-select --install", tuple(evidence))
    sdk = m.run(["xcrun", "--show-sdk-path"], timeout=5)
    evidence.append(f"xcrun --show-sdk-path: {sdk.out.strip() or sdk.err.strip() or sdk.error}")
    if not sdk.ok:
        return Finding("fail" if cgo_needed else "warn", "xcrun finds no macOS SDK: cgo cannot compile",
                       "sudo xcode-select --switch /Library/Developer/CommandLineTools", tuple(evidence))
    arm_hardware = m.run(["sysctl", "-n", "hw.optional.arm64"], timeout=5).out.strip() == "1"
    goarch = ctx.go_env.get("GOHOSTARCH", "")
    if arm_hardware and goarch == "amd64":
        return Finding("warn", "an x86_64 (amd64) Go runs under Rosetta on this Apple silicon Mac: slower, and it "
                       "builds amd64 programs by default", "install the darwin-arm64 Go from https://go.dev/dl/ "
                       "(or `arch -arm64 brew install go`) and put it first on PATH", tuple(evidence))
    if arm_hardware and m.facts.machine == "x86_64":
        return Finding("warn", "this shell runs under Rosetta (uname -m says x86_64 on Apple silicon)",
                       "start the terminal natively (untick \"Open using Rosetta\") or run `arch -arm64 $SHELL -l`",
                       tuple(evidence))
    return passed("macOS: Command Line Tools and SDK present", *evidence)
