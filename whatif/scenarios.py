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

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scheduler.domain import Contract, Problem, ProblemError, validation_messages
from scheduler.ids import Text
from scheduler.room_kinds import FAMILY_ROOM
from whatif.changes import Change, Json, parse_change
from whatif.edits import APPLY, free_id

VALUE = "$value"
BASE = "base"
MAX_SWEEP_VALUES = 1000


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
            (r for r in problem.rooms if r.institution == institution.id and r.kind == FAMILY_ROOM),
            None,
        )
        if first is None:
            continue
        new_id = free_id(f"{first.id}-2", rooms)
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
