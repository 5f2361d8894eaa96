"""Whole-process time of `envbuilder doctor` on a machine with three Go installs on PATH and a 30-module
go.mod (goals: under 1 s warm with --offline, under 2 s with the network probes), next to what the same
information costs by hand: `go version` and `go env -json` for each go on PATH. Prints medians; asserts
nothing (performance is measured here, not in tests).

The machine matches the lock (settings written with `go env -w`); its proxy and checksum database are a
local HTTP server, so the probes cost a round trip each, not a timeout.

Run: python bench/bench_doctor.py [--runs N]
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fixtures import gotoolchains  # noqa: E402

VERSIONS = ("1.22.10", "1.21.13", "1.24.11")  # the first is locked and first on PATH
SUMDB_KEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ada3zhBmxzh2gH1f"
SPEC = """\
name: benchdoctor
go:
  version: "{version}"
  download: {mirror}
  index: {index}
modules:
  proxy: [{proxy}]
  sumdb: {sumdb}
  private: [corp.example]
  flags: [-mod=readonly]
"""


class _Answers(http.server.BaseHTTPRequestHandler):
    """The checksum database knows the public github.com modules (200) and no other (410 Gone)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200 if "/lookup/github.com/" in self.path else 410 if "/lookup/" in self.path else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def serve() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def machine(tmp: Path, url: str) -> tuple[dict[str, str], Path]:
    home = tmp / "home"
    project = home / "src" / "app"
    project.mkdir(parents=True)
    bins = []
    for v in VERSIONS:
        link = home / "sdk" / f"go{v}"
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(gotoolchains.goroot(v))
        bins.append(str(link / "bin"))
    env = {"HOME": str(home), "USER": "bench", "LANG": "C.UTF-8",
           "PATH": ":".join([*bins, str(home / "go" / "bin"), "/usr/local/bin:/usr/bin:/bin"])}
    requires = "\n".join(f"\tgithub.com/bench/mod{i:02d} v1.{i}.0" for i in range(28))
    (project / "go.mod").write_text(f"module example.com/app\n\ngo 1.22\n\nrequire (\n{requires}\n"
                                    "\tcorp.example/lib v0.1.0\n\tcorp.example/util v0.2.0\n)\n")
    gotoolchains.release_index()
    mirror = gotoolchains.MIRROR
    (project / "envbuilder.yaml").write_text(SPEC.format(
        version=VERSIONS[0], mirror=mirror.as_uri() + "/", index=(mirror / "index.json").as_uri(),
        proxy=f"{url}/proxy", sumdb=f"{SUMDB_KEY} {url}/sumdb"))
    subprocess.run([sys.executable, "-m", "envbuilder", "lock"], cwd=project, check=True, capture_output=True,
                   env={**os.environ, "CI": "1"})
    subprocess.run(["go", "env", "-w", f"GOPROXY={url}/proxy", f"GOSUMDB={SUMDB_KEY} {url}/sumdb",
                    "GOPRIVATE=corp.example", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local"],
                   env=env, check=True, capture_output=True)
    (home / ".netrc").write_text("machine corp.example login bench password not-a-secret\n")
    return env, project


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, capture_output=True)
    return time.perf_counter() - start


def by_hand(env: dict[str, str], cwd: Path) -> float:
    """`go version` and `go env -json` for each go on PATH, one after another, as a person would."""
    start = time.perf_counter()
    for d in env["PATH"].split(":"):
        go = Path(d) / "go"
        if go.is_file():
            for args in (["version"], ["env", "-json"]):
                subprocess.run([str(go), *args], env=env, cwd=cwd, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    url = serve()
    with tempfile.TemporaryDirectory(prefix="bench-doctor-") as tmp:
        env, project = machine(Path(tmp), url)
        doctor = [sys.executable, "-m", "envbuilder", "doctor", str(project)]
        timed(doctor + ["--offline"], env, project)  # warm: page cache, .pyc files
        rows = [
            ("envbuilder doctor --offline", [timed(doctor + ["--offline"], env, project) for _ in range(runs)]),
            ("envbuilder doctor (network probes)", [timed(doctor, env, project) for _ in range(runs)]),
            ("by hand: go version + go env -json x3", [by_hand(env, project) for _ in range(runs)]),
        ]
    print(f"doctor on {len(VERSIONS)} Go installs and a 30-module go.mod, median of {runs} runs "
          f"(load average {os.getloadavg()[0]:.1f}):")
    for name, times in rows:
        print(f"  {name:<40} {statistics.median(times):6.3f} s  (min {min(times):.3f} s)")
    print("goals: --offline < 1 s warm, with probes < 2 s")


if __name__ == "__main__":
    main()
