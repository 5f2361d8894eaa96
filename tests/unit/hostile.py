"""Hostile inputs for the input-boundary tests: an alias bomb, sparse giants, FIFOs, deep JSON, a trickling
server. Each is tiny on disk or in the test; only a reader without bounds would make it big or slow."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterator


def alias_bomb(levels: int = 9, fan_out: int = 9) -> str:
    """A spec whose `env` holds fan_out**levels strings after alias expansion, in a few hundred bytes."""
    lines = [f"  a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan_out)}]")
    return 'name: bomb\ngo: {version: "1.22"}\nenv:\n' + "\n".join(lines) + "\n"


def sparse_file(path: Path, size: int) -> Path:
    """SIZE bytes of zeros that take no disk space."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def fifo(path: Path) -> Path:
    """A named pipe nobody writes to: opening it for reading the ordinary way waits forever."""
    os.mkfifo(path)
    return path


def deep_json(depth: int = 100_000) -> str:
    return "[" * depth + "]" * depth


def index_with(**overrides) -> str:
    """A one-release index in go.dev's format whose release or first file is changed by OVERRIDES
    (`files__0__key` for the file)."""
    release = {"version": "go1.22.10", "stable": True, "files": [
        {"filename": "go1.22.10.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "version": "go1.22.10",
         "sha256": "ab" * 32, "size": 123, "kind": "archive"}]}
    for key, value in overrides.items():
        if key.startswith("files__0__"):
            release["files"][0][key.removeprefix("files__0__")] = value
        else:
            release[key] = value
    return json.dumps([release])


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Answers with a byte every 50 ms, forever: headers first if `trickle_headers`, else the body."""

    trickle_headers = False

    def do_GET(self) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
        try:
            if self.trickle_headers:
                for byte in head:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
            else:
                self.wfile.write(head)
            self.wfile.write(b"[")
            while True:  # never a complete answer; ends when the client hangs up
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def trickling_server(trickle_headers: bool = False) -> Iterator[str]:
    """URL of a local HTTP server that never finishes an answer but never goes quiet long enough for a read
    timeout either."""
    handler = type("Handler", (_Trickle,), {"trickle_headers": trickle_headers})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.json"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Port of a local TCP server that accepts connections and never says a word (not even a TLS hello)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
