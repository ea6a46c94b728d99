"""The best roster so far while a solve runs: each improving solution read out as a roster.

The search's reporter (``solver.search.Reporter``) hands ``LiveRosters`` the
solutions that beat its group's best, when one is due (at most one every
``LIVE_ROSTER_SECONDS``); each is read out as the roster's assignments, with
its tiers, shortfalls and KPIs, and given to the caller's handler (from a
thread of its own, ``LiveRosters.close`` waits for it) only when it
is better than the last one given (the warm start to begin with), tier by
tier in their order of priority: more fathers at their legal minimum, or as
many with a higher entitlement value, and so on. A solution of a later tier
group is a whole roster, every earlier tier held; a solution of the legal
tier alone holds only visits (searched on ``solver.model.VisitModel``, read
out through it: ``read_with``) and so passes only with more legal minimums. Reading the assignments
takes the search's thread for a moment (some 40 ms at Veenhuizen); the
spacing keeps that small, and the search's result is the same with or without
it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence

from scheduler.domain import Assignment, Problem, Roster
from scheduler.objective import tier_order, tiers
from solver.model import RosterModel

# The least time between two rosters read out of a running search.
LIVE_ROSTER_SECONDS = 2.0

RosterHandler = Callable[[Roster], None]
# Gives the roster of a solve's assignments (``solver.solve``'s own roster-making).
RosterMaker = Callable[[list[Assignment]], Roster]


class LiveRosters:
    """Reads improving solutions out as rosters, spaced in time, and hands them on."""

    def __init__(
        self,
        built: RosterModel,
        make: RosterMaker,
        on_roster: RosterHandler,
        start: list[Assignment],
        previous: Roster | None = None,
    ) -> None:
        self.built = built
        # The model whose solutions are read out: the week's, or the legal tier's sub-model.
        self.reading = built
        self.previous = previous
        self.make = make
        self.on_roster = on_roster
        self.every = LIVE_ROSTER_SECONDS
        # The first better solution is read out at once, the next ones spaced in time.
        self.last: float | None = None
        self.best = self._key(start)
        self._waiting: queue.Queue[list[Assignment] | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    @property
    def problem(self) -> Problem:
        """Give the week being solved."""
        return self.built.problem

    def read_with(self, model: RosterModel | None) -> None:
        """Read the solutions taken from now on through ``model`` (None: the week's own)."""
        self.reading = self.built if model is None else model

    def due(self) -> bool:
        """Tell whether enough time has gone since the last roster read out."""
        return self.last is None or time.monotonic() - self.last >= self.every

    def take(self, values: Sequence[int]) -> bool:
        """Read a solution (every variable's value) out; give whether it goes on as a roster.

        Only the assignments and their tiers are read here, on the search's
        thread; the roster (its shortfalls take most of the time) is made and
        handed on by a thread of its own, in the order taken.
        """
        self.last = time.monotonic()
        assignments = self.reading.read(lambda literal: _chosen(values, literal.index))
        key = self._key(assignments)
        if key <= self.best:
            return False
        self.best = key
        if self._worker is None:
            self._worker = threading.Thread(target=self._hand_on, name="live-rosters", daemon=True)
            self._worker.start()
        self._waiting.put(assignments)
        self.last = time.monotonic()
        return True

    def close(self) -> None:
        """Hand on the rosters still being made, then end their thread."""
        if self._worker is not None:
            self._waiting.put(None)
            self._worker.join()
            self._worker = None

    def _hand_on(self) -> None:
        """Make and hand on each roster taken, until ``close``."""
        while (assignments := self._waiting.get()) is not None:
            self.on_roster(self.make(assignments))

    def _key(self, assignments: list[Assignment]) -> tuple[int, ...]:
        """Give what a roster so far must improve on: its tiers in their order of priority."""
        return tier_order(tiers(self.problem, assignments, self.previous).as_dict())


def _chosen(values: Sequence[int], index: int) -> bool:
    """Tell whether a literal (a negated one has a negative index) is true in the solution."""
    return bool(values[index]) if index >= 0 else not values[-index - 1]
