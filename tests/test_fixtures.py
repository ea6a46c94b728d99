"""The fixture weeks: each loads, has a pytest fixture, and holds what its README line says."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scheduler.domain import Problem, load_problem, parse_problem
from scheduler.eligibility import effective_shell, has_baby, has_school_child
from scheduler.generate import generate_problem, problem_json
from scheduler.week import TZ

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_FILES = sorted(path.name for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_every_fixture_loads_and_round_trips(name: str, fixtures_dir: Path) -> None:
    """Each fixture file loads, and its JSON dump loads back into an equal Problem."""
    problem = load_problem(fixtures_dir / name)
    assert problem.fathers
    assert parse_problem(json.loads(problem.model_dump_json())) == problem


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_every_fixture_has_a_pytest_fixture(
    name: str, fixtures_dir: Path, request: pytest.FixtureRequest
) -> None:
    """tests/conftest.py has a fixture per file, named after it (dashes become underscores)."""
    fixture = name.removesuffix(".json").replace("-", "_")
    assert request.getfixturevalue(fixture) == load_problem(fixtures_dir / name)


def test_fixture_files_are_the_documented_ones(fixtures_dir: Path) -> None:
    """fixtures/README.md documents every fixture file."""
    readme = (fixtures_dir / "README.md").read_text(encoding="utf-8")
    assert FIXTURE_FILES == [
        "edge-cap-zero.json", "edge-holiday.json", "edge-timeout-all-week.json",
        "leeuwarden.json", "region-noord.json", "tiny-templates.json", "tiny.json",
        "veenhuizen.json",
    ]  # fmt: skip
    assert all(f"`{name}`" in readme for name in FIXTURE_FILES)


def shells(problem: Problem) -> tuple[int, int, int]:
    """Give how many fathers are in shell 3, 2 and 1."""
    counts = Counter(f.shell for f in problem.fathers)
    return counts[3], counts[2], counts[1]


@pytest.mark.parametrize(
    ("name", "institution", "expected_shells"),
    [
        ("veenhuizen", ("PI-VH", "PI Veenhuizen (Esserheem)"), (14, 29, 82)),
        ("leeuwarden", ("PI-LW", "PI Leeuwarden"), (12, 31, 82)),
    ],
)
def test_institution_week(
    name: str,
    institution: tuple[str, str],
    expected_shells: tuple[int, int, int],
    request: pytest.FixtureRequest,
) -> None:
    """One institution's week: its wing and shells, rooms, sessions, staff and partner cap."""
    problem: Problem = request.getfixturevalue(name)
    assert [(i.id, i.name) for i in problem.institutions] == [institution]
    assert problem.week == "2027-W05"
    assert shells(problem) == expected_shells
    assert {f.ward for f in problem.fathers if f.shell == 3} == {"vaderafdeling"}
    kinds = Counter(room.kind for room in problem.rooms)
    assert kinds == {
        "family_room": 1, "video_station": 2, "visit_hall": 1, "activity_room": 1,
        "wing_room": 1, "kitchen": 1,
    }  # fmt: skip
    family_room = next(r for r in problem.rooms if r.kind == "family_room")
    assert (family_room.capacity, family_room.changeover_minutes) == (1, 15)
    visits = [s for s in problem.sessions if s.activity == "regular_visit"]
    assert (len(visits), {s.capacity for s in visits}) == (14, {8})
    wing = {"theme_meeting", "creative_afternoon", "cooking_together"}
    assert wing <= {s.activity for s in problem.sessions}
    assert 12 <= len(problem.volunteers) <= 14
    assert {v.organisation for v in problem.volunteers} == {
        "Exodus", "Humanitas", "Gevangenenzorg Nederland",
    }  # fmt: skip
    assert sum(len(v.linked_fathers) for v in problem.volunteers) == 21
    assert len(problem.officers) == 5
    assert problem.policy.partner_cap_hours == 36


@pytest.mark.parametrize("name", ["veenhuizen", "leeuwarden"])
def test_institution_week_has_what_a_planner_meets(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Time-outs (one from Thursday), missing consents, babies, school children, enrolments."""
    problem: Problem = request.getfixturevalue(name)
    week = {f.id: [effective_shell(problem, f, d) for d in range(7)] for f in problem.fathers}
    thursday = [f for f, days in week.items() if days == [3, 3, 3, 2, 2, 2, 2]]
    all_week = [f.id for f in problem.fathers if f.shell == 3 and week[f.id] == [2] * 7]
    assert (len(thursday), len(all_week)) == (1, 1)
    monday = problem.clock.monday
    fathers = problem.fathers
    assert sum(not f.info_sharing_consent for f in fathers) == 5
    assert sum(not f.other_parent_consent for f in fathers) >= 4
    assert sum(has_baby(f, monday) for f in fathers if f.shell == 3) >= 2
    assert sum(has_school_child(f, monday) for f in fathers) >= 40
    assert sum(bool(f.enrolments) for f in fathers) >= 20
    assert sum(bool(f.unavailable) for f in fathers) >= 20
    assert sum(bool(f.non_associations) for f in fathers) >= 3


def test_family_day_only_in_leeuwarden(veenhuizen: Problem, leeuwarden: Problem) -> None:
    """Leeuwarden holds a family day this week, Veenhuizen does not."""
    assert [s.id for s in leeuwarden.sessions if s.activity == "family_day"] == ["S-LW-AR1-sun1200"]
    assert not [s for s in veenhuizen.sessions if s.activity == "family_day"]


def test_baby_turning_one_in_veenhuizen(veenhuizen: Problem) -> None:
    """F-0001's second child turns one on Thursday: a baby Monday to Wednesday only."""
    f0001 = veenhuizen.father_by_id["F-0001"]
    days = [veenhuizen.clock.day_date(d) for d in range(7)]
    assert [has_baby(f0001, day) for day in days] == [True, True, True] + [False] * 4


def test_region_is_both_institutions_with_one_cap(
    region_noord: Problem, veenhuizen: Problem, leeuwarden: Problem
) -> None:
    """region-noord holds exactly the fathers, rooms and sessions of both, under one 36-hour cap."""
    assert [i.id for i in region_noord.institutions] == ["PI-VH", "PI-LW"]
    assert region_noord.policy.partner_cap_hours == 36
    for part in ("fathers", "rooms", "sessions", "officers"):
        ids = [item.id for item in getattr(region_noord, part)]
        assert ids == [item.id for item in getattr(veenhuizen, part)] + [
            item.id for item in getattr(leeuwarden, part)
        ]
    assert region_noord.fathers == veenhuizen.fathers + leeuwarden.fathers
    both = [v.id for v in region_noord.volunteers if len(v.institutions) == 2]
    assert both == ["V-005", "V-018", "V-021"]


def test_holiday_closes_every_room_on_kings_day(edge_holiday: Problem) -> None:
    """In week 2027-W17 every room is closed all Tuesday 27 April; three sessions fall on it."""
    assert edge_holiday.week == "2027-W17"
    kings_day = datetime(2027, 4, 27, tzinfo=TZ)
    assert edge_holiday.clock.day_date(1) == kings_day.date()
    for room in edge_holiday.rooms:
        assert any(
            c.start <= kings_day and kings_day + timedelta(days=1) <= c.end for c in room.closed
        )
    clock = edge_holiday.clock
    on_tuesday = [
        s.activity for s in edge_holiday.sessions if clock.day_of(clock.minute(s.start)) == 1
    ]
    assert on_tuesday == ["training_my_child_and_i", "regular_visit", "theme_meeting"]


def test_templates_make_the_weeks_sessions(tiny_templates: Problem) -> None:
    """tiny-templates.json's templates make three sessions; King's Day closes every room."""
    made = {(s.template, s.start.isoformat()) for s in tiny_templates.sessions}
    assert made == {
        ("T-BZ-WED", "2027-04-28T14:00:00+02:00"),
        ("T-BZ-SAT", "2027-05-01T15:00:00+02:00"),
        ("T-KK-THU", "2027-04-29T16:30:00+02:00"),
    }
    kings_day = datetime(2027, 4, 27, tzinfo=TZ)
    for room in tiny_templates.rooms:
        assert any(
            c.start == kings_day and c.end - c.start == timedelta(days=1) for c in room.closed
        )


def test_cap_zero(edge_cap_zero: Problem) -> None:
    """edge-cap-zero has a partner cap of 0 hours and volunteers who could otherwise serve."""
    assert edge_cap_zero.policy.partner_cap_hours == 0
    assert edge_cap_zero.volunteers


def test_timeout_all_week(edge_timeout_all_week: Problem) -> None:
    """Only F-0003 is on time-out, and it covers every day of the week."""
    problem = edge_timeout_all_week
    assert [f.id for f in problem.fathers if f.timeouts] == ["F-0003"]
    f0003 = problem.father_by_id["F-0003"]
    assert f0003.shell == 3
    assert [effective_shell(problem, f0003, d) for d in range(7)] == [2] * 7


def test_fixture_ids_are_pseudonyms(region_noord: Problem) -> None:
    """No father, child, volunteer or officer id is anything but a numbered pseudonym."""
    assert all(f.id.startswith("F-") and f.id[2:].isdigit() for f in region_noord.fathers)
    children = [c.id for f in region_noord.fathers for c in f.children]
    assert all(c[:2] == "C-" and c[2:-1].isdigit() for c in children)
    assert all(v.id[:2] == "V-" and v.id[2:].isdigit() for v in region_noord.volunteers)
    assert all(o.id[:2] == "O-" and o.id[2:].isdigit() for o in region_noord.officers)


@pytest.mark.parametrize(("fathers", "institutions"), [(10, 1), (125, 1), (400, 3), (2000, 12)])
def test_generated_weeks_load_and_revalidate(fathers: int, institutions: int) -> None:
    """Generated weeks of several sizes load again from their JSON, equal to the original."""
    problem = generate_problem(fathers, institutions, seed=fathers)
    again = parse_problem(json.loads(problem_json(problem)))
    assert again == problem
    assert (len(again.fathers), len(again.institutions)) == (fathers, institutions)
