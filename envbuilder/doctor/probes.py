"""Network probes: many short HTTP GETs at once, bounded by one deadline, so doctor never hangs on a dead
proxy or a name that does not resolve (name lookups ignore socket timeouts, so each probe runs in a daemon
thread and an unfinished one is reported as "no answer")."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

TIMEOUT = 3.0
WORKERS = 16


@dataclass(frozen=True)
class Answer:
    url: str
    status: int | None  # HTTP status; None when nothing answered
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status is not None

    def describe(self) -> str:
        if self.status is None:
            return self.error or "no answer"
        return f"HTTP {self.status}" + (f" {self.error}" if self.error else "")


def _get(url: str, timeout: float, context: ssl.SSLContext | None) -> Answer:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "envbuilder-doctor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return Answer(url, response.status)
    except urllib.error.HTTPError as e:
        return Answer(url, e.code, e.reason if isinstance(e.reason, str) else "")
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        return Answer(url, None, str(reason) or type(e).__name__)


def probe_all(urls: list[str], timeout: float = TIMEOUT) -> dict[str, Answer]:
    """GET every URL in parallel; whatever has not answered after TIMEOUT is reported as no answer."""
    answers: dict[str, Answer] = {}
    lock = threading.Lock()
    todo = list(dict.fromkeys(urls))
    # One TLS context for every probe: loading the CA store per request costs more than the request.
    import ssl  # imported here: --offline runs never pay for TLS and urllib

    context = ssl.create_default_context() if any(u.startswith("https://") for u in todo) else None

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                url = todo.pop(0)
            answer = _get(url, timeout, context)
            with lock:
                answers[url] = answer

    threads = []
    for _ in range(min(WORKERS, len(todo))):
        t = threading.Thread(target=worker, daemon=True)
        t.start()
        threads.append(t)
    deadline = time.monotonic() + timeout + 0.5
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    with lock:
        done = dict(answers)
    return {url: done.get(url, Answer(url, None, f"no answer within {timeout:g}s")) for url in dict.fromkeys(urls)}
