"""What-if changes: the operations a scenario applies to a base week, as checked models.

A change is a mapping with an ``op`` and the fields of that operation::

    {op: add_room, like: VH-FK, id: VH-FK2}

Operations that add or edit a contract object (a room, a volunteer, the policy)
take that object's own fields beside ``op``, checked by the contract model, so
a bad field is refused exactly as in a problem file.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scheduler.domain import Contract, ProblemError, Window, validation_messages

Json = dict[str, Any]


class Patch(BaseModel):
    """A change that carries the fields of a contract object beside its own (checked on apply)."""

    model_config = ConfigDict(extra="allow")

    @property
    def fields(self) -> Json:
        """Give the contract fields this change sets."""
        return dict(self.model_extra or {})


class SetPolicy(Patch):
    """Set policy fields, such as ``partner_cap_hours`` (the partners' weekly hours)."""

    op: Literal["set_policy"]


class AddRoom(Patch):
    """Add a room (a second family room, a video station), optionally as a copy of another.

    ``copy_sessions`` also copies the sessions held in the ``like`` room;
    ``count`` above 1 adds that many rooms, numbered ``ID-1``, ``ID-2``, ...
    """

    op: Literal["add_room"]
    like: str | None = None
    copy_sessions: bool = False
    count: int = Field(default=1, ge=1, le=100)


class RemoveRoom(Contract):
    """Remove a room and the sessions held in it."""

    op: Literal["remove_room"]
    room: str


class SetRoom(Patch):
    """Change one room, or every room of a kind: opening hours, capacity, closures.

    ``open`` replaces the opening hours; ``add_open`` adds windows to them.
    """

    op: Literal["set_room"]
    room: str | None = None
    kind: str | None = None
    institution: str | None = None
    add_open: list[Window] = Field(default_factory=list)


class AddSession(Patch):
    """Add a session (a fixed-time occurrence of a session activity), optionally like another."""

    op: Literal["add_session"]
    like: str | None = None


class RemoveSession(Contract):
    """Remove a session."""

    op: Literal["remove_session"]
    session: str


class AddVolunteer(Patch):
    """Add volunteers of a network partner, optionally as copies of one (without linked fathers)."""

    op: Literal["add_volunteer"]
    like: str | None = None
    count: int = Field(default=1, ge=1, le=1000)


class RemoveVolunteer(Contract):
    """Remove a volunteer; fathers linked to him lose the link."""

    op: Literal["remove_volunteer"]
    volunteer: str


class AddOfficer(Patch):
    """Add officers (PIW'ers), optionally as copies of one."""

    op: Literal["add_officer"]
    like: str | None = None
    count: int = Field(default=1, ge=1, le=1000)


class AddShifts(Contract):
    """Add shifts to an officer's week."""

    op: Literal["add_shifts"]
    officer: str
    shifts: list[Window]


class SetEntitlement(Patch):
    """Set one row of the entitlement table (``per_week``, ``max_per_day``) for a shell."""

    op: Literal["set_entitlement"]
    shell: int
    activity: str


class ShellMix(Contract):
    """Redistribute the fathers (of one institution, or all) over the shells by shares.

    Fathers keep their order by (shell, id), so the fewest possible change shell.
    """

    op: Literal["shell_mix"]
    shares: dict[int, float]
    institution: str | None = None

    @field_validator("shares")
    @classmethod
    def _shares(cls, value: dict[int, float]) -> dict[int, float]:
        for shell, share in value.items():
            if shell not in (1, 2, 3):
                raise ValueError(f"shell {shell} is outside 1..3")
            if share < 0:
                raise ValueError(f"share of shell {shell} is negative ({share})")
        total = sum(value.values())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"they add up to {total:g}, not 1")
        return value


class ScaleFathers(Contract):
    """Scale the number of fathers (of one institution or shell, or all) by a factor or to a count.

    Extra fathers are copies of existing ones (``F-001~2``) without
    non-associations; fewer fathers drops the last ones in the file.
    """

    op: Literal["scale_fathers"]
    factor: float | None = Field(default=None, ge=0)
    count: int | None = Field(default=None, ge=0)
    institution: str | None = None
    shell: int | None = None


class AddInstitution(Patch):
    """Add an institution (``id``, ``name``), optionally a copy of another one.

    A copy gets the other's rooms, sessions, officers, fathers and the
    volunteers serving it, each with ``@ID`` added to its id.
    """

    op: Literal["add_institution"]
    like: str | None = None


Change = (
    SetPolicy
    | AddRoom
    | RemoveRoom
    | SetRoom
    | AddSession
    | RemoveSession
    | AddVolunteer
    | RemoveVolunteer
    | AddOfficer
    | AddShifts
    | SetEntitlement
    | ShellMix
    | ScaleFathers
    | AddInstitution
)

CHANGES: dict[str, type[Change]] = {
    "set_policy": SetPolicy,
    "add_room": AddRoom,
    "remove_room": RemoveRoom,
    "set_room": SetRoom,
    "add_session": AddSession,
    "remove_session": RemoveSession,
    "add_volunteer": AddVolunteer,
    "remove_volunteer": RemoveVolunteer,
    "add_officer": AddOfficer,
    "add_shifts": AddShifts,
    "set_entitlement": SetEntitlement,
    "shell_mix": ShellMix,
    "scale_fathers": ScaleFathers,
    "add_institution": AddInstitution,
}


def parse_change(raw: Any, where: str) -> Change:
    """Give the change in a mapping, or raise ProblemError naming ``where`` and the field."""
    if not isinstance(raw, dict):
        raise ProblemError([f"{where}: a change is a mapping with an 'op', not {raw!r}"])
    op = raw.get("op")
    if op not in CHANGES:
        known = ", ".join(sorted(CHANGES))
        raise ProblemError([f"{where}.op: unknown change {op!r} (known: {known})"])
    try:
        return CHANGES[op].model_validate(raw)
    except ValidationError as error:
        raise ProblemError(
            [f"{where}.{message}" for message in validation_messages(error)]
        ) from None
