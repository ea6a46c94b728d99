"""Applying one what-if change to a week: each works on the week as decoded JSON.

Working on the contract's own form means a change cannot bypass the checks a
problem file gets; ``whatif.scenarios.apply`` checks the week again after
each change.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from scheduler.domain import (
    Entitlement,
    Institution,
    Officer,
    Policy,
    Problem,
    ProblemError,
    Room,
    Session,
    Volunteer,
    validation_messages,
)
from whatif.changes import (
    AddInstitution,
    AddOfficer,
    AddRoom,
    AddSession,
    AddShifts,
    AddVolunteer,
    Json,
    Patch,
    RemoveRoom,
    RemoveSession,
    RemoveVolunteer,
    ScaleFathers,
    SetEntitlement,
    SetPolicy,
    SetRoom,
    ShellMix,
)


def free_id(wanted: str, taken: set[str]) -> str:
    """Give ``wanted``, or it with the first free ``~N`` suffix."""
    candidate, number = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}~{number}"
        number += 1
    return candidate


def _find(items: list[Json], item_id: str | None, where: str, kind: str) -> Json:
    """Give the item with this id, or raise ProblemError naming the field."""
    for item in items:
        if item["id"] == item_id:
            return item
    raise ProblemError([f"{where}: unknown {kind} '{item_id}'"])


def _checked(model: type[BaseModel], data: Json, where: str) -> Json:
    """Give contract data checked by its model (as JSON), or raise ProblemError under ``where``."""
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        raise ProblemError(
            [f"{where}.{message}" for message in validation_messages(error)]
        ) from None


def _numbered(base_id: str, count: int) -> list[str]:
    """Give the ids of ``count`` new objects: the id itself, or ``ID-1`` .. ``ID-n``."""
    return [base_id] if count == 1 else [f"{base_id}-{k}" for k in range(1, count + 1)]


def _add(
    week: Json,
    field: str,
    kind: str,
    model: type[BaseModel],
    change: Patch,
    where: str,
    like: str | None,
    count: int,
    clear: tuple[str, ...] = (),
) -> list[tuple[str, Json]]:
    """Give (like id, new object) for ``count`` objects made of ``like`` and the change's fields."""
    items: list[Json] = week[field]
    base: Json = {}
    if like is not None:
        base = copy.deepcopy(_find(items, like, f"{where}.like", kind))
        for name in clear:
            base[name] = []
    base.update(change.fields)
    if "id" not in base:
        raise ProblemError([f"{where}.id: is required"])
    taken = {item["id"] for item in items}
    added = []
    for new_id in _numbered(str(base["id"]), count):
        if new_id in taken:
            raise ProblemError([f"{where}.id: {kind} '{new_id}' exists already"])
        item = _checked(model, {**base, "id": new_id}, where)
        items.append(item)
        added.append((like or "", item))
    return added


def _set_policy(week: Json, change: SetPolicy, where: str) -> None:
    week["policy"] = _checked(Policy, {**week["policy"], **change.fields}, where)


def _add_room(week: Json, change: AddRoom, where: str) -> None:
    added = _add(week, "rooms", "room", Room, change, where, change.like, change.count)
    if not change.copy_sessions:
        return
    if change.like is None:
        raise ProblemError(
            [f"{where}.copy_sessions: needs 'like', the room whose sessions to copy"]
        )
    taken = {session["id"] for session in week["sessions"]}
    for like, room in added:
        for session in [s for s in week["sessions"] if s["room"] == like]:
            new_id = free_id(f"{session['id']}@{room['id']}", taken)
            taken.add(new_id)
            week["sessions"].append({**session, "id": new_id, "room": room["id"]})


def _pinned_using(week: Json, field: str, ids: set[str]) -> list[str]:
    return [a["id"] for a in week["pinned"] if a.get(field) in ids or set(a.get(field) or []) & ids]


def _remove_room(week: Json, change: RemoveRoom, where: str) -> None:
    _find(week["rooms"], change.room, f"{where}.room", "room")
    sessions = {s["id"] for s in week["sessions"] if s["room"] == change.room}
    blocked = _pinned_using(week, "room", {change.room}) + _pinned_using(week, "session", sessions)
    if blocked:
        raise ProblemError(
            [f"{where}.room: pinned assignment '{blocked[0]}' uses room '{change.room}'"]
        )
    week["rooms"] = [r for r in week["rooms"] if r["id"] != change.room]
    week["sessions"] = [s for s in week["sessions"] if s["id"] not in sessions]


def _set_room(week: Json, change: SetRoom, where: str) -> None:
    if (change.room is None) == (change.kind is None):
        raise ProblemError([f"{where}: name either 'room' or 'kind', not both or neither"])
    if change.room is not None:
        chosen = [_find(week["rooms"], change.room, f"{where}.room", "room")]
    else:
        chosen = [
            r
            for r in week["rooms"]
            if r["kind"] == change.kind and change.institution in (None, r["institution"])
        ]
        if not chosen:
            place = f" at institution '{change.institution}'" if change.institution else ""
            raise ProblemError([f"{where}.kind: no room of kind '{change.kind}'{place}"])
    for field in ("id", "institution"):
        if field in change.fields:
            raise ProblemError([f"{where}.{field}: set_room cannot change a room's {field}"])
    extra = [window.model_dump(mode="json") for window in change.add_open]
    for room in chosen:
        updated = {**room, **change.fields}
        updated["open"] = [*updated["open"], *extra]
        room.update(_checked(Room, updated, where))


def _add_session(week: Json, change: AddSession, where: str) -> None:
    _add(week, "sessions", "session", Session, change, where, change.like, 1)


def _remove_session(week: Json, change: RemoveSession, where: str) -> None:
    _find(week["sessions"], change.session, f"{where}.session", "session")
    blocked = _pinned_using(week, "session", {change.session})
    if blocked:
        raise ProblemError(
            [f"{where}.session: pinned assignment '{blocked[0]}' is in this session"]
        )
    week["sessions"] = [s for s in week["sessions"] if s["id"] != change.session]


def _add_volunteer(week: Json, change: AddVolunteer, where: str) -> None:
    _add(
        week,
        "volunteers",
        "volunteer",
        Volunteer,
        change,
        where,
        change.like,
        change.count,
        clear=("linked_fathers",),
    )


def _remove_volunteer(week: Json, change: RemoveVolunteer, where: str) -> None:
    _find(week["volunteers"], change.volunteer, f"{where}.volunteer", "volunteer")
    blocked = _pinned_using(week, "volunteers", {change.volunteer})
    if blocked:
        raise ProblemError(
            [f"{where}.volunteer: pinned assignment '{blocked[0]}' has this volunteer"]
        )
    week["volunteers"] = [v for v in week["volunteers"] if v["id"] != change.volunteer]
    for father in week["fathers"]:
        if father.get("linked_volunteer") == change.volunteer:
            father["linked_volunteer"] = None


def _add_officer(week: Json, change: AddOfficer, where: str) -> None:
    _add(week, "officers", "officer", Officer, change, where, change.like, change.count)


def _add_shifts(week: Json, change: AddShifts, where: str) -> None:
    officer = _find(week["officers"], change.officer, f"{where}.officer", "officer")
    officer["shifts"] = officer["shifts"] + [w.model_dump(mode="json") for w in change.shifts]


def _set_entitlement(week: Json, change: SetEntitlement, where: str) -> None:
    activity = _find(week["activities"], change.activity, f"{where}.activity", "activity")
    if change.shell not in activity["shells"]:
        raise ProblemError(
            [
                f"{where}.shell: activity '{change.activity}' "
                f"is not offered in shell {change.shell} "
                f"(its shells are {activity['shells']})"
            ]
        )
    table = {int(shell): rows for shell, rows in week["entitlements"].items()}
    rows = table.setdefault(change.shell, {})
    rows[change.activity] = _checked(
        Entitlement, {**rows.get(change.activity, {}), **change.fields}, where
    )
    week["entitlements"] = table


def _fathers_of(week: Json, institution: str | None, where: str) -> list[Json]:
    if institution is not None:
        _find(week["institutions"], institution, f"{where}.institution", "institution")
    return [f for f in week["fathers"] if institution in (None, f["institution"])]


def shell_counts(shares: dict[int, float], total: int) -> dict[int, int]:
    """Give how many of ``total`` fathers go to each shell, by largest remainders."""
    exact = {shell: shares.get(shell, 0.0) * total for shell in (1, 2, 3)}
    counts = {shell: math.floor(value + 1e-9) for shell, value in exact.items()}
    rest = total - sum(counts.values())
    for shell in sorted(exact, key=lambda s: (-(exact[s] - counts[s]), s))[:rest]:
        counts[shell] += 1
    return counts


def _shell_mix(week: Json, change: ShellMix, where: str) -> None:
    fathers = sorted(
        _fathers_of(week, change.institution, where), key=lambda f: (f["shell"], f["id"])
    )
    counts = shell_counts(change.shares, len(fathers))
    shells = [shell for shell in (1, 2, 3) for _ in range(counts[shell])]
    for father, shell in zip(fathers, shells, strict=True):
        father["shell"] = shell


def _drop_fathers(week: Json, gone: set[str]) -> None:
    """Remove fathers and every reference to them (pinned assignments left empty go too)."""
    week["fathers"] = [f for f in week["fathers"] if f["id"] not in gone]
    for father in week["fathers"]:
        father["non_associations"] = [f for f in father["non_associations"] if f not in gone]
    for volunteer in week["volunteers"]:
        volunteer["linked_fathers"] = [f for f in volunteer["linked_fathers"] if f not in gone]
    for assignment in week["pinned"]:
        assignment["fathers"] = [f for f in assignment["fathers"] if f not in gone]
    week["pinned"] = [a for a in week["pinned"] if a["fathers"]]


def _scale_fathers(week: Json, change: ScaleFathers, where: str) -> None:
    if (change.factor is None) == (change.count is None):
        raise ProblemError([f"{where}: give either 'factor' or 'count', not both or neither"])
    chosen = [
        f
        for f in _fathers_of(week, change.institution, where)
        if change.shell in (None, f["shell"])
    ]
    target = (
        change.count if change.count is not None else round(len(chosen) * (change.factor or 0.0))
    )
    if target < len(chosen):
        _drop_fathers(week, {f["id"] for f in chosen[target:]})
        return
    if target > len(chosen) and not chosen:
        raise ProblemError([f"{where}: no father to copy (none matches institution and shell)"])
    taken = {f["id"] for f in week["fathers"]}
    for index in range(target - len(chosen)):
        original = chosen[index % len(chosen)]
        new_id = free_id(f"{original['id']}~{index // len(chosen) + 2}", taken)
        taken.add(new_id)
        week["fathers"].append({**copy.deepcopy(original), "id": new_id, "non_associations": []})


def _copy_institution(week: Json, like: str, new: str) -> None:
    """Copy the rooms, sessions, officers, volunteers and fathers of ``like`` to ``new``."""

    def renamed(item_id: str) -> str:
        return f"{item_id}@{new}"

    rooms = [r for r in week["rooms"] if r["institution"] == like]
    room_ids = {r["id"] for r in rooms}
    fathers = [f for f in week["fathers"] if f["institution"] == like]
    father_ids = {f["id"] for f in fathers}
    volunteers = [v for v in week["volunteers"] if like in v["institutions"]]
    volunteer_ids = {v["id"] for v in volunteers}
    week["rooms"] += [{**r, "id": renamed(r["id"]), "institution": new} for r in rooms]
    week["sessions"] += [
        {**s, "id": renamed(s["id"]), "room": renamed(s["room"])}
        for s in week["sessions"]
        if s["room"] in room_ids
    ]
    week["officers"] += [
        {**o, "id": renamed(o["id"]), "institution": new}
        for o in week["officers"]
        if o["institution"] == like
    ]
    week["volunteers"] += [
        {
            **v,
            "id": renamed(v["id"]),
            "institutions": [new],
            "linked_fathers": [renamed(f) for f in v["linked_fathers"] if f in father_ids],
        }
        for v in volunteers
    ]
    for father in fathers:
        linked = father.get("linked_volunteer")
        week["fathers"].append(
            {
                **copy.deepcopy(father),
                "id": renamed(father["id"]),
                "institution": new,
                "linked_volunteer": renamed(linked) if linked in volunteer_ids else None,
                "non_associations": [
                    renamed(f) for f in father["non_associations"] if f in father_ids
                ],
            }
        )


def _add_institution(week: Json, change: AddInstitution, where: str) -> None:
    added = _add(week, "institutions", "institution", Institution, change, where, None, 1)
    if change.like is not None:
        _find(week["institutions"], change.like, f"{where}.like", "institution")
        _copy_institution(week, change.like, added[0][1]["id"])


APPLY: dict[type[BaseModel], Callable[[Json, Any, str], None]] = {
    SetPolicy: _set_policy,
    AddRoom: _add_room,
    RemoveRoom: _remove_room,
    SetRoom: _set_room,
    AddSession: _add_session,
    RemoveSession: _remove_session,
    AddVolunteer: _add_volunteer,
    RemoveVolunteer: _remove_volunteer,
    AddOfficer: _add_officer,
    AddShifts: _add_shifts,
    SetEntitlement: _set_entitlement,
    ShellMix: _shell_mix,
    ScaleFathers: _scale_fathers,
    AddInstitution: _add_institution,
}


def with_demand(problem: Problem, demand: Problem) -> Problem:
    """Give ``problem`` with its fathers (the demand) replaced by those of another week.

    The other week's institutions map onto this one's in order (the first onto
    the first); links to volunteers this week does not have are dropped, and so
    are this week's links and pinned assignments of the fathers that leave.
    """
    week = problem.model_dump(mode="json")
    _drop_fathers(week, {f.id for f in problem.fathers})
    ours = [i.id for i in problem.institutions]
    mapping = {
        theirs.id: ours[index % len(ours)] for index, theirs in enumerate(demand.institutions)
    }
    volunteers = {v.id for v in problem.volunteers}
    activities = {a.id for a in problem.activities}
    for father in demand.model_dump(mode="json")["fathers"]:
        father["institution"] = mapping[father["institution"]]
        if father.get("linked_volunteer") not in volunteers:
            father["linked_volunteer"] = None
        father["enrolments"] = [a for a in father["enrolments"] if a in activities]
        father["plan"] = {a: n for a, n in father["plan"].items() if a in activities}
        week["fathers"].append(father)
    try:
        return Problem.model_validate(week)
    except ValidationError as error:
        raise ProblemError([f"generated demand: {m}" for m in validation_messages(error)]) from None
