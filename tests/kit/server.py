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


@contextmanager
def serving(
    url: str, port: int, log_level: str = "warning", stderr: Path | None = None
) -> Iterator[str]:
    """Give the base URL of a running ``gezinsrooster serve``; stop it (SIGTERM) afterwards.

    Its log goes to the file ``stderr`` if given (read it once the block is left).
    """
    log = stderr.open("wb") if stderr is not None else None
    process = subprocess.Popen(
        [
            str(EXECUTABLE),
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
            "--log-level",
            log_level,
        ],
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.PIPE,
        env={**os.environ, "GEZINSROOSTER_HOLD_MINUTES": "5", "GEZINSROOSTER_KEY_FAILURES": "1000"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    process.stderr.read().decode() if process.stderr else "no start"
                )
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        if log is not None:
            log.close()
