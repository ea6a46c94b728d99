"""The job runner: a job in its own process reports, ends, fails, or is cancelled at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from api.database import Database
from api.jobs import JobRunner, job


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
