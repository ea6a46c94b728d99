"""Helpers of the real-server tests: ``gezinsrooster serve`` on a free port, its processes.

A server runs as its own process on loopback; ``serving`` stops it with
SIGTERM afterwards unless the test killed it first. The process helpers read
``/proc``, so that a test can see every process a server started (job
processes, multiprocessing's resource tracker) and whether any outlives it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import create_key
from api.published import PublishedWeek, load_week, new_parsed
from api.settings import Settings
from api.tables import utcnow
from scheduler.validate import check_assignments
from tests.kit.service import seed_roster

CLIENTS = 32
EXECUTABLE = Path(sys.executable).with_name("gezinsrooster")
PROC = Path("/proc")


def free_port() -> int:
    """Give a TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A running ``gezinsrooster serve``: its base URL and its process."""

    base: str
    process: subprocess.Popen[bytes]

    def kill(self) -> list[int]:
        """Give the pids of every process the server had started, after killing it with -9."""
        started = descendants(self.process.pid)
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        return started


@contextmanager
def serving(
    url: str,
    port: int,
    log_level: str = "warning",
    stderr: Path | None = None,
    workers: int = 1,
    **settings: str,
) -> Iterator[Server]:
    """Give a running server on the database; ``settings`` go in as ``GEZINSROOSTER_*``.

    With ``workers`` above 1 the server runs that many service processes on the port.
    Its log goes to the file ``stderr`` if given (read it once the block is left).
    Tests that try many wrong keys on purpose are not about the guessers' limit,
    so the limit on failed keys is raised unless ``settings`` says otherwise.
    """
    log = stderr.open("wb") if stderr is not None else None
    environment = {
        **os.environ,
        "GEZINSROOSTER_HOLD_MINUTES": "5",
        "GEZINSROOSTER_KEY_FAILURES": "1000",
    }
    environment.update({f"GEZINSROOSTER_{k.upper()}": v for k, v in settings.items()})
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
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.PIPE,
        env=environment,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Each worker process imports the whole service before it answers.
        deadline = time.monotonic() + 30 * workers
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
                raise AssertionError(
                    process.stderr.read().decode() if process.stderr else "no start"
                )
            time.sleep(0.1)
        yield Server(base, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(20)
        if log is not None:
            log.close()


def burst(
    base: str, requests: list[tuple[str, str, dict[str, Any] | None, str]]
) -> list[httpx.Response]:
    """Give the answers to (method, path, body, key) requests sent by many client threads."""
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with httpx.Client(base_url=base, limits=limits, timeout=120) as client:

        def send(request: tuple[str, str, dict[str, Any] | None, str]) -> httpx.Response:
            method, path, body, secret = request
            return client.request(method, path, json=body, headers={"X-API-Key": secret})

        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(send, requests))


def seed(
    url: str, data: dict[str, Any], roster: dict[str, Any], keys: dict[str, tuple[str, list[str]]]
) -> tuple[dict[str, str], str]:
    """Give a key secret per name (role, institutions) and the id of the week's stored roster."""
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secrets = {
            name: create_key(session, role, institutions, name)[1]
            for name, (role, institutions) in keys.items()
        }
    services = Services(Settings(database_url=url), database, JobRunner(database))
    roster_id = seed_roster(services, data, roster)
    database.dispose()
    return secrets, roster_id


def stored_week(url: str, institution: str, week: str) -> PublishedWeek:
    """Give the published week as stored, after checking that what is taken breaks no rule."""
    database = Database(url)
    try:
        with database.read() as session:
            found = load_week(session, new_parsed(), institution, week, utcnow())
            assert found is not None, f"nothing published for {institution} {week}"
            assert check_assignments(found.problem, found.taken()) == []
            return found
    finally:
        database.dispose()


def _status(pid: int) -> tuple[int, str, str] | None:
    """Give a process's parent pid, state letter and command line, or None once it is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name in parentheses may hold spaces: the fields follow its last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], command


def descendants(pid: int) -> list[int]:
    """Give the pids of every living process started by ``pid``, directly or further down."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = _status(int(entry.name))
            if found is not None and found[1] != "Z":
                parents[int(entry.name)] = found[0]
    family = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return sorted(family - {pid})


def solver_processes(pid: int) -> list[int]:
    """Give the job processes (spawned children, not the resource tracker) under ``pid``."""
    found = []
    for child in descendants(pid):
        status = _status(child)
        if status is not None and "spawn_main" in status[2]:
            found.append(child)
    return found


def alive(pids: list[int], within: float) -> list[int]:
    """Give the processes of ``pids`` still living (not gone, not a zombie) after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        living = [p for p in pids if (_status(p) or (0, "Z", ""))[1] != "Z"]
        if not living or time.monotonic() > deadline:
            return living
        time.sleep(0.1)
