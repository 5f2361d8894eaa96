"""`envbuilder schema`: the JSON Schema of envbuilder.yaml, for editors' YAML language servers."""

from __future__ import annotations

import json
import sys

from envbuilder.errors import EXIT_OK


def run() -> int:
    from envbuilder.spec.models import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
    return EXIT_OK
