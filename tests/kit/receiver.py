"""A real webhook receiver on the loopback: it records every POST and checks its signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECRET = "receiver-secret-0123456789"


@dataclass
class Delivery:
    """One POST the receiver got: its headers, its body, and whether the signature held."""

    delivery_id: str
    notice: str
    body: dict[str, Any]
    signed: bool


@dataclass
class Receiver:
    """What the receiver got, and how many of the next POSTs it refuses (503)."""

    url: str
    secret: str = SECRET
    refuse: int = 0
    got: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def unique(self) -> dict[str, Delivery]:
        """Give the accepted deliveries by delivery id (a repeat dropped, as a receiver would)."""
        with self.lock:
            return {d.delivery_id: d for d in self.got}

    def wait_for(self, count: int, timeout: float = 20.0) -> dict[str, Delivery]:
        """Give the unique deliveries once there are at least ``count`` (or after the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.unique()
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.unique()

    def of(self, notice: str) -> list[Delivery]:
        """Give the unique deliveries of one notice type."""
        return [d for d in self.unique().values() if d.notice == notice]


@contextmanager
def receiving(refuse: int = 0, port: int = 0) -> Iterator[Receiver]:
    """Give a running receiver on the loopback (a free port unless one is given); stop it after."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server's name)
            receiver = state["receiver"]
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                if receiver.refuse > 0:
                    receiver.refuse -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                expected = (
                    "sha256=" + hmac.new(receiver.secret.encode(), raw, hashlib.sha256).hexdigest()
                )
                receiver.got.append(
                    Delivery(
                        delivery_id=self.headers.get("X-Gezinsrooster-Delivery", ""),
                        notice=self.headers.get("X-Gezinsrooster-Event", ""),
                        body=json.loads(raw),
                        signed=hmac.compare_digest(
                            expected, self.headers.get("X-Gezinsrooster-Signature", "")
                        ),
                    )
                )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook")
    state["receiver"].refuse = refuse
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
