"""Long jobs (roster solves, what-if sweeps) in their own processes, tracked in the database.

A job is a row in ``jobs`` and a child process started with the *spawn*
context, so that ``cancel`` can end it at once (the solver holds no lock the
service needs). The child runs a *target*, a function ``target(payload,
report) -> result`` registered for the job's kind; ``report(progress,
result)`` sends progress and the best result so far. The parent writes what
arrives to the database, so a job shows its progress while it runs and keeps
its best result when it is cancelled. A job that was queued or running when
the service stopped shows as ``interrupted`` after the next start; with
several service processes, only a job whose own process is gone
(``api.job_owners``).

Admission is decided in the database, so that it holds across threads and
service processes: creating a job counts the live jobs (in total and of the
caller's key) and starting one counts the running jobs, each under one named
lock (``Database.lock``), so the check and the change are one step. A full
queue refuses the job with ``QueueFull``. Every job process is started from
one long-lived dispatcher thread and dies with the service: on Linux the
kernel kills it when that thread goes (``PR_SET_PDEATHSIG``), and everywhere
a watchdog in the child ends it once its parent is gone.

Other kinds of job register their own target::

    runner.register("whatif", "whatif.sweep:run_job")
    job_id = runner.create(session, "whatif", params, institutions=[...])
    # after the transaction commits:
    runner.start(job_id, payload)
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.database import Database
from api.job_owners import HEARTBEAT_SECONDS, abandoned, new_owner
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
# How often the dispatcher looks for a free place that another service process freed,
# and how often a job process checks that its parent still lives.
DISPATCH_POLL_SECONDS = 0.25
PARENT_POLL_SECONDS = 0.5
ADMISSION_LOCK = "job-admission"
PR_SET_PDEATHSIG = 1
_CLAIMED, _FULL, _GONE = "claimed", "full", "gone"

LOG = logging.getLogger(__name__)

log = logging.getLogger(__name__)

Report = Callable[[dict[str, Any], dict[str, Any] | None], None]


def _resolve(target: str) -> Callable[[dict[str, Any], Report], dict[str, Any]]:
    module_name, _, name = target.partition(":")
    function: Callable[[dict[str, Any], Report], dict[str, Any]] = getattr(
        importlib.import_module(module_name), name
    )
    return function


class QueueFull(Exception):
    """A job refused because the queue is full, in total or for the caller's key."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _die_with_parent(parent: int) -> None:
    """End this job process when the service that started it is gone, however it went."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died before the line above: then it was already reparented.
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _child(target: str, payload: dict[str, Any], channel: Any, parent: int) -> None:
    """Run one job's target in the child process and send what it gives back."""
    _die_with_parent(parent)

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
    """Starts, watches and cancels job processes; at most ``max_jobs`` run at once.

    At most ``max_queued`` more jobs wait for a place, and one key has at
    most ``max_per_key`` jobs queued or running; the limits count every
    service process on the database. A refused job's ``QueueFull`` says to
    try again after ``retry_after`` seconds.
    """

    def __init__(
        self,
        database: Database,
        max_jobs: int = 1,
        *,
        max_queued: int = 16,
        max_per_key: int = 4,
        retry_after: int = 30,
    ) -> None:
        self.database = database
        self.max_jobs = max_jobs
        self.max_queued = max_queued
        self.max_per_key = max_per_key
        self.retry_after = retry_after
        self._targets: dict[str, str] = {}
        self._on_done: dict[str, Callable[[str], None]] = {}
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._running: dict[str, _Running] = {}
        self._waiting: deque[_Waiting] = deque()
        self._dispatcher: threading.Thread | None = None
        self._closed = False
        self.owner = new_owner()
        self._heart: threading.Thread | None = None
        self._stopping = threading.Event()

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
        """Give how many jobs whose process is gone are now interrupted; start the heartbeat.

        Jobs of other service processes that still live are left alone
        (``api.job_owners``); jobs without an owner are of an earlier process.
        """
        found = self._interrupt_abandoned(unowned=True)
        with self._lock:
            if self._heart is None and not self._closed:
                self._heart = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
                self._heart.start()
        return found

    def _interrupt_abandoned(self, *, unowned: bool) -> int:
        with self.database.write() as session:
            gone = abandoned(session, LIVE_STATES, self.owner, utcnow(), unowned=unowned)
            if not gone:
                return 0
            result = session.execute(
                update(JobRow)
                .where(JobRow.id.in_(gone), JobRow.state.in_(LIVE_STATES))
                .values(
                    state=INTERRUPTED,
                    error="the service stopped while this job was queued or running",
                    finished_at=utcnow(),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def _beat(self) -> None:
        """Say this process lives on its jobs; end what another process cancelled; sweep."""
        while not self._stopping.wait(HEARTBEAT_SECONDS):
            try:
                with self._lock:
                    mine = list(self._running) + [w.job_id for w in self._waiting]
                if mine:
                    self._heartbeat(mine)
                self._interrupt_abandoned(unowned=False)
            except Exception:  # a database that is away now: the next beat tries again
                LOG.exception("job heartbeat failed; trying again shortly")

    def _heartbeat(self, mine: list[str]) -> None:
        with self.database.write() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id.in_(mine), JobRow.owner == self.owner)
                .values(heartbeat_at=utcnow())
            )
            ended = session.scalars(
                select(JobRow.id).where(JobRow.id.in_(mine), JobRow.state.not_in(LIVE_STATES))
            ).all()
        for job_id in ended:
            self._stop_here(job_id)

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
        """Give the id of a new queued job added to the session (start it after the commit).

        Raises ``QueueFull`` when every place and queue slot is taken, or when
        the key already has ``max_per_key`` live jobs.
        """
        if kind not in self._targets:
            raise ValueError(f"kind: no target registered for jobs of kind '{kind}'")
        self.database.lock(session, ADMISSION_LOCK)
        live = select(func.count()).select_from(JobRow).where(JobRow.state.in_(LIVE_STATES))
        if int(session.scalar(live) or 0) >= self.max_jobs + self.max_queued:
            raise QueueFull(
                f"the job queue is full ({self.max_jobs} running, {self.max_queued} waiting); "
                "try again later",
                self.retry_after,
            )
        if key_id is not None:
            mine = int(session.scalar(live.where(JobRow.key_id == key_id)) or 0)
            if mine >= self.max_per_key:
                raise QueueFull(
                    f"this key has {mine} jobs queued or running, the most it may have "
                    f"({self.max_per_key}); try again once one has ended",
                    self.retry_after,
                )
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
                owner=self.owner,
                heartbeat_at=utcnow(),
            )
        )
        session.flush()
        return job_id

    def start(self, job_id: str, payload: dict[str, Any]) -> None:
        """Run a created job now, or as soon as fewer than ``max_jobs`` run."""
        with self._lock:
            if self._closed:
                return
            self._waiting.append(_Waiting(job_id, payload))
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(
                    target=self._dispatch, name="job-dispatcher", daemon=True
                )
                self._dispatcher.start()
        self._wake.set()

    def _stop_here(self, job_id: str) -> None:
        """End the job's process if this service process runs it, and drop it from the queue."""
        with self._lock:
            running = self._running.get(job_id)
            self._waiting = deque(w for w in self._waiting if w.job_id != job_id)
            if running is not None:
                running.cancelled = True
        if running is not None:
            _stop(running.process)
            with self._lock:
                self._running.pop(job_id, None)

    def cancel(self, job_id: str) -> bool:
        """Give whether a queued or running job was cancelled (its process ended at once).

        A job another service process runs ends there at its next heartbeat.
        """
        self._stop_here(job_id)
        changed = self._finish(job_id, CANCELLED, error=None, states=LIVE_STATES)
        self._wake.set()
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
        self._stopping.set()
        with self._lock:
            self._closed = True
            running = dict(self._running)
            # Marked before the dispatcher ends: its end kills the processes (their
            # parent-death signal), which their watchers must not take for a failure.
            for item in running.values():
                item.cancelled = True
            waiting = list(self._waiting)
            self._waiting.clear()
            dispatcher = self._dispatcher
        self._wake.set()
        if dispatcher is not None:
            dispatcher.join(10)
        for job_id, item in running.items():
            _stop(item.process)
            if item.watcher is not None:
                item.watcher.join(5)
            with self._lock:
                self._running.pop(job_id, None)
            self._finish(job_id, INTERRUPTED, "the service stopped while this job ran", LIVE_STATES)
        for queued in waiting:
            self._finish(
                queued.job_id, INTERRUPTED, "the service stopped before this job ran", LIVE_STATES
            )

    def _dispatch(self) -> None:
        """Start waiting jobs as places free up, until shutdown (the one thread that starts them).

        Every job process is started from this thread, because the kernel's
        parent-death signal follows the thread that started a process, not
        the whole service: a request's worker thread may end long before the job.
        """
        while True:
            self._wake.wait(DISPATCH_POLL_SECONDS)
            self._wake.clear()
            try:
                while self._launch_next():
                    pass
            except Exception:  # a database that is away now: the jobs wait for the next round
                LOG.exception("could not start a waiting job; trying again shortly")
            with self._lock:
                if self._closed:
                    return

    def _launch_next(self) -> bool:
        """Give whether the first waiting job was started or dropped (False: none may start)."""
        with self._lock:
            if self._closed or not self._waiting:
                return False
            waiting = self._waiting[0]
            outcome, target = self._claim(waiting.job_id)
            if outcome != _FULL:
                self._waiting.popleft()
            if outcome != _CLAIMED:
                return outcome == _GONE
            channel = self._context.Queue()
            process = self._context.Process(
                target=_child, args=(target, waiting.payload, channel, os.getpid()), daemon=True
            )
            running = _Running(process, channel)
            # Started under the lock, so a cancel never finds a process not yet begun.
            self._running[waiting.job_id] = running
            try:
                process.start()
            except OSError as error:  # out of processes or memory: the job fails, its place frees
                del self._running[waiting.job_id]
                message = f"the job process could not be started ({error})"
                self._finish(waiting.job_id, FAILED, message, (RUNNING,))
                return True
        running.watcher = threading.Thread(
            target=self._watch, args=(waiting.job_id, running), daemon=True
        )
        running.watcher.start()
        return True

    def _claim(self, job_id: str) -> tuple[str, str]:
        """Give whether the job was marked running (claimed), must wait (full) or is gone.

        A claimed job comes with its target; a job no longer queued (cancelled)
        is gone. Counting the running jobs and marking this one happen under
        the admission lock, so two dispatchers (threads or service processes)
        never both take the last place.
        """

        def claim(session: Session) -> tuple[str, str]:
            self.database.lock(session, ADMISSION_LOCK)
            row = session.get(JobRow, job_id)
            if row is None or row.state != QUEUED:
                return _GONE, ""
            running = select(func.count()).select_from(JobRow).where(JobRow.state == RUNNING)
            if int(session.scalar(running) or 0) >= self.max_jobs:
                return _FULL, ""
            row.state = RUNNING
            row.started_at = utcnow()
            return _CLAIMED, self._targets[row.kind]

        return self.database.transact(claim)

    def _watch(self, job_id: str, running: _Running) -> None:
        """Write the child's progress to the database until it ends, fails or is cancelled."""
        try:
            self._follow(job_id, running)
        finally:
            with self._lock:
                self._running.pop(job_id, None)
            self._wake.set()

    def _follow(self, job_id: str, running: _Running) -> None:
        progress: dict[str, Any] | None = None
        best: dict[str, Any] | None = None
        last_write = 0.0
        final: tuple[str, str | None] | None = None
        # Whether a report arrived that is not written yet: held back by the spacing, it is
        # written once the spacing allows, even should the job go quiet for a while.
        unwritten = False
        while final is None and not running.cancelled:
            message = self._receive(running)
            if message is not None:
                unwritten = True
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
            if (
                final is None
                and unwritten
                and progress
                and now - last_write >= PROGRESS_EVERY_SECONDS
            ):
                self._progress(job_id, progress, best)
                last_write, unwritten = now, False
        if final is not None and not running.cancelled:
            if progress:
                self._progress(job_id, progress, None)
            # The process is gone before its place counts as free.
            running.process.join(5)
            _stop(running.process)
            finished = self._finish(job_id, final[0], final[1], (RUNNING,), best)
            if finished and final[0] == DONE:
                self._done(job_id)

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
        query = update(JobRow).where(JobRow.id == job_id, JobRow.state == RUNNING)
        self.database.transact(lambda session: session.execute(query.values(**values)))

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
        query = update(JobRow).where(JobRow.id == job_id, JobRow.state.in_(states))
        changed = self.database.transact(lambda session: session.execute(query.values(**values)))
        return bool(getattr(changed, "rowcount", 0))


def job(session: Session, job_id: str, kind: str | None = None) -> JobRow | None:
    """Give a job's row (of the given kind, when one is named), or None."""
    query = select(JobRow).where(JobRow.id == job_id)
    if kind is not None:
        query = query.where(JobRow.kind == kind)
    return session.scalars(query).first()
