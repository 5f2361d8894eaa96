"""The curated images (images/): build time, size and verify time, on the local fixtures.

For each image: a cold build (--no-cache: every layer rebuilt, Go and tools fetched again; BuildKit's apt
and pip cache mounts stay warm, as on any builder that built before), a no-op rebuild, the sizes of its
stages against an equivalent of the official golang:bookworm built from the same base, the full verify
suite, and for the cross images which packages their size goes to. The cross images' verify runs foreign
binaries in their verify-runner image (built with the ci image: its own cold build time and size, and the
biggest layers of both by `docker history`); `cross-in-image` builds the cross spec with
`verify.in_image: true` (qemu-user and wine inside the ci image, as before the runner) to compare.
`cross-zig` (zig cc for every cgo target) also times what its warmed zig cache saves: the probe linked for
every zig target in a fresh container, with the image's zig cache and with an empty one.

Run: python bench/bench_images.py [slim|cross|cross-in-image|cross-zig ...]   (needs a Docker engine; serves
the fixtures itself)
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import GOLANG_EQUIVALENT, build_golang_equivalent, envbuilder, size_mb  # noqa: E402
from fixtures import fileserver  # noqa: E402
from fixtures.localize import localize_spec  # noqa: E402
from fixtures.pyindex import pip_conf  # noqa: E402
from envbuilder.spec.load import load_spec  # noqa: E402
from envbuilder.zigcache import zig_cache_context  # noqa: E402

STAGES = {"slim": ("dev",), "cross": ("ci", "dev"), "cross-in-image": ("ci",), "cross-zig": ("ci",)}
SOURCE = {"cross-in-image": "cross"}  # a variant: the same spec, with the emulators in the image


def layers(client, tag: str, top: int = 4) -> str:
    """The TOP biggest layers of TAG (MB, and the instruction that made each), from `docker history`."""
    history = sorted(client.images.get(tag).history(), key=lambda h: -h["Size"])[:top]
    return "; ".join(f"{h['Size'] / 1e6:.0f} {' '.join(h['CreatedBy'].split())[:60]}" for h in history)


def zig_links(client, tag: str, spec: Path) -> list[tuple[str, str]]:
    """The image's zig warm-up (verify's probes linked per zig toolchain) run again in a fresh container, with
    Go's cache empty both times: once with the image's zig cache, once with an empty one (a cold start)."""
    warm = zig_cache_context(load_spec(spec))
    if warm is None:
        return []
    files = [(f, f"/tmp/probe/{f['name']}") for f in warm["probe"]]
    files.append((warm["c_probe"], f"/tmp/{warm['c_probe']['name']}"))
    write = " && ".join(f"printf '%s\\n' {' '.join(shlex.quote(x) for x in f['lines'])} > {path}" for f, path in files)
    links = " && ".join(c.replace(warm["warm_dir"], "/tmp") for c in (*warm["commands"], *warm["c_commands"]))
    rows = []
    for how, zig_cache in (("the image's zig cache", warm["dir"]), ("an empty zig cache", "/tmp/zig-cold")):
        script = (f"mkdir -p /tmp/probe /tmp/out && {write} && cd /tmp/probe && export GOCACHE=/tmp/gocache "
                  f"ZIG_GLOBAL_CACHE_DIR={zig_cache} && start=$(date +%s.%N) && {links} && echo $start $(date +%s.%N)")
        out = client.containers.run(tag, ["sh", "-c", script], remove=True, entrypoint=[]).decode().split()
        rows.append((f"zig: verify's probes linked for {len(warm['commands'])} zig toolchains, {how}",
                     f"{float(out[-1]) - float(out[-2]):.1f} s"))
    size = client.containers.run(tag, ["du", "-sm", warm["dir"]], remove=True, entrypoint=[]).decode().split()[0]
    rows.append(("zig: warmed cache in the image", f"{size} MB"))
    return rows


def bench_image(name: str, s: dict[str, str], client, root: Path) -> list[tuple[str, str]]:
    spec = localize_spec(ROOT / "images" / SOURCE.get(name, name) / "envbuilder.yaml", root / name, s)
    if name == "cross-in-image":
        spec.write_text(spec.read_text().replace("  emulate: true", "  emulate: true\n  in_image: true", 1))
    work = spec.parent
    envbuilder(work, "lock")
    envbuilder(work, "render")
    conf = pip_conf(s["PIP_INDEX_URL"], root / "pip.conf")
    rows: list[tuple[str, str]] = []
    tags = []
    runner = None
    for i, stage in enumerate(STAGES[name]):
        extra = ("--no-cache",) if i == 0 else ()
        secs, proc = envbuilder(work, "build", "--network", "host", "--pip-conf", str(conf), "--target", stage,
                                "--json", *extra)
        built = json.loads(proc.stdout)
        tags.append(built["tags"][0])
        when = " cold (--no-cache)" if extra else " (after the first)"
        if "verify_runner" in built:  # built after the image, in the same command
            runner = built["verify_runner"]["tags"][0]
            rows.append((f"{name}: {stage} build{when}", f"{built['seconds']:.1f} s"))
            rows.append((f"{name}: verify-runner build{when}", f"{built['verify_runner']['seconds']:.1f} s"))
        else:
            rows.append((f"{name}: {stage} build{when}", f"{secs:.1f} s"))
    noop, _ = envbuilder(work, "build", "--network", "host", "--pip-conf", str(conf), "--target", STAGES[name][0])
    rows.append((f"{name}: no-op rebuild", f"{noop:.1f} s"))
    for tag in tags + ([runner] if runner else []):
        rows.append((f"{name}: size {tag}", f"{size_mb(client, tag):.0f} MB"))
    if name.startswith("cross"):
        for tag in [tags[0]] + ([runner] if runner else []):
            rows.append((f"{name}: biggest layers of {tag} (MB)", layers(client, tag, top=6)))
    verify_s, proc = envbuilder(work, "verify", tags[0], "--json")
    results = json.loads(proc.stdout)["results"]
    counts = {k: sum(r["status"] == k for r in results) for k in ("pass", "warn", "fail", "error", "skip")}
    ran = sum(r["id"] == "exec.run" and r["status"] == "pass" for r in results)
    rows.append((f"{name}: verify {tags[0]}", f"{verify_s:.1f} s"))
    rows.append((f"{name}:   checks", " ".join(f"{k} {v}" for k, v in counts.items()) + f", {ran} binaries run"))
    if name.startswith("cross"):
        out = client.containers.run(tags[0], ["sh", "-c", "dpkg-query -W -f '${Installed-Size} ${Package}\\n' "
                                              "| sort -rn | head -8"], remove=True, entrypoint=[])
        top = ", ".join(f"{p} {int(kb) / 1000:.0f}" for kb, p in (line.split() for line in out.decode().splitlines()))
        rows.append((f"{name}: biggest packages (MB)", top))
        du = client.containers.run(tags[0], ["sh", "-c", "du -sm /usr/local/go /usr/local/lib/python3*/dist-packages"
                                             "/ziglang /opt/zig-cache /opt/envbuilder 2>/dev/null"], remove=True,
                                   entrypoint=[])
        rows.append((f"{name}: Go, zig, zig's cache, envbuilder (MB)", " ".join(du.decode().split())))
        rows += [(f"{name}: {k}", v) for k, v in zig_links(client, tags[0], spec)]
    for tag in tags + ([runner] if runner else []):
        client.images.remove(tag, force=True)
    return rows


def main() -> None:
    import docker

    names = sys.argv[1:] or list(STAGES)
    unknown = sorted(set(names) - set(STAGES))
    if unknown:
        sys.exit(f"bench_images: unknown image {unknown[0]} (one of {', '.join(STAGES)})")
    client = docker.from_env(timeout=600)
    rows: list[tuple[str, str]] = []
    with fileserver.serving() as s, tempfile.TemporaryDirectory() as tmp:
        for name in names:
            rows += bench_image(name, s, client, Path(tmp))
        lock = json.loads((Path(tmp) / names[0] / "envbuilder.lock").read_text())
        official_s = build_golang_equivalent(s["BASE_IMAGE"], lock["go"]["archives"]["linux/amd64"])
        rows.append(("golang:bookworm equivalent, same base and Go (no cross toolchains)",
                     f"{size_mb(client, GOLANG_EQUIVALENT):.0f} MB, built in {official_s:.1f} s"))
        client.images.remove(GOLANG_EQUIVALENT, force=True)
    client.images.prune(filters={"dangling": True})
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:{width}}  {v}")


if __name__ == "__main__":
    main()
