"""Long jobs (roster solves, what-if sweeps) in their own processes, tracked in the database.

A job is a row in ``jobs`` and a child process started with the *spawn*
context, so that ``cancel`` can end it at once (the solver holds no lock the
service needs). The child runs a *target*, a function ``target(payload,
report) -> result`` registered for the job's kind; ``report(progress,
result)`` sends progress and the best result so far. The parent writes what
arrives to the database, so a job shows its progress while it runs and keeps
its best result when it is cancelled. A job that was queued or running when
the service stopped shows as ``interrupted`` after the next start.

Other kinds of job register their own target::

    runner.register("whatif", "whatif.sweep:run_job")
    job_id = runner.create(session, "whatif", params, institutions=[...])
    # after the transaction commits:
    runner.start(job_id, payload)
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import queue as queue_module
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.database import Database
from api.tables import JobRow, utcnow

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
INTERRUPTED = "interrupted"
LIVE_STATES = (QUEUED, RUNNING)
FINAL_STATES = (DONE, FAILED, CANCELLED, INTERRUPTED)
PROGRESS_EVERY_SECONDS = 0.5

log = logging.getLogger(__name__)

Report = Callable[[dict[str, Any], dict[str, Any] | None], None]


def _resolve(target: str) -> Callable[[dict[str, Any], Report], dict[str, Any]]:
    module_name, _, name = target.partition(":")
    function: Callable[[dict[str, Any], Report], dict[str, Any]] = getattr(
        importlib.import_module(module_name), name
    )
    return function


def _child(target: str, payload: dict[str, Any], channel: Any) -> None:
    """Run one job's target in the child process and send what it gives back."""

    def report(progress: dict[str, Any], result: dict[str, Any] | None = None) -> None:
        channel.put(("progress", progress, result))

    try:
        result = _resolve(target)(payload, report)
    except Exception as error:  # the parent must hear of any failure, whatever its kind
        messages = getattr(error, "messages", None)
        text = "; ".join(messages) if messages else f"{type(error).__name__}: {error}"
        channel.put(("failed", text, None))
    else:
        channel.put(("done", {}, result))


def _stop(process: Any) -> None:
    """End a job process at once: SIGTERM, then SIGKILL if it lingers."""
    if process.pid is None:
        return
    process.terminate()
    process.join(2)
    if process.is_alive():
        process.kill()
        process.join(2)


@dataclass
class _Running:
    process: Any
    channel: Any
    cancelled: bool = False
    watcher: threading.Thread | None = None


@dataclass
class _Waiting:
    job_id: str
    payload: dict[str, Any] = field(default_factory=dict)


class JobRunner:
    """Starts, watches and cancels job processes; at most ``max_jobs`` run at once."""

    def __init__(self, database: Database, max_jobs: int = 1) -> None:
        self.database = database
        self.max_jobs = max_jobs
        self._targets: dict[str, str] = {}
        self._on_done: dict[str, Callable[[str], None]] = {}
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}
        self._waiting: deque[_Waiting] = deque()
        self._closed = False

    def register(
        self, kind: str, target: str, on_done: Callable[[str], None] | None = None
    ) -> None:
        """Run jobs of this kind with ``target`` (``"module:function"``).

        ``on_done(job_id)`` runs in the service process once a job of the kind
        has finished with its result stored.
        """
        self._targets[kind] = target
        if on_done is not None:
            self._on_done[kind] = on_done

    def recover(self) -> int:
        """Give how many jobs left queued or running by an earlier process are now interrupted."""
        with self.database.write() as session:
            result = session.execute(
                update(JobRow)
                .where(JobRow.state.in_(LIVE_STATES))
                .values(
                    state=INTERRUPTED,
                    error="the service stopped while this job was queued or running",
                    finished_at=utcnow(),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def create(
        self,
        session: Session,
        kind: str,
        params: dict[str, Any],
        *,
        problem_id: str | None = None,
        institutions: list[str] | None = None,
        key_id: int | None = None,
    ) -> str:
        """Give the id of a new queued job added to the session (start it after the commit)."""
        if kind not in self._targets:
            raise ValueError(f"kind: no target registered for jobs of kind '{kind}'")
        job_id = str(uuid.uuid4())
        session.add(
            JobRow(
                id=job_id,
                kind=kind,
                problem_id=problem_id,
                institutions=sorted(set(institutions or [])),
                state=QUEUED,
                params=params,
                progress={},
                result=None,
                key_id=key_id,
                created_at=utcnow(),
            )
        )
        return job_id

    def start(self, job_id: str, payload: dict[str, Any]) -> None:
        """Run a created job now, or as soon as fewer than ``max_jobs`` run."""
        with self._lock:
            self._waiting.append(_Waiting(job_id, payload))
        self._pump()

    def cancel(self, job_id: str) -> bool:
        """Give whether a queued or running job was cancelled (its process ended at once)."""
        with self._lock:
            running = self._running.get(job_id)
            self._waiting = deque(w for w in self._waiting if w.job_id != job_id)
            if running is not None:
                running.cancelled = True
        if running is not None:
            _stop(running.process)
            with self._lock:
                self._running.pop(job_id, None)
        changed = self._finish(job_id, CANCELLED, error=None, states=LIVE_STATES)
        self._pump()
        return changed

    def is_running(self, job_id: str) -> bool:
        """Tell whether this process is running the job right now."""
        with self._lock:
            return job_id in self._running

    def wait(self, job_id: str, timeout: float) -> bool:
        """Give whether the job left this process's queue and processes within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                busy = job_id in self._running or any(w.job_id == job_id for w in self._waiting)
            if not busy:
                return True
            time.sleep(0.05)
        return False

    def shutdown(self) -> None:
        """End every job process; their jobs show as interrupted."""
        with self._lock:
            self._closed = True
            running = dict(self._running)
            waiting = list(self._waiting)
            self._waiting.clear()
        for job_id, item in running.items():
            item.cancelled = True
            _stop(item.process)
            self._finish(job_id, INTERRUPTED, "the service stopped while this job ran", LIVE_STATES)
        for queued in waiting:
            self._finish(
                queued.job_id, INTERRUPTED, "the service stopped before this job ran", LIVE_STATES
            )

    def _pump(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._waiting or len(self._running) >= self.max_jobs:
                    return
                waiting = self._waiting.popleft()
            self._launch(waiting)

    def _launch(self, waiting: _Waiting) -> None:
        with self.database.write() as session:
            row = session.get(JobRow, waiting.job_id)
            if row is None or row.state != QUEUED:
                return
            row.state = RUNNING
            row.started_at = utcnow()
            target = self._targets[row.kind]
        channel = self._context.Queue()
        process = self._context.Process(
            target=_child, args=(target, waiting.payload, channel), daemon=True
        )
        running = _Running(process, channel)
        with self._lock:
            # Started under the lock, so a cancel never finds a process not yet begun.
            self._running[waiting.job_id] = running
            process.start()
        running.watcher = threading.Thread(
            target=self._watch, args=(waiting.job_id, running), daemon=True
        )
        running.watcher.start()

    def _watch(self, job_id: str, running: _Running) -> None:
        """Write the child's progress to the database until it ends, fails or is cancelled."""
        progress: dict[str, Any] | None = None
        best: dict[str, Any] | None = None
        last_write = 0.0
        final: tuple[str, str | None] | None = None
        while final is None and not running.cancelled:
            message = self._receive(running)
            if message is None:
                continue
            kind, first, result = message
            if result is not None:
                best = result
            if kind == "progress":
                progress = first
            elif kind == "done":
                final = (DONE, None)
            else:
                final = (FAILED, str(first))
            now = time.monotonic()
            if final is None and progress and now - last_write >= PROGRESS_EVERY_SECONDS:
                self._progress(job_id, progress, best)
                last_write = now
        if final is not None and not running.cancelled:
            if progress:
                self._progress(job_id, progress, None)
            finished = self._finish(job_id, final[0], final[1], (RUNNING,), best)
            running.process.join(5)
            if finished and final[0] == DONE:
                self._done(job_id)
        with self._lock:
            self._running.pop(job_id, None)
        self._pump()

    def _done(self, job_id: str) -> None:
        with self.database.read() as session:
            row = session.get(JobRow, job_id)
            kind = row.kind if row is not None else ""
        callback = self._on_done.get(kind)
        if callback is None:
            return
        try:
            callback(job_id)
        except Exception:  # a failing follow-up must not stop the job runner
            log.exception("follow-up of job %s failed", job_id)

    @staticmethod
    def _receive(running: _Running) -> tuple[str, Any, dict[str, Any] | None] | None:
        """Give the child's next message, a failure if it died silently, or None for now."""
        try:
            message: tuple[str, Any, dict[str, Any] | None] = running.channel.get(timeout=0.2)
            return message
        except queue_module.Empty:
            if running.process.is_alive() or not running.channel.empty():
                return None
            code = running.process.exitcode
            return ("failed", f"the job process ended without a result (exit code {code})", None)
        except (EOFError, OSError):
            return ("failed", "the job process's channel closed", None)

    def _progress(
        self, job_id: str, progress: dict[str, Any], result: dict[str, Any] | None
    ) -> None:
        values: dict[str, Any] = {"progress": progress}
        if result is not None:
            values["result"] = result
        with self.database.write() as session:
            session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.state == RUNNING).values(**values)
            )

    def _finish(
        self,
        job_id: str,
        state: str,
        error: str | None,
        states: tuple[str, ...],
        result: dict[str, Any] | None = None,
    ) -> bool:
        values: dict[str, Any] = {"state": state, "error": error, "finished_at": utcnow()}
        if result is not None:
            values["result"] = result
        with self.database.write() as session:
            changed = session.execute(
                update(JobRow).where(JobRow.id == job_id, JobRow.state.in_(states)).values(**values)
            )
            return bool(getattr(changed, "rowcount", 0))


def job(session: Session, job_id: str, kind: str | None = None) -> JobRow | None:
    """Give a job's row (of the given kind, when one is named), or None."""
    query = select(JobRow).where(JobRow.id == job_id)
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    return session.scalars(query).first()
