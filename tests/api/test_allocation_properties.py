"""Properties of allocation: whatever systems ask, in any order, the published week stays valid."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from api.allocations import AllocationRequest, allocate, cancel, confirm, get_allocation
from api.bookings import bump
from api.database import Database
from api.deps import Services
from api.jobs import JobRunner
from api.keys import Principal
from api.published import load_week
from api.rosters import publish
from api.settings import Settings
from api.tables import Allocation, JobRow, utcnow
from scheduler.domain import Assignment, Problem, parse_problem
from scheduler.generate import generate_problem
from scheduler.incremental import added_violations
from scheduler.occupancy import Occupancy
from scheduler.validate import check_assignments
from scheduler.violations import Violation
from solver.baseline import first_come_first_served
from tests.kit.service import baseline_roster, roomy_tiny_data, seed_roster, tiny_data

FATHERS = ["F-001", "F-002", "F-003", "F-004"]
ACTIVITIES = ["family_room_visit", "video_call", "regular_visit", "cooking_together"]
DAYS = ["2027-02-01", "2027-02-02", "2027-02-03", "2027-02-04", "2027-02-05", "2027-02-06"]
CALLER = Principal(0, "property", "system", frozenset({"PI-VH"}))

step = st.one_of(
    st.tuples(
        st.just("ask"),
        st.sampled_from(FATHERS),
        st.sampled_from(ACTIVITIES),
        st.sampled_from(DAYS),
        st.booleans(),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("confirm"), st.integers(0, 20)),
)


def _services(tmp_path: Path) -> Services:
    url = f"sqlite:///{tmp_path / 'properties.db'}"
    database = Database(url)
    database.upgrade()
    services = Services(Settings(database_url=url), database, JobRunner(database))
    data = roomy_tiny_data()
    roster_id = seed_roster(services, data, baseline_roster(data))
    with database.write() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None
        publish(session, services.parsed, row, None, utcnow())
    return services


def test_any_sequence_of_requests_keeps_the_week_valid(tmp_path: Path) -> None:
    """After any mix of requests, holds, confirms and cancels, no rule is broken and the booked copy
    of the week holds what the database holds."""
    services = _services(tmp_path)
    problem_id = roomy_tiny_data()["id"]

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(step, min_size=1, max_size=8))
    def run(steps: list[tuple[object, ...]]) -> None:
        with services.database.write() as session:
            session.execute(delete(Allocation))
            bump(session, problem_id, epoch=True)
        made: list[str] = []
        for item in steps:
            with services.database.write() as session:
                if item[0] == "ask":
                    _, father, activity, day, hold = item
                    request = AllocationRequest(
                        institution="PI-VH",
                        week="2027-W05",
                        father=str(father),
                        activity=str(activity),
                        earliest=f"{day}T00:00:00+01:00",  # type: ignore[arg-type]
                        latest=f"{day}T23:45:00+01:00",
                        hold=bool(hold),  # type: ignore[arg-type]
                    )
                    outcome = allocate(session, services.parsed, CALLER, request, None, 5)
                    if outcome.status == 201:
                        made.append(outcome.body["id"])
                    else:
                        session.rollback()
                elif made:
                    row = get_allocation(session, made[int(item[1]) % len(made)])  # type: ignore[call-overload]
                    if item[0] == "cancel":
                        cancel(session, services.parsed, row)
                    elif confirm(session, services.parsed, row).status != 200:
                        session.rollback()
        with services.database.read() as session:
            week = load_week(session, services.parsed, "PI-VH", "2027-W05", utcnow())
            assert week is not None
            taken = week.taken()
            assert check_assignments(week.problem, taken) == []
        with services.database.write() as session:
            week = load_week(session, services.parsed, "PI-VH", "2027-W05", utcnow(), lock=True)
            assert week is not None
            with services.parsed.bookings.hold(session, week, utcnow()) as booked:
                kept = sorted(a.model_dump_json() for a in booked.taken())
                fresh = Occupancy(week.problem, week.taken())
                assert kept == sorted(a.model_dump_json() for a in fresh.assignments())

    run()
    services.database.dispose()


def _weeks() -> list[tuple[Problem, list[Assignment]]]:
    weeks = []
    for problem in (parse_problem(tiny_data()), generate_problem(30, 1, seed=3)):
        weeks.append((problem, first_come_first_served(problem).assignments))
    return weeks


WEEKS = _weeks()
change = st.tuples(
    st.integers(0, len(WEEKS) - 1),
    st.integers(0, 10_000),
    st.sampled_from(["copy", "move", "father", "volunteer", "officer", "room"]),
    st.integers(-96, 96),
    st.integers(0, 10_000),
    st.lists(st.booleans(), min_size=8, max_size=8),
)


def _changed(problem: Problem, original: Assignment, how: str, steps: int, pick: int) -> Assignment:
    """Give the assignment moved by ``steps`` quarters (or a moved copy of it, a new one), or
    with one person or its room swapped."""
    if how in ("copy", "move"):
        shift = timedelta(minutes=15 * steps)
        moved: dict[str, object] = {"start": original.start + shift, "end": original.end + shift}
        if how == "copy":
            moved["id"] = f"{original.id}-new"
        return original.model_copy(update=moved)
    field = {"father": "fathers", "volunteer": "volunteers", "officer": "officers"}.get(how)
    if field is None:
        rooms = [r.id for r in problem.rooms]
        return original.model_copy(update={"room": rooms[pick % len(rooms)]})
    people = {
        "fathers": [f.id for f in problem.fathers],
        "volunteers": [v.id for v in problem.volunteers],
        "officers": [o.id for o in problem.officers],
    }[field]
    listed = list(getattr(original, field))
    if not listed or not people:
        return original
    listed[pick % len(listed)] = people[pick % len(people)]
    return original.model_copy(update={field: listed})


@settings(max_examples=300, deadline=None)
@given(change)
def test_the_check_of_a_booking_agrees_with_the_whole_validator(
    item: tuple[int, int, str, int, int, list[bool]],
) -> None:
    """What the check of one new assignment finds on what it can touch is what the whole validator
    finds new in the week with it, on random weeks, changes and subsets of what is taken."""
    week, index, how, steps, pick, keep = item
    problem, roster = WEEKS[week]
    original = roster[index % len(roster)]
    new = _changed(problem, original, how, steps, pick)
    taken = [a for n, a in enumerate(roster) if a.id == original.id or keep[n % len(keep)]]
    if not keep[0]:
        taken = [a for a in taken if a.id != original.id]
    before = _keys(check_assignments(problem, taken))
    after = _keys(check_assignments(problem, [a for a in taken if a.id != new.id] + [new]))
    assert _keys(added_violations(problem, taken, new)) == after - before


def _keys(found: list[Violation]) -> set[tuple[str, str]]:
    """Give each violation's rule and message, without the position of its assignment in a list."""
    return {(v.rule, re.sub(r"assignments\[\d+\]", "assignments[]", v.message)) for v in found}
