"""A real ``gezinsrooster serve`` in its own process, on a free port of the loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

EXECUTABLE = Path(sys.executable).with_name("gezinsrooster")


def free_port() -> int:
    """Give a TCP port on the loopback that is free at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def launch(url: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Give a started ``gezinsrooster serve`` process on the port, once it answers its health."""
    process = subprocess.Popen(
        [
            str(EXECUTABLE),
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "GEZINSROOSTER_HOLD_MINUTES": "5", **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(process.stderr.read().decode() if process.stderr else "no start")
        time.sleep(0.1)


@contextmanager
def serving(url: str, port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """Give the base URL of a running ``gezinsrooster serve``; stop it (SIGTERM) afterwards."""
    process = launch(url, port, env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(20)
