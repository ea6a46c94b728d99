"""The job runner: a job in its own process reports, ends, fails, or is cancelled at once."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from api.database import Database
from api.job_owners import HEARTBEAT_SECONDS, STALE_SECONDS
from api.jobs import JobRunner, QueueFull, job
from api.tables import JobRow, utcnow


@pytest.fixture
def runner(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    database.upgrade()
    found = JobRunner(database, max_jobs=2)
    found.register("count", "tests.kit.job_targets:count")
    found.register("sleep", "tests.kit.job_targets:sleep")
    found.register("fail", "tests.kit.job_targets:fail")
    yield found
    found.shutdown()
    database.dispose()


def _run(runner: JobRunner, kind: str, payload: dict[str, object]) -> str:
    with runner.database.write() as session:
        job_id = runner.create(session, kind, {}, institutions=["PI-VH"])
    runner.start(job_id, payload)
    return job_id


def test_a_job_reports_and_ends_with_its_result(runner: JobRunner) -> None:
    """A finished job is ``done`` with its last progress and its result."""
    job_id = _run(runner, "count", {"steps": 3})
    assert runner.wait(job_id, 60)
    with runner.database.read() as session:
        row = job(session, job_id)
        assert row is not None
        assert (row.state, row.result, row.progress) == ("done", {"counted": 3}, {"step": 3})


def test_a_failing_job_shows_its_message(runner: JobRunner) -> None:
    """An exception in the job makes it ``failed`` with the message."""
    job_id = _run(runner, "fail", {})
    assert runner.wait(job_id, 60)
    with runner.database.read() as session:
        row = job(session, job_id)
        assert row is not None
        assert (row.state, row.error) == ("failed", "RuntimeError: the week could not be read")


def test_cancel_ends_the_process_at_once_and_keeps_the_best_so_far(runner: JobRunner) -> None:
    """Cancelling a running job ends its process within seconds; its best result stays."""
    job_id = _run(runner, "sleep", {"seconds": 600})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with runner.database.read() as session:
            row = job(session, job_id)
            if row is not None and row.result is not None:
                break
        time.sleep(0.1)
    began = time.monotonic()
    assert runner.cancel(job_id)
    assert time.monotonic() - began < 5
    assert not runner.is_running(job_id)
    assert not runner.cancel(job_id)
    with runner.database.read() as session:
        row = job(session, job_id)
        assert row is not None and (row.state, row.result) == ("cancelled", {"best": 1})


def test_an_unregistered_kind_is_refused(runner: JobRunner) -> None:
    """Creating a job of a kind without a target names the kind."""
    message = "kind: no target registered for jobs of kind 'x'"
    with pytest.raises(ValueError, match=message), runner.database.write() as session:
        runner.create(session, "x", {})


def _state(runner: JobRunner, job_id: str) -> str:
    with runner.database.read() as session:
        row = job(session, job_id)
        assert row is not None
        return row.state


def _settle(runner: JobRunner, job_ids: list[str], running: int) -> list[str]:
    """Give the jobs' states once ``running`` of them run (or after 30 s)."""
    deadline = time.monotonic() + 30
    states = [_state(runner, j) for j in job_ids]
    while states.count("running") < running and time.monotonic() < deadline:
        time.sleep(0.05)
        states = [_state(runner, j) for j in job_ids]
    return states


def test_a_job_started_from_a_thread_that_ends_keeps_running(runner: JobRunner) -> None:
    """The thread that asked for a job may end: its process lives on (it dies with the runner)."""
    asked: list[str] = []
    caller = threading.Thread(target=lambda: asked.append(_run(runner, "sleep", {})))
    caller.start()
    caller.join(10)
    assert _settle(runner, asked, 1) == ["running"]
    time.sleep(1)
    assert runner.is_running(asked[0]) and _state(runner, asked[0]) == "running"


def test_two_runners_on_one_database_share_the_running_places(tmp_path: Path) -> None:
    """Two service processes' runners with two places between them run two jobs, not four."""
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    database.upgrade()
    runners = [JobRunner(database, max_jobs=2) for _ in range(2)]
    try:
        job_ids = []
        for each in runners:
            each.register("sleep", "tests.kit.job_targets:sleep")
            job_ids += [_run(each, "sleep", {}) for _ in range(2)]
        states = _settle(runners[0], job_ids, 2)
        time.sleep(1)
        assert sorted(_state(runners[0], j) for j in job_ids) == ["queued"] * 2 + ["running"] * 2
        assert states.count("running") == 2
        first = next(j for j in job_ids if _state(runners[0], j) == "running")
        owner = next(r for r in runners if r.is_running(first))
        assert owner.cancel(first)
        assert _settle(runners[0], job_ids, 2).count("running") == 2
    finally:
        for each in runners:
            each.shutdown()
        database.dispose()


def test_a_full_queue_and_a_busy_key_refuse_new_jobs(tmp_path: Path) -> None:
    """Past its places and queue, or past the key's share, ``create`` raises QueueFull."""
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    database.upgrade()
    runner = JobRunner(database, max_jobs=1, max_queued=3, max_per_key=2, retry_after=7)
    runner.register("sleep", "tests.kit.job_targets:sleep")
    try:
        for key_id in (1, 1, 2):
            with database.write() as session:
                runner.create(session, "sleep", {}, key_id=key_id)
        busy_key = pytest.raises(QueueFull, match="this key has 2 jobs queued or running")
        with busy_key, database.write() as session:
            runner.create(session, "sleep", {}, key_id=1)
        with database.write() as session:
            runner.create(session, "sleep", {}, key_id=3)
        full = pytest.raises(QueueFull, match=r"the job queue is full \(1 running, 3 waiting\)")
        with full as refused, database.write() as session:
            runner.create(session, "sleep", {}, key_id=4)
        assert refused.value.retry_after == 7
        with database.read() as session:
            assert session.query(JobRow).count() == 4
    finally:
        runner.shutdown()
        database.dispose()


def test_shutdown_ends_running_and_queued_jobs_as_interrupted(tmp_path: Path) -> None:
    """Stopping the runner ends its processes; its jobs show interrupted, not failed."""
    database = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    database.upgrade()
    runner = JobRunner(database, max_jobs=1)
    runner.register("sleep", "tests.kit.job_targets:sleep")
    job_ids = [_run(runner, "sleep", {}) for _ in range(2)]
    assert _settle(runner, job_ids, 1) == ["running", "queued"]
    runner.shutdown()
    with database.read() as session:
        rows = [job(session, j) for j in job_ids]
        assert [(r.state, r.error) for r in rows if r is not None] == [
            ("interrupted", "the service stopped while this job ran"),
            ("interrupted", "the service stopped before this job ran"),
        ]
    assert not any(runner.is_running(j) for j in job_ids)
    database.dispose()


def _live_job(runner: JobRunner, owner: str | None, heartbeat_age: float) -> str:
    with runner.database.write() as session:
        job_id = runner.create(session, "sleep", {}, institutions=["PI-VH"])
        row = session.get(JobRow, job_id)
        assert row is not None
        row.state = "running"
        row.owner = owner
        row.heartbeat_at = utcnow() - timedelta(seconds=heartbeat_age)
    return job_id


def test_recover_interrupts_only_jobs_whose_owner_is_gone(runner: JobRunner) -> None:
    """A starting process leaves another live process's jobs alone; dead owners' jobs end."""
    other = JobRunner(runner.database, max_jobs=2)
    other.register("sleep", "tests.kit.job_targets:sleep")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    kept = {
        "another living runner": _live_job(runner, runner.owner, 0),
        "a process elsewhere, beating": _live_job(runner, "elsewhere:1:abc", 1),
    }
    ended = {
        "no owner": _live_job(runner, None, 0),
        "a dead process here": _live_job(runner, f"{host}:{gone.pid}:abc", 0),
        "a process elsewhere, silent": _live_job(runner, "elsewhere:1:abc", STALE_SECONDS + 1),
    }
    try:
        assert other.recover() == len(ended)
    finally:
        other.shutdown()
    with runner.database.read() as session:
        states = {what: job(session, job_id).state for what, job_id in {**kept, **ended}.items()}  # type: ignore[union-attr]
    assert states == {**dict.fromkeys(kept, "running"), **dict.fromkeys(ended, "interrupted")}


def test_a_job_cancelled_through_another_process_ends_at_its_owners_next_beat(
    runner: JobRunner,
) -> None:
    """Cancelled where it does not run, a job's process still ends, at its owner's heartbeat."""
    runner.recover()
    job_id = _run(runner, "sleep", {"seconds": 600})
    deadline = time.monotonic() + 60
    while not runner.is_running(job_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    other = JobRunner(runner.database, max_jobs=2)
    try:
        assert other.cancel(job_id)
    finally:
        other.shutdown()
    assert runner.wait(job_id, HEARTBEAT_SECONDS * 5)
    with runner.database.read() as session:
        row = job(session, job_id)
        assert row is not None and row.state == "cancelled"
