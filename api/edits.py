"""A roster edited by hand: each accepted list of edits is stored as the next draft.

The draft is a roster job of its own, finished at once, whose ``previous`` is
the roster it was edited from; the page compares the two as it compares a
re-plan with its previous roster, and a re-solve may keep its pinned
appointments exactly (``keep_pins``). Only a finished draft is edited: a
roster still being made, infeasible or published is refused, and an edit
that breaks a hard rule is refused with its reasons and the nearest places
that fit (``scheduler.edits``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.published import Parsed
from api.tables import JobRow, ProblemRow, PublicationVersion
from scheduler.edits import Edit, Edited, apply_edits, edited_roster

EDIT_EXAMPLE: dict[str, Any] = {
    "edits": [
        {
            "op": "move",
            "assignment": "F-001-family_room_visit-tue1500",
            "start": "2027-02-02T16:00:00+01:00",
        },
        {"op": "pin", "assignment": "F-001-family_room_visit-tue1600"},
    ]
}


class EditRequest(BaseModel):
    """Edits by hand of a draft roster, applied in order; all are kept, or none."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EDIT_EXAMPLE]})

    edits: list[Edit] = Field(min_length=1, max_length=50, description="the edits, in order")


class NotADraft(ValueError):
    """A roster that cannot be edited: still being made, infeasible, or published."""


@dataclass
class Draft:
    """The stored draft of an edit, and what the validator still finds in it."""

    row: JobRow
    edited: Edited
    version: int


def editable(session: Session, row: JobRow) -> None:
    """Raise ``NotADraft`` unless the roster is a finished, feasible, unpublished draft."""
    if row.result is None or row.state in ("queued", "running"):
        raise NotADraft(f"roster '{row.id}' is {row.state}: edit it once it has finished")
    if row.result.get("status") == "infeasible":
        raise NotADraft(f"roster '{row.id}' is infeasible: there is nothing to edit")
    published = select(PublicationVersion.id).where(PublicationVersion.roster_id == row.id)
    if session.scalars(published.limit(1)).first() is not None:
        raise NotADraft(
            f"roster '{row.id}' is published: re-plan it for a draft to edit "
            "(a published roster stays as it was published)"
        )


def edit_draft(
    session: Session,
    parsed: Parsed,
    row: JobRow,
    edits: list[Edit],
    key_id: int | None,
    now: datetime,
) -> Draft:
    """Give the new draft with the edits applied and stored (the session commits it).

    Raises ``NotADraft``, ``ProblemError`` (an edit names what is not there)
    or ``EditRefused`` (an edit breaks a hard rule); nothing is stored then.
    """
    editable(session, row)
    problem_row = session.get(ProblemRow, row.problem_id)
    if problem_row is None:
        raise NotADraft(f"roster '{row.id}': its week no longer exists")
    problem = parsed.problem(problem_row)
    source = parsed.roster(row)
    edited = apply_edits(problem, source.assignments, edits)
    roster = edited_roster(problem, source, edited)
    version = int(row.params.get("draft", 1)) + 1
    params = {
        "previous": row.id,
        "edited_from": row.id,
        "draft": version,
        "edits": [edit.model_dump(mode="json", exclude_none=True) for edit in edits],
        "problem_revision": problem_row.revision,
    }
    for kept in ("time_limit", "workers", "deterministic"):
        if kept in row.params:
            params[kept] = row.params[kept]
    draft = JobRow(
        id=str(uuid.uuid4()),
        kind=row.kind,
        problem_id=row.problem_id,
        institutions=list(row.institutions),
        state="done",
        params=params,
        progress={"phase": "edited", "edits": len(edits)},
        result=roster.model_dump(mode="json"),
        key_id=key_id,
        created_at=now,
        started_at=now,
        finished_at=now,
    )
    session.add(draft)
    session.flush()
    return Draft(draft, edited, version)


def draft_view(draft: Draft) -> dict[str, Any]:
    """Give what the API answers for a stored draft: its id, version, and the findings."""
    params = draft.row.params
    return {
        "roster": draft.row.id,
        "version": draft.version,
        "previous": params["previous"],
        "edits": params["edits"],
        "changed": draft.edited.changed,
        "findings": [
            {"rule": v.rule, "assignment": v.assignment, "message": v.message, "reason": v.reason}
            for v in draft.edited.findings
        ],
        "valid": not draft.edited.findings,
    }
