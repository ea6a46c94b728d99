"""What-if scenarios: named changes to a base week, and sweeps over a parameter.

A scenario file (YAML or JSON) holds ``scenarios`` (a name and a list of
changes) and ``sweeps`` (a parameter range; each value becomes one scenario,
with ``$value`` in its changes replaced by the value). The base week itself is
always the first scenario, ``base``, so every other one can be compared with it.

A change is a mapping with an ``op`` and the fields of that operation::

    scenarios:
      - name: second-family-room
        changes:
          - {op: add_room, like: VH-FK, id: VH-FK2}
    sweeps:
      - name: partner-cap
        parameter: partner_cap_hours
        values: {from: 18, to: 72, step: 9}
        changes:
          - {op: set_policy, partner_cap_hours: $value}

Operations that add or edit a contract object (a room, a volunteer, the policy)
take that object's own fields beside ``op``, checked by the contract model, so
a bad field is refused exactly as in a problem file. ``apply`` makes the new
week change by change and checks it again after each one, so a refusal names
the change that broke it: ``scenarios[1].changes[2].room: unknown room 'VH-XX'``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scheduler.domain import (
    Contract,
    Entitlement,
    Institution,
    Officer,
    Policy,
    Problem,
    ProblemError,
    Room,
    Session,
    Text,
    Volunteer,
    Window,
    validation_messages,
)

Json = dict[str, Any]
VALUE = "$value"
BASE = "base"
MAX_SWEEP_VALUES = 1000


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


class Range(Contract):
    """A parameter range ``{from, to, step}``, both ends included."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: float = Field(alias="from")
    stop: float = Field(alias="to")
    step: float = Field(gt=0)

    def values(self) -> list[float]:
        """Give the values of the range, from ``from`` up to and including ``to``."""
        if self.stop < self.start:
            raise ValueError(f"to {self.stop:g} is below from {self.start:g}")
        count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
        if count > MAX_SWEEP_VALUES:
            raise ValueError(f"{count} values, more than {MAX_SWEEP_VALUES}")
        return [_tidy(self.start + index * self.step) for index in range(count)]


class ScenarioSpec(Contract):
    """A named scenario of the file: its changes, in order."""

    name: Text = Field(min_length=1)
    description: Text = ""
    changes: list[Json] = Field(default_factory=list)


class SweepSpec(Contract):
    """A sweep of the file: one scenario per value, ``$value`` in the changes replaced by it.

    ``with`` names scenarios whose changes come first (a partner-cap sweep with
    a second family room).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Text = Field(min_length=1)
    parameter: Text | None = None
    values: list[float] | Range
    combined_with: list[Text] = Field(default_factory=list, alias="with")
    changes: list[Json] = Field(min_length=1)


class Replications(Contract):
    """How many generated weeks each scenario runs over, from which seed.

    With ``count`` 1 the base week is used as it is. With more, each
    replication replaces the base week's fathers (the demand) by a generated
    week's fathers, seeded ``seed``, ``seed + 1``, ...; ``fathers`` sets how
    many (default: as many as the base week has).
    """

    count: int = Field(default=1, ge=1, le=1000)
    seed: int = 0
    fathers: int | None = Field(default=None, ge=1)


class ScenarioFile(Contract):
    """A scenario file: replications, named scenarios and sweeps."""

    version: Literal[1] = 1
    replications: Replications = Field(default_factory=Replications)
    scenarios: list[ScenarioSpec] = Field(default_factory=list)
    sweeps: list[SweepSpec] = Field(default_factory=list)


class Scenario(BaseModel):
    """One expanded scenario: its changes, where each came from, and its swept value if any.

    ``sweep`` names the sweep it belongs to, with the scenarios it is combined
    with first (``second-family-room+partner-cap``).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    sweep: str | None = None
    parameter: str | None = None
    value: float | None = None
    changes: list[Change] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)


def _tidy(value: float) -> float:
    """Give the value without float noise (18.000000000000004 is 18), to 12 significant digits."""
    return float(f"{value:.12g}")


def value_text(value: float) -> str:
    """Give a swept value as text: ``18`` for whole numbers, ``1.5`` otherwise."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


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


def _substitute(raw: Any, value: float) -> Any:
    """Give raw change data with ``$value`` replaced by the swept value."""
    if isinstance(raw, dict):
        return {key: _substitute(item, value) for key, item in raw.items()}
    if isinstance(raw, list):
        return [_substitute(item, value) for item in raw]
    if raw == VALUE:
        return int(value) if float(value).is_integer() else value
    if isinstance(raw, str) and VALUE in raw:
        return raw.replace(VALUE, value_text(value))
    return raw


def _uses_value(raw: Any) -> bool:
    if isinstance(raw, dict):
        return any(_uses_value(item) for item in raw.values())
    if isinstance(raw, list):
        return any(_uses_value(item) for item in raw)
    return isinstance(raw, str) and VALUE in raw


def _changes(raws: list[Json], where: str) -> tuple[list[Change], list[str], list[str]]:
    """Give the parsed changes with their sources, and every message about the bad ones."""
    changes: list[Change] = []
    sources: list[str] = []
    messages: list[str] = []
    for index, raw in enumerate(raws):
        source = f"{where}.changes[{index}]"
        try:
            changes.append(parse_change(raw, source))
            sources.append(source)
        except ProblemError as error:
            messages += error.messages
    return changes, sources, messages


def expand(spec: ScenarioFile) -> list[Scenario]:
    """Give every scenario of a file, the base first, each sweep expanded into one per value.

    Raises ProblemError naming each bad change, sweep or duplicate name.
    """
    messages: list[str] = []
    found: list[Scenario] = [Scenario(name=BASE)]
    named: dict[str, Scenario] = {}
    for index, item in enumerate(spec.scenarios):
        changes, sources, errors = _changes(item.changes, f"scenarios[{index}]")
        messages += errors
        scenario = Scenario(name=item.name, changes=changes, sources=sources)
        named[item.name] = scenario
        found.append(scenario)
    for index, sweep in enumerate(spec.sweeps):
        where = f"sweeps[{index}]"
        try:
            values = sweep.values.values() if isinstance(sweep.values, Range) else sweep.values
        except ValueError as error:
            messages.append(f"{where}.values: {error}")
            continue
        if not values:
            messages.append(f"{where}.values: no value to sweep")
        if not _uses_value(sweep.changes):
            messages.append(
                f"{where}.changes: no change uses {VALUE}, so every value would be the same"
            )
            continue
        prefix_changes: list[Change] = []
        prefix_sources: list[str] = []
        prefix_names: list[str] = []
        for position, name in enumerate(sweep.combined_with):
            if name not in named:
                messages.append(f"{where}.with[{position}]: unknown scenario '{name}'")
                continue
            prefix_changes += named[name].changes
            prefix_sources += named[name].sources
            prefix_names.append(name)
        for value in values:
            raws = [_substitute(raw, value) for raw in sweep.changes]
            changes, sources, errors = _changes(raws, where)
            messages += [f"{message} (at {VALUE} = {value_text(value)})" for message in errors]
            name = "+".join([*prefix_names, f"{sweep.name}={value_text(value)}"])
            label = "+".join([*prefix_names, sweep.name])
            found.append(
                Scenario(
                    name=name,
                    sweep=label,
                    parameter=sweep.parameter or sweep.name,
                    value=value,
                    changes=prefix_changes + changes,
                    sources=prefix_sources + sources,
                )
            )
    seen: set[str] = set()
    for scenario in found:
        if scenario.name in seen:
            messages.append(f"scenarios: the name '{scenario.name}' is used twice")
        seen.add(scenario.name)
    if messages:
        raise ProblemError(messages)
    return found


def parse_scenarios(data: Any) -> ScenarioFile:
    """Give the scenario file in decoded YAML or JSON, or raise ProblemError naming bad fields."""
    if data is None:
        data = {}
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise ProblemError(validation_messages(error)) from None
    expand(spec)
    return spec


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Give the scenario file at a path (YAML or JSON), checked change by change."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError([f"{path}: cannot be read ({error.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ProblemError([f"{path}: not valid YAML or JSON{place}"]) from None
    return parse_scenarios(data)


def default_scenarios(problem: Problem) -> ScenarioFile:
    """Give the default what-if: a second family room, and the partner cap from 18 to 72 by 9."""
    rooms = {room.id for room in problem.rooms}
    scenarios: list[ScenarioSpec] = []
    changes: list[Json] = []
    for institution in problem.institutions:
        first = next(
            (
                r
                for r in problem.rooms
                if r.institution == institution.id and r.kind == "family_room"
            ),
            None,
        )
        if first is None:
            continue
        new_id = _free_id(f"{first.id}-2", rooms)
        rooms.add(new_id)
        changes.append({"op": "add_room", "like": first.id, "id": new_id})
    if changes:
        scenarios.append(
            ScenarioSpec(
                name="second-family-room",
                description="a second family room like the first, at each institution with one",
                changes=changes,
            )
        )
    sweep = SweepSpec(
        name="partner-cap",
        parameter="partner_cap_hours",
        values=Range.model_validate({"from": 18, "to": 72, "step": 9}),
        changes=[{"op": "set_policy", "partner_cap_hours": VALUE}],
    )
    return ScenarioFile(scenarios=scenarios, sweeps=[sweep])


def _free_id(wanted: str, taken: set[str]) -> str:
    """Give ``wanted``, or it with the first free ``~N`` suffix."""
    candidate, number = wanted, 2
    while candidate in taken:
        candidate = f"{wanted}~{number}"
        number += 1
    return candidate


# Applying changes. Each works on the week as decoded JSON (the contract's own
# form), so that a change cannot bypass the checks a problem file gets.


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
            new_id = _free_id(f"{session['id']}@{room['id']}", taken)
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
        new_id = _free_id(f"{original['id']}~{index // len(chosen) + 2}", taken)
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


def _steps(scenario: Scenario) -> Iterator[tuple[Change, str]]:
    yield from zip(scenario.changes, scenario.sources, strict=True)


def apply(problem: Problem, scenario: Scenario) -> Problem:
    """Give the week the scenario makes of ``problem``, checked again after every change.

    Raises ProblemError naming the scenario, the change and the field; a
    change that leaves the week inconsistent is named with what it broke.
    """
    if not scenario.changes:
        return problem
    week = problem.model_dump(mode="json")
    current = problem
    for change, source in _steps(scenario):
        try:
            APPLY[type(change)](week, change, source)
        except ProblemError as error:
            raise ProblemError(
                [f"scenario '{scenario.name}': {m}" for m in error.messages]
            ) from None
        try:
            current = Problem.model_validate(week)
        except ValidationError as error:
            raise ProblemError(
                [
                    f"scenario '{scenario.name}': {source} ({change.op}) leaves {m}"
                    for m in validation_messages(error)
                ]
            ) from None
    return current


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
