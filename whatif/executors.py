"""Run one function over many independent tasks: in this process, a process pool, or Ray.

A what-if sweep solves many weeks, and a national roll-out solves many regions;
both are the same shape: a picklable module-level function mapped over
picklable tasks, with the results in task order and a progress callback as
each task finishes. ``Executor.map`` is that shape; the backends differ only
in where the function runs.

Ray is imported only when a ``RayExecutor`` starts, so commands that never use
it do not pay for loading it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Literal, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")
Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all) each time a task finishes."""

ExecutorName = Literal["serial", "local", "ray"]


def cpu_count() -> int:
    """Give the number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def node_id() -> str:
    """Give the Ray node this process runs on, or the host name when it is not a Ray worker."""
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        return str(ray.get_runtime_context().get_node_id())
    return socket.gethostname()


class Executor:
    """Maps a function over tasks; the results come back in task order.

    Use it as a context manager (or call ``close``) to release its workers.
    """

    name = "serial"

    @property
    def workers(self) -> int:
        """Give how many tasks run at the same time."""
        return 1

    @property
    def cpus(self) -> int:
        """Give the CPUs the tasks may run on (one here: the tasks run one after the other)."""
        return 1

    def map(
        self,
        function: Callable[[Task], Result],
        tasks: Sequence[Task],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Give ``function(task)`` for every task, in task order, one after the other here."""
        results = []
        for done, task in enumerate(tasks, start=1):
            results.append(function(task))
            if progress is not None:
                progress(done, len(tasks))
        return results

    def close(self) -> None:
        """Release the workers (nothing to release when running here)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every task in this process, one after the other (for debugging and small runs)."""


class LocalPoolExecutor(Executor):
    """Runs tasks in a pool of spawned local processes, all cores by default."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers if workers is not None else cpu_count())
        self._pool: ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        """Give the number of worker processes."""
        return self._workers

    @property
    def cpus(self) -> int:
        """Give the cores of this machine, which the pool's processes share."""
        return cpu_count()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn rather than fork: the parent may hold threads (CP-SAT, Ray, a web server)
            # whose locks a forked child would inherit in an unknown state.
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def map(
        self,
        function: Callable[[Task], Result],
        tasks: Sequence[Task],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Give ``function(task)`` for every task, in task order, computed by the pool."""
        pool = self._ensure_pool()
        futures: dict[Future[Result], int] = {
            pool.submit(function, task): i for i, task in enumerate(tasks)
        }
        results: dict[int, Result] = {}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    results[futures[future]] = future.result()
                    if progress is not None:
                        progress(len(results), len(tasks))
        except BaseException:
            for future in pending:
                future.cancel()
            raise
        return [results[index] for index in range(len(tasks))]

    def close(self) -> None:
        """Shut the pool down, waiting for its processes to end."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class RayExecutor(Executor):
    """Runs tasks on a Ray cluster: an existing one at ``address``, or a local one it starts.

    A Ray instance that is already running in this process (started by a
    test, or by an earlier executor) is used as it is and left running.
    Each task asks Ray for ``cpus_per_task`` CPUs, so Ray runs as many at
    once as the cluster has room for.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        cpus_per_task: float = 1.0,
        runtime_env: dict[str, Any] | None = None,
    ) -> None:
        import ray

        self._ray: Any = ray
        self._cpus_per_task = cpus_per_task
        self._started = False
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "logging_level": logging.WARNING,
                "runtime_env": runtime_env,
            }
            if address is not None:
                ray.init(address=address, **options)
            else:
                ray.init(num_cpus=workers if workers is not None else cpu_count(), **options)
            self._started = True

    @property
    def workers(self) -> int:
        """Give how many tasks the cluster runs at the same time."""
        return max(1, int(self.cpus // self._cpus_per_task))

    @property
    def cpus(self) -> int:
        """Give the CPUs of every node of the cluster together."""
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def map(
        self,
        function: Callable[[Task], Result],
        tasks: Sequence[Task],
        progress: Progress | None = None,
    ) -> list[Result]:
        """Give ``function(task)`` for every task, in task order, computed on the cluster."""
        ray = self._ray
        # Spread over the nodes, so a sweep uses every node of the cluster, not the first alone.
        remote = ray.remote(
            num_cpus=self._cpus_per_task, max_retries=0, scheduling_strategy="SPREAD"
        )(function)
        refs = [remote.remote(task) for task in tasks]
        pending = list(refs)
        done = 0
        try:
            while pending:
                finished, pending = ray.wait(pending, num_returns=1)
                done += len(finished)
                if progress is not None:
                    progress(done, len(tasks))
            results: list[Result] = ray.get(refs)
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
        return results

    def close(self) -> None:
        """Shut Ray down if this executor started it; leave a Ray it found running."""
        if self._started:
            self._ray.shutdown()
            self._started = False


def make_executor(
    name: ExecutorName, workers: int | None = None, address: str | None = None
) -> Executor:
    """Give the executor of that name: ``serial``, ``local`` (a process pool) or ``ray``."""
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalPoolExecutor(workers)
    return RayExecutor(address=address, workers=workers)
