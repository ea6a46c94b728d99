"""The real server: ``gezinsrooster serve`` on a free port, over HTTP, stopped and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from service_kit import empty_roster, one_slot_data, seed_roster

from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import create_key
from api.settings import Settings

EXECUTABLE = Path(sys.executable).with_name("gezinsrooster")
RACERS = 16


def _free_port() -> int:
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


def _prepare(url: str) -> tuple[str, str]:
    """Give a planner key and the id of a one-slot week's roster stored in the database."""
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secret = create_key(session, "planner", ["PI-VH"], "server test")[1]
    data = one_slot_data(RACERS)
    services = Services(Settings(database_url=url), database, JobRunner(database))
    roster_id = seed_roster(services, data, empty_roster(data))
    database.dispose()
    return secret, roster_id


def _race(base: str, secret: str) -> list[httpx.Response]:
    """Give the answers of many threads asking at once for the one free slot."""
    answers: list[httpx.Response] = []
    gate = threading.Barrier(RACERS)

    def ask(number: int) -> None:
        body = {
            "institution": "PI-VH",
            "week": "2027-W05",
            "father": f"F-{number:03d}",
            "activity": "family_room_visit",
            "earliest": "2027-02-06T10:00:00+01:00",
            "latest": "2027-02-06T12:00:00+01:00",
        }
        gate.wait()
        answer = httpx.post(
            f"{base}/v1/allocations", json=body, headers={"X-API-Key": secret}, timeout=60
        )
        answers.append(answer)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(1, RACERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return answers


def test_real_server_race_and_restart_keep_every_acknowledged_write(database_url: str) -> None:
    """Parallel HTTP requests for the last slot give one 201; after a restart all is still there."""
    secret, roster_id = _prepare(database_url)
    headers = {"X-API-Key": secret}
    port = _free_port()
    with serving(database_url, port) as base:
        assert (
            httpx.post(f"{base}/v1/rosters/{roster_id}/publish", headers=headers).status_code == 200
        )
        answers = _race(base, secret)
        assert sorted(a.status_code for a in answers) == [201] + [409] * (RACERS - 1)
        winner = next(a.json() for a in answers if a.status_code == 201)
        refused = next(a.json() for a in answers if a.status_code == 409)
        assert "capacity:family_room" in refused["reasons"]
        assert httpx.get(f"{base}/v1/problems", headers={}).status_code == 401
    with serving(database_url, port) as base:
        again = httpx.get(f"{base}/v1/allocations/{winner['id']}", headers=headers)
        assert again.status_code == 200 and again.json()["state"] == "confirmed"
        assert again.json()["assignment"] == winner["assignment"]
        published = httpx.get(f"{base}/v1/publications/PI-VH/2027-W05", headers=headers).json()
        assert published["version"] == 1 and winner["assignment"] in published["assignments"]
        listed = httpx.get(f"{base}/v1/problems", headers=headers).json()
        assert [p["id"] for p in listed] == ["one-slot-2027-W05"]


def test_keys_list_refuses_a_database_it_cannot_reach_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A database URL that cannot be reached ends the command with exit code 2 and a message."""
    from api.cli import main

    assert main(["keys", "list", "--database-url", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    assert capsys.readouterr().err.startswith("error: database-url:")
