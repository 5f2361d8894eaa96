"""Image build timings and sizes, side by side in one run, on the local fixtures:

- cold build (--no-cache; BuildKit's apt cache mounts stay warm, the network fetches of Go and tools do not)
- no-op rebuild (goal <= 5 s)
- rebuild after a GOPROXY change (goal <= 10% of cold, and no Go download)
- sizes of base/dev/ci against an equivalent of the official golang:bookworm built from the same base.

Run: python bench/bench_build.py   (needs a Docker engine; prepares and serves the fixtures itself)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchkit import GOLANG_EQUIVALENT, SPEC_HEAD, build_golang_equivalent, envbuilder, size_mb  # noqa: E402
from fixtures import fileserver  # noqa: E402

SPEC = SPEC_HEAD.replace("{name}", "benchbuild") + """\
targets:
  - {{platform: linux/amd64, cgo: true}}
  - {{platform: linux/arm64, cgo: true}}
  - {{platform: windows/amd64, cgo: true}}
  - darwin/arm64
tools: [example.test/hellotool@v1.1.0]
ci: {{tools: [example.test/hellotool@v1.0.0]}}
"""


def main() -> None:
    import docker

    with fileserver.serving() as s:
        run(s, docker.from_env())


def run(s: dict[str, str], client) -> None:
    """Measure and print, with the fixtures served (S is their summary)."""
    import docker
    tags: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "envbuilder.yaml").write_text(SPEC.format(**s))
            envbuilder(root, "lock")
            cold, proc = envbuilder(root, "build", "--network", "host", "--target", "dev", "--no-cache")
            tags.append(proc.stdout.split()[0])
            noop, _ = envbuilder(root, "build", "--network", "host", "--target", "dev")
            spec = root / "envbuilder.yaml"
            spec.write_text(spec.read_text().replace(f"proxy: [{s['GOPROXY_URL']}]",
                                                     f"proxy: ['{s['GOPROXY_URL']}|direct']"))
            envbuilder(root, "lock")
            envbuilder(root, "render")
            proxy_change, proc = envbuilder(root, "build", "--network", "host", "--target", "dev")
            go_refetched = not _step_cached(proc.stderr, "[go-download 3/3]")
            for stage in ("base", "ci"):
                _, p = envbuilder(root, "build", "--network", "host", "--target", stage)
                tags.append(p.stdout.split()[0])
            lock = json.loads((root / "envbuilder.lock").read_text())
            archive = lock["go"]["archives"]["linux/amd64"]
            official_s = build_golang_equivalent(s["BASE_IMAGE"], archive)
            tags.append(GOLANG_EQUIVALENT)
            sizes = {t: size_mb(client, t) for t in tags}
    finally:
        for t in tags:
            try:
                client.images.remove(t, force=True)
            except docker.errors.DockerException:
                pass
        client.images.prune(filters={"dangling": True})

    print(f"{'measure':52} {'value':>10}  goal")
    print(f"{'cold build, dev target (--no-cache)':52} {cold:9.1f}s")
    print(f"{'no-op rebuild':52} {noop:9.1f}s  <= 5 s")
    print(f"{'rebuild after a GOPROXY change':52} {proxy_change:9.1f}s  <= {0.1 * cold:.1f} s (10% of cold)")
    print(f"{'  ... Go downloaded again?':52} {'yes' if go_refetched else 'no':>10}  no")
    for t, mb in sizes.items():
        print(f"{'size ' + t:52} {mb:8.0f}MB")
    print(f"(golang:bookworm equivalent built in {official_s:.1f}s; cross toolchains for linux/arm64 and "
          f"windows/amd64 cgo are in envbuilder's base, not in the official image)")


def _step_cached(log: str, name: str) -> bool:
    """BuildKit plain progress: "#7 [go-download 3/3] RUN ..." then "#7 CACHED" when the step was reused."""
    import re

    m = re.search(r"^(#\d+) " + re.escape(name), log, re.M)
    return bool(m) and re.search(rf"^{m.group(1)} CACHED$", log, re.M) is not None


if __name__ == "__main__":
    main()
