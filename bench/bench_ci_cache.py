"""The ci job of a curated image without and with `ci.warm_cache`, each in a fresh container, on the local fixtures.

For each variant: the ci stage's build time and size, then the job the generated CI configs run, in a fresh
container of the image: the verify suite (what the job's `envbuilder verify --host` runs, here driven from
outside with `verify --container`, so the image needs no envbuilder of its own) followed by
`go build -trimpath` of examples/hello for every target (the job's build steps, their exact commands); and
the builds alone in another fresh container (a job without verify). Goal: the warm job <= 30% of the cold one.

The spec is images/<image>/envbuilder.yaml localized (fixtures/localize.py), without ci.tools and
ci.envbuilder (they do not touch GOCACHE), restricted to --targets (target keys; default: three of the cross
image's, the native cgo one, a cross cgo one and a pure-Go one, because building all 14 twice takes long on a
small machine). --all-targets keeps every target of the image.

Run: python bench/bench_ci_cache.py [--image cross] [--targets KEY,KEY | --all-targets]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import envbuilder, size_mb  # noqa: E402
from fixtures import fileserver  # noqa: E402
from fixtures.localize import localize_spec  # noqa: E402

DEFAULT_TARGETS = ("linux-amd64-cgo", "linux-arm64-cgo", "darwin-arm64")
EXAMPLE = ROOT / "examples" / "hello"


def derived_spec(image: str, root: Path, s: dict[str, str], keys: tuple[str, ...] | None, warm: bool) -> Path:
    """images/IMAGE's spec, localized, with only the targets of KEYS (None: all) and ci.warm_cache = WARM."""
    from envbuilder.spec.models import Target
    from ruamel.yaml import YAML

    variant = "warm" if warm else "cold"
    spec_path = localize_spec(ROOT / "images" / image / "envbuilder.yaml", root / variant, s)
    yaml = YAML()
    spec = yaml.load(spec_path.read_text())
    spec["name"] = f"benchcicache-{variant}"
    if keys is not None:
        spec["targets"] = [t for t in spec["targets"] if Target.model_validate(t).key in keys]
        missing = set(keys) - {Target.model_validate(t).key for t in spec["targets"]}
        if missing:
            sys.exit(f"--targets: {', '.join(sorted(missing))} not in images/{image}/envbuilder.yaml")
    spec["ci"] = {"warm_cache": warm}
    with open(spec_path, "w") as f:
        yaml.dump(spec, f)
    return spec_path


def workspace_tar() -> bytes:
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        for f in [*EXAMPLE.glob("*.go"), EXAMPLE / "go.mod"]:
            tar.add(f, arcname=f"workspace/{f.name}")
    return stream.getvalue()


def ci_builds(work: Path) -> list[str]:
    """The job's build steps, as the GitLab config writes them (env given inline)."""
    from envbuilder.ciconfig import ci_context
    from envbuilder.lock import read_lock
    from envbuilder.spec.load import load_spec

    spec, lock = load_spec(work / "envbuilder.yaml"), read_lock(work / "envbuilder.lock")
    return [b["env_command"] for b in ci_context(spec, lock)["builds"]]


def fresh_container(client, tag: str):
    c = client.containers.create(tag, ["sleep", "infinity"], network_mode="none",
                                 labels={"dev.envbuilder.owned": "bench"})
    c.start()
    c.put_archive("/", workspace_tar())
    return c


def timed_builds(container, builds: list[str]) -> float:
    start = time.perf_counter()
    for command in builds:
        code, out = container.exec_run(["sh", "-c", command], workdir="/workspace")
        if code != 0:
            sys.exit(f"{command} failed: {out.decode(errors='replace')[-2000:]}")
    return time.perf_counter() - start


def bench_variant(work: Path, client, tags: list[str]) -> dict[str, float]:
    envbuilder(work, "lock")
    build_s, built = envbuilder(work, "build", "--network", "host", "--target", "ci")
    tag = built.stdout.split()[0]
    tags.append(tag)
    builds = ci_builds(work)
    out = {"image build (ci stage)": build_s, "size MB": size_mb(client, tag), "targets": len(builds)}
    job = fresh_container(client, tag)
    try:
        verify_s, proc = envbuilder(work, "verify", "--container", job.id, "--json", check=False)
        results = json.loads(proc.stdout)["results"]
        bad = [f"{r['target']} {r['id']}" for r in results if r["status"] in ("fail", "error")]
        if bad:
            sys.exit(f"verify of {tag} failed: {bad}")
        out["job: verify"] = verify_s
        out["job: verify probe builds (sum)"] = sum(r["duration"] for r in results if r["id"] == "build.probe")
        out["job: cross builds after verify"] = timed_builds(job, builds)
    finally:
        job.remove(force=True)
    alone = fresh_container(client, tag)
    try:
        out["cross builds alone (fresh container)"] = timed_builds(alone, builds)
    finally:
        alone.remove(force=True)
    out["job: total"] = out["job: verify"] + out["job: cross builds after verify"]
    print(f"{tag}: " + ", ".join(f"{k} {v:.1f}" for k, v in out.items()), flush=True)  # kept if a later step fails
    return out


def main() -> None:
    import docker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="cross")
    parser.add_argument("--targets", default=",".join(DEFAULT_TARGETS), help="target keys, comma-separated")
    parser.add_argument("--all-targets", action="store_true")
    args = parser.parse_args()
    keys = None if args.all_targets else tuple(k for k in args.targets.split(",") if k)
    client = docker.from_env()
    tags: list[str] = []
    try:
        with fileserver.serving() as s, tempfile.TemporaryDirectory() as tmp:
            rows = {warm: bench_variant(derived_spec(args.image, Path(tmp), s, keys, warm).parent, client, tags)
                    for warm in (False, True)}
    finally:
        for tag in tags:
            client.images.remove(tag, force=True)
        client.images.prune(filters={"dangling": True})
    cold, warm = rows[False], rows[True]
    print(f"images/{args.image}, {cold['targets']} targets: {'all' if keys is None else ', '.join(keys)}")
    print(f"{'measure':44} {'cold':>9} {'warm':>9}  warm/cold")
    for name in cold:
        if name == "targets":
            continue
        unit = "" if name == "size MB" else " s"
        print(f"{name:44} {cold[name]:7.1f}{unit:2} {warm[name]:7.1f}{unit:2}  {warm[name] / cold[name]:6.0%}")
    print(f"goal: warm job <= 30% of cold ({0.3 * cold['job: total']:.1f} s); "
          f"image size added: {warm['size MB'] - cold['size MB']:.0f} MB")


if __name__ == "__main__":
    main()
