"""Module access: how each module go.mod requires is fetched (proxy or direct) and verified (checksum
database or not), whether private modules stay private, whether the proxy and checksum database answer,
and whether direct fetches from private hosts have credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

from envbuilder.doctor import modmatch
from envbuilder.doctor.context import Context
from envbuilder.doctor.findings import Finding, passed, skipped
from envbuilder.doctor.gomod import Requirement
from envbuilder.doctor.netrc import netrc_hosts, netrc_path
from envbuilder.doctor.probes import Answer
from envbuilder.doctor.settings import fix_command

_CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitea.com"}


def escape(path: str) -> str:
    """The module proxy's case encoding: an upper-case letter becomes '!' + its lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def proxies(goproxy: str) -> list[str]:
    """The proxy URLs of GOPROXY before the first direct/off, in the order the go command tries them."""
    out = []
    for entry in re.split(r"[,|]", goproxy):
        entry = entry.strip()
        if entry in ("direct", "off"):
            break
        if entry:
            out.append(entry.rstrip("/"))
    return out


def sumdb_url(gosumdb: str) -> tuple[str, str] | None:
    """(name, URL) of GOSUMDB: "name+key url", "name+key" or "name"; None when off."""
    if not gosumdb or gosumdb == "off":
        return None
    words = gosumdb.split()
    name = words[0].split("+")[0]
    url = words[1] if len(words) > 1 else f"https://{name}"
    return name, url.rstrip("/")


def private_prefix(module: str) -> str:
    parts = module.split("/")
    return "/".join(parts[:2]) if parts[0] in _CODE_HOSTS and len(parts) > 1 else parts[0]


@dataclass
class Routes:
    """How the go command on this machine, and in the locked environment, fetches each module."""

    ctx: Context

    def via_proxy(self, module: str, settings: dict[str, str] | None = None) -> str | None:
        s = settings or self._effective
        if modmatch.matching_glob(s["GONOPROXY"], module):
            return None
        found = proxies(s["GOPROXY"])
        return found[0] if found else None

    def via_sumdb(self, module: str, settings: dict[str, str] | None = None) -> tuple[str, str] | None:
        s = settings or self._effective
        if modmatch.matching_glob(s["GONOSUMDB"], module):
            return None
        return sumdb_url(s["GOSUMDB"])

    @cached_property
    def _effective(self) -> dict[str, str]:
        return {n: self.ctx.setting(n).value for n in ("GOPROXY", "GOSUMDB", "GONOPROXY", "GONOSUMDB",
                                                      "GOPRIVATE")}

    def lookup_url(self, module: Requirement) -> str | None:
        db = self.via_sumdb(module.path)
        return f"{db[1]}/lookup/{escape(module.path)}@{escape(module.version)}" if db else None

    def urls(self) -> list[str]:
        """A checksum database lookup per module it would see (410/404 there marks a private module), and
        one request each to the proxy and the database to tell whether they answer."""
        out = [u for u in (self.lookup_url(m) for m in self.ctx.project.requires) if u]
        for proxy in proxies(self._effective["GOPROXY"]):
            if proxy.startswith(("http://", "https://")):
                out.append(proxy + "/")
        db = sumdb_url(self._effective["GOSUMDB"])
        if db:
            out.append(db[1] + "/latest")
        return out


def routes(ctx: Context) -> Routes:
    return ctx.shared("routes", lambda: Routes(ctx))


def start_probes(ctx: Context) -> None:
    """Send every network probe now, in the background, while other checks run."""
    if ctx.probe is not None and ctx.go_env:
        urls = routes(ctx).urls()
        probe = ctx.probe
        ctx.start("answers", lambda: probe(urls))


def answers(ctx: Context) -> dict[str, Answer] | None:
    """Every network answer doctor needs, fetched once and in parallel; None when offline."""
    if ctx.probe is None or not ctx.go_env:
        return None
    probe = ctx.probe
    return ctx.shared("answers", lambda: probe(routes(ctx).urls()))


def _settings_fix(ctx: Context, expected: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if ctx.setting(name).value != expected[name] and expected[name]:
            return fix_command(ctx.layers, name, expected[name])
    return fix_command(ctx.layers, names[0], expected[names[0]])


def _unchecked_modules(ctx: Context) -> Finding | None:
    """Why the module checks cannot look here (no go.mod, no go that runs), or None."""
    if ctx.project.gomod is None:
        return skipped("no go.mod in the project directory")
    if not ctx.go_env:
        return skipped("no go on PATH that runs")
    return None


def check_private(ctx: Context) -> Finding:
    if (unchecked := _unchecked_modules(ctx)) is not None:
        return unchecked
    r = routes(ctx)
    expected = ctx.project.expected_settings()
    got = answers(ctx)
    problems: list[tuple[str, str]] = []
    evidence = []
    for m in ctx.project.requires:
        proxy, db = r.via_proxy(m.path), r.via_sumdb(m.path)
        lookup = got.get(r.lookup_url(m) or "") if got else None
        line = (f"{m.path} {m.version}: {'proxy ' + proxy if proxy else 'direct'}, "
                f"{'checksum database ' + db[0] if db else 'no checksum database'}")
        if lookup is not None:
            line += f" (checksum database: {lookup.describe()})"
        evidence.append(line)
        if expected is not None:
            locked_proxy, locked_db = r.via_proxy(m.path, expected), r.via_sumdb(m.path, expected)
            if db and not locked_db:
                seen = f", which answered {lookup.describe()}" if lookup is not None and lookup.answered else ""
                problems.append((f"{m.path} {m.version} is private in the lock (GONOSUMDB="
                                 f"{expected['GONOSUMDB']!r}) but this machine sends it to the checksum database "
                                 f"{db[0]} ({db[1]}){seen}",
                                 _settings_fix(ctx, expected, ("GOPRIVATE", "GONOSUMDB"))))
                continue
            if proxy and not locked_proxy:
                problems.append((f"{m.path} {m.version} is private in the lock (GONOPROXY="
                                 f"{expected['GONOPROXY']!r}) but this machine asks the proxy {proxy} for it",
                                 _settings_fix(ctx, expected, ("GOPRIVATE", "GONOPROXY"))))
                continue
        if db and lookup is not None and lookup.status in (404, 410):
            prefix = private_prefix(m.path)
            current = ctx.setting("GOPRIVATE").value
            fix = f"go env -w GOPRIVATE={','.join(g for g in (current, prefix) if g)}"
            if expected is not None:
                fix += f" and add {prefix} to modules.private in envbuilder.yaml, then run `envbuilder lock`"
            problems.append((f"the checksum database {db[0]} does not know {m.path} {m.version} "
                             f"({lookup.describe()}): a private module, but GOPRIVATE/GONOSUMDB do not match it",
                             fix))
    if problems:
        return Finding("fail", "; ".join(p for p, _ in problems), problems[0][1], tuple(evidence))
    if not ctx.project.requires:
        return passed("go.mod requires no modules")
    verdict = "as locked" if expected is not None else "(no lock to compare with)"
    return passed(f"{len(ctx.project.requires)} required module(s): proxy and checksum database {verdict}",
                  *evidence)


def check_netrc(ctx: Context) -> Finding:
    if (unchecked := _unchecked_modules(ctx)) is not None:
        return unchecked
    r = routes(ctx)
    hosts: dict[str, str] = {}
    for m in ctx.project.requires:
        private = ctx.matches("GONOPROXY", m.path) or ctx.matches("GOPRIVATE", m.path)
        if private and r.via_proxy(m.path) is None:
            hosts.setdefault(m.path.split("/")[0], m.path)
    if not hosts:
        return passed("no module is fetched directly from a private host")
    goauth = ctx.machine.env.get("GOAUTH") or ctx.layers.goenv.get("GOAUTH", "")
    if goauth and "netrc" not in goauth.split(";")[0].split():
        return passed(f"credentials for {', '.join(sorted(hosts))} come from GOAUTH ({goauth.split()[0]})")
    path = netrc_path(ctx.machine)
    known = netrc_hosts(ctx.machine.read_text(path))
    gitconfig = ctx.machine.read_text(str(PurePosixPath(ctx.home) / ".gitconfig")) or ""
    missing = [h for h in sorted(hosts) if h not in known and "*" not in known
               and not re.search(rf"insteadOf\s*=\s*\S*{re.escape(h)}", gitconfig)]
    evidence = tuple(f"{h}: {'credentials in ' + ctx.short(path) if h not in missing else 'no credentials'} "
                     f"(needed for {hosts[h]})" for h in sorted(hosts))
    if missing:
        host = missing[0]
        return Finding("fail", f"the go command fetches {hosts[host]} directly from the private host {host}, "
                       f"but {ctx.short(path)} has no `machine {host}` entry (and no git insteadOf rule)",
                       f"add `machine {host} login <user> password <token>` to {ctx.short(path)}, then "
                       f"`chmod 600 {ctx.short(path)}`", evidence)
    return passed(f"credentials for every private host ({', '.join(sorted(hosts))})", *evidence)


def check_proxy(ctx: Context) -> Finding:
    if not ctx.go_env:
        return skipped("no go on PATH that runs")
    goproxy = ctx.setting("GOPROXY").value
    urls = [p for p in proxies(goproxy) if p.startswith(("http://", "https://"))]
    if not urls:
        return passed(f"GOPROXY={goproxy!r}: no HTTP proxy to ask")
    got = answers(ctx)
    if got is None:
        return skipped("network probes are off (--offline)")
    evidence = tuple(f"{p}: {got[p + '/'].describe()}" for p in urls)
    silent = [p for p in urls if not got[p + "/"].answered]
    if silent:
        return Finding("warn", f"the module proxy {silent[0]} does not answer ({got[silent[0] + '/'].describe()}): "
                       "builds that need modules missing from the module cache will fail",
                       "check the network or VPN, or set GOPROXY to a proxy that answers", evidence)
    return passed(f"the module proxy answers ({', '.join(urls)})", *evidence)


def check_sumdb(ctx: Context) -> Finding:
    if not ctx.go_env:
        return skipped("no go on PATH that runs")
    db = sumdb_url(ctx.setting("GOSUMDB").value)
    if db is None:
        return passed("GOSUMDB=off: no checksum database is asked")
    got = answers(ctx)
    if got is None:
        return skipped("network probes are off (--offline)")
    answer = got[db[1] + "/latest"]
    if not answer.answered:
        return Finding("warn", f"the checksum database {db[0]} ({db[1]}) does not answer ({answer.describe()}): "
                       "new modules cannot be verified", "check the network or VPN, or the GOSUMDB URL",
                       (f"{db[1]}/latest: {answer.describe()}",))
    return passed(f"the checksum database {db[0]} answers ({db[1]})", f"{db[1]}/latest: {answer.describe()}")
