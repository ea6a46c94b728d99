"""Editing a roster by hand: move, swap, delete, add, pin and unpin appointments.

A planner's edits are applied one after the other to a roster's
assignments. Moving and adding place the occurrence as the shortfall
explanations and the slot allocation do (``scheduler.placement.blockers``):
they find a free room and the staff, or every reason the place does not
fit. The whole edited week is then checked again by the independent
validator (``scheduler.validate``): an edit is refused when it breaks a
hard rule the roster did not break before, with the reasons in the shortfall
vocabulary (``scheduler.reasons``) and the nearest places that do fit.
Nothing here knows the solver; see docs/design.md section 4 for the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scheduler.domain import (
    Assignment,
    Contract,
    LocalDateTime,
    Problem,
    ProblemError,
    Roster,
)
from scheduler.ids import AssignmentId, Id, Pseudonym
from scheduler.kpis import compute_kpis
from scheduler.objective import objective, tiers
from scheduler.occupancy import Occupancy
from scheduler.placement import alternatives, blockers
from scheduler.shortfalls import explain_shortfalls
from scheduler.validate import check_assignments
from scheduler.violations import Violation

Op = Literal["move", "swap", "delete", "add", "pin", "unpin"]
HAND = "hand"
"""The ``solver`` of a roster edited by hand."""
ALTERNATIVES = 3


class Edit(Contract):
    """One change by hand to a roster's appointments.

    ``move``: ``assignment`` to another ``start``, ``room`` or ``session``
    (``father`` names who moves out of a session with several fathers);
    ``swap``: the fathers of ``assignment`` and ``other`` change places
    (``father`` and ``other_father`` name them in sessions with several);
    ``delete``: ``assignment``, or only ``father`` from its session; ``add``:
    ``father`` and ``activity`` at ``start`` (or in ``session``, optionally in
    ``room``); ``pin`` and ``unpin``: ``assignment`` is kept as it is by a
    re-solve, or no longer.
    """

    op: Op
    assignment: AssignmentId | None = None
    other: AssignmentId | None = None
    father: Pseudonym | None = None
    other_father: Pseudonym | None = None
    activity: Id | None = None
    start: LocalDateTime | None = None
    room: Id | None = None
    session: Id | None = None


@dataclass
class EditRefused(Exception):
    """An edit that breaks a hard rule: which one, why (reason codes), and what fits instead."""

    index: int
    messages: list[str]
    reasons: list[str]
    alternatives: list[Assignment] = field(default_factory=list)

    def __str__(self) -> str:
        return f"edits[{self.index}]: " + "; ".join(self.messages)


@dataclass
class Edited:
    """The roster's assignments after the edits, and what the validator still finds in them."""

    assignments: list[Assignment]
    findings: list[Violation]
    changed: list[str]


def apply_edits(problem: Problem, assignments: list[Assignment], edits: list[Edit]) -> Edited:
    """Give the assignments with every edit applied, or raise why one cannot be.

    Raises ``ProblemError`` naming the field (``edits[0].assignment``) for an
    edit that names what the roster or week does not have, and
    ``EditRefused`` for one that breaks a hard rule the roster did not.
    """
    before = {(v.rule, v.message) for v in check_assignments(problem, assignments)}
    current = list(assignments)
    changed: list[str] = []
    for index, edit in enumerate(edits):
        where = f"edits[{index}]"
        try:
            current, touched = _apply(problem, current, edit, where, index)
        except ProblemError as error:
            raise ProblemError(
                [m if m.startswith(where) else f"{where}.{m}" for m in error.messages]
            ) from None
        changed.extend(t for t in touched if t not in changed)
        broken = [
            v for v in check_assignments(problem, current) if (v.rule, v.message) not in before
        ]
        if broken:
            raise EditRefused(
                index,
                [v.message for v in broken],
                sorted({v.reason for v in broken if v.reason}),
                _nearest(problem, assignments, edit),
            )
    return Edited(current, check_assignments(problem, current), changed)


def edited_roster(problem: Problem, source: Roster, edited: Edited) -> Roster:
    """Give the roster made of the edited assignments, its shortfalls and figures recomputed."""
    clock = problem.clock
    ordered = sorted(edited.assignments, key=lambda a: (clock.minute(a.start), a.id))
    return Roster(
        problem_id=source.problem_id,
        week=source.week,
        status="feasible",
        objective=objective(problem, ordered),
        solver=HAND,
        tiers=tiers(problem, ordered).as_dict(),
        assignments=ordered,
        shortfalls=explain_shortfalls(problem, ordered),
        kpis=compute_kpis(problem, ordered),
    )


def _apply(
    problem: Problem, current: list[Assignment], edit: Edit, where: str, index: int
) -> tuple[list[Assignment], list[str]]:
    """Give the assignments after one edit, and the ids it made or changed."""
    if edit.op == "add":
        father = _required(edit.father, "father", edit.op)
        activity = _required(edit.activity, "activity", edit.op)
        return _place(problem, current, father, activity, edit, index)
    found = _find(current, _required(edit.assignment, "assignment", edit.op), "assignment")
    if edit.op in ("pin", "unpin"):
        pinned = found.model_copy(update={"pinned": edit.op == "pin"})
        return _replace(current, found, [pinned]), [found.id]
    if edit.op == "delete":
        if edit.father is None or len(found.fathers) <= 1:
            _father_of(found, edit.father, "father")
            return _replace(current, found, []), []
        father = _father_of(found, edit.father, "father")
        return _replace(current, found, [_without(found, father)]), [found.id]
    if edit.op == "swap":
        return _swap(current, found, edit)
    if edit.start is None and edit.room is None and edit.session is None:
        raise ProblemError([f"{where}: move needs a start, a room or a session"])
    father = _father_of(found, edit.father, "father")
    rest = _replace(current, found, [_without(found, father)] if len(found.fathers) > 1 else [])
    target = edit
    if edit.start is None and edit.session is None:
        target = edit.model_copy(update={"start": found.start})
    placed, touched = _place(problem, rest, father, found.activity, target, index)
    if found.pinned:
        placed = [a.model_copy(update={"pinned": True}) if a.id in touched else a for a in placed]
    return placed, touched


def _place(
    problem: Problem,
    current: list[Assignment],
    father: str,
    activity_id: str,
    edit: Edit,
    index: int,
) -> tuple[list[Assignment], list[str]]:
    """Give the assignments with one more occurrence placed where the edit says, or refuse it."""
    activity = problem.activity_by_id.get(activity_id)
    if activity is None:
        raise ProblemError([f"activity: unknown activity '{activity_id}'"])
    if edit.session is not None:
        session = problem.session_by_id.get(edit.session)
        if session is None:
            raise ProblemError([f"session: unknown session '{edit.session}'"])
        moment = session.start
    elif edit.start is not None:
        moment = edit.start
    else:
        raise ProblemError([f"start: {edit.op} of {activity_id} needs a start or a session"])
    occupancy = Occupancy(problem, current)
    start = problem.clock.minute(moment)
    assignment, why = blockers(
        problem, occupancy, father, activity_id, start, edit.session, edit.room
    )
    if assignment is None:
        offers = alternatives(problem, occupancy, father, activity_id, start, ALTERNATIVES)
        when = moment.isoformat(timespec="minutes")
        raise EditRefused(
            index, [f"{activity_id} of {father} at {when}: {', '.join(why)}"], why, offers
        )
    kept = [a for a in current if a.id != assignment.id]
    return [*kept, assignment], [assignment.id]


def _swap(
    current: list[Assignment], found: Assignment, edit: Edit
) -> tuple[list[Assignment], list[str]]:
    """Give the assignments with the two fathers exchanged between their appointments."""
    other = _find(current, _required(edit.other, "other", edit.op), "other")
    if other.id == found.id:
        raise ProblemError([f"other: '{other.id}' is the appointment itself"])
    first = _father_of(found, edit.father, "father")
    second = _father_of(other, edit.other_father, "other_father")
    if first == second or first in other.fathers or second in found.fathers:
        raise ProblemError([f"other_father: {first} and {second} would be in both appointments"])
    one = found.model_copy(update={"fathers": [second if f == first else f for f in found.fathers]})
    two = other.model_copy(update={"fathers": [first if f == second else f for f in other.fathers]})
    return _replace(_replace(current, found, [one]), other, [two]), [one.id, two.id]


def _nearest(problem: Problem, before: list[Assignment], edit: Edit) -> list[Assignment]:
    """Give the nearest places that fit for a refused move or add, if the edit places one."""
    if edit.op not in ("move", "add"):
        return []
    source = next((a for a in before if a.id == edit.assignment), None)
    father = edit.father or (source.fathers[0] if source and source.fathers else None)
    activity = edit.activity or (source.activity if source else None)
    moment = edit.start or (source.start if source else None)
    if father is None or activity is None or moment is None:
        return []
    return nearest_places(problem, before, father, activity, moment, source)


def nearest_places(
    problem: Problem,
    assignments: list[Assignment],
    father: str,
    activity: str,
    moment: datetime,
    leaving: Assignment | None = None,
) -> list[Assignment]:
    """Give up to three places for one occurrence that pass every check, nearest to ``moment``.

    ``leaving`` is the appointment the father moves out of: it is left out
    (a session keeps its other fathers) before the places are looked for.
    """
    if father not in problem.father_by_id or activity not in problem.activity_by_id:
        return []
    rest = [a for a in assignments if leaving is None or a.id != leaving.id]
    if leaving is not None and len(leaving.fathers) > 1:
        rest.append(_without(leaving, father))
    occupancy = Occupancy(problem, rest)
    around = problem.clock.minute(moment)
    return alternatives(problem, occupancy, father, activity, around, ALTERNATIVES)


def _required(value: str | None, name: str, op: str) -> str:
    if value is None:
        raise ProblemError([f"{name}: is required for {op}"])
    return value


def _find(current: list[Assignment], assignment_id: str, name: str) -> Assignment:
    found = next((a for a in current if a.id == assignment_id), None)
    if found is None:
        raise ProblemError([f"{name}: the roster has no appointment '{assignment_id}'"])
    return found


def _father_of(assignment: Assignment, father: str | None, name: str) -> str:
    """Give the father meant in an appointment: the one named, or its only one."""
    if father is None:
        if len(assignment.fathers) != 1:
            raise ProblemError(
                [f"{name}: '{assignment.id}' has {len(assignment.fathers)} fathers; name one"]
            )
        return assignment.fathers[0]
    if father not in assignment.fathers:
        raise ProblemError([f"{name}: {father} is not in '{assignment.id}'"])
    return father


def _without(assignment: Assignment, father: str) -> Assignment:
    return assignment.model_copy(update={"fathers": [f for f in assignment.fathers if f != father]})


def _replace(current: list[Assignment], old: Assignment, new: list[Assignment]) -> list[Assignment]:
    """Give the assignments with ``old`` replaced by ``new`` (none: removed), in place."""
    at = next(n for n, a in enumerate(current) if a.id == old.id)
    return [*current[:at], *new, *current[at + 1 :]]
