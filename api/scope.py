"""Institution scope: what one institution's reader sees of a week that spans a region.

A region's week (PI Veenhuizen and PI Leeuwarden sharing one partner cap) is
solved and published as one roster, but each institution reads only its own
part of it (OWASP API1, object-level authorisation): the assignments that take
place at the institution, its fathers, its flags. A father of another
institution is answered like an unknown one, so that his existence does not
leak; where a message or a blocker names another institution's father,
assignment or session, the name is replaced by what it is and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from api.published import institution_of
from scheduler.domain import Assignment, Problem


def at(problem: Problem, assignments: Iterable[Assignment], institution: str) -> list[Assignment]:
    """Give the assignments that take place at the institution."""
    return [a for a in assignments if institution_of(problem, a) == institution]


def fathers_read(
    problem: Problem, fathers: Iterable[str], institutions: Iterable[str]
) -> dict[str, list[str]]:
    """Give the fathers read, sorted, by institution: every institution read, with or without."""
    found: dict[str, set[str]] = {institution: set() for institution in institutions}
    for father_id in fathers:
        father = problem.father_by_id.get(father_id)
        if father is not None:
            found.setdefault(father.institution, set()).add(father_id)
    return {institution: sorted(ids) for institution, ids in sorted(found.items())}


def fathers_of(assignments: Iterable[Assignment]) -> set[str]:
    """Give every father the assignments name."""
    return {father for assignment in assignments for father in assignment.fathers}


class Redaction:
    """Replaces the ids of other institutions' fathers, assignments and sessions in a text."""

    def __init__(self, problem: Problem, assignments: Iterable[Assignment], institution: str):
        hidden: dict[str, str] = {}
        for father in problem.fathers:
            if father.institution != institution:
                hidden[father.id] = f"a father of {father.institution}"
                for child in father.children:
                    hidden[child.id] = f"a child of {father.institution}"
        for session in problem.sessions:
            room = problem.room_by_id.get(session.room)
            if room is not None and room.institution != institution:
                hidden[session.id] = f"a session of {room.institution}"
        for assignment in assignments:
            where = institution_of(problem, assignment)
            if where != institution:
                hidden[assignment.id] = f"an assignment of {where or 'another institution'}"
        self.hidden = hidden
        names = sorted(hidden, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
            if names
            else None
        )

    def text(self, text: str) -> str:
        """Give the text with every hidden id replaced by what it is and where."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self.hidden[match.group(1)], text)

    def value(self, value: Any) -> Any:
        """Give a JSON value with every string in it redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value


def flags_at(
    problem: Problem, assignments: list[Assignment], found: list[dict[str, Any]], institution: str
) -> list[dict[str, Any]]:
    """Give the flags of the institution's assignments, and of the week as a whole, redacted.

    A flag of the whole week (the partner cap, a volunteer's own maximum)
    names no father and concerns every institution that shares the cap.
    """
    where = {a.id: institution_of(problem, a) for a in [*problem.pinned, *assignments]}
    redaction = Redaction(problem, assignments, institution)
    kept = [
        item
        for item in found
        if item["assignment_id"] is None or where.get(item["assignment_id"]) == institution
    ]
    cut: list[dict[str, Any]] = redaction.value(kept)
    return cut


def explanation_at(
    problem: Problem, assignments: list[Assignment], found: dict[str, Any], institution: str
) -> dict[str, Any]:
    """Give an explanation whose blockers of other institutions name only where they are."""
    where = {a.id: institution_of(problem, a) for a in assignments}
    redaction = Redaction(problem, assignments, institution)
    for tried in found["tried"]:
        for blocker in tried["blocking"]:
            blocker["institution"] = where.get(blocker["assignment"], institution)
    cut: dict[str, Any] = redaction.value(found)
    return cut
