"""The seeded generator: reproducible, realistic, valid weeks."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.catalogue import default_catalogue, split, wing_size
from scheduler.domain import (
    Problem,
    ProblemError,
    Window,
    parse_problem,
)
from scheduler.eligibility import has_baby, has_school_child
from scheduler.entitlements import entitled
from scheduler.generate import generate_problem, problem_json, visit_seats


@pytest.fixture(scope="module")
def four() -> Problem:
    """Give a generated week of 1,000 fathers in four institutions (seed 1)."""
    return generate_problem(1000, 4, seed=1)


def minutes(problem: Problem, windows_of: str) -> int:
    """Give the open minutes a week of all rooms of one kind (before closures)."""
    return sum(
        high - low
        for room in problem.rooms
        if room.kind == windows_of
        for low, high in (w.week_minutes() for w in room.open)
    )


def test_same_seed_gives_identical_json() -> None:
    """The same arguments give byte-identical JSON; another seed gives another week."""
    first = problem_json(generate_problem(60, 2, seed=5))
    assert first == problem_json(generate_problem(60, 2, seed=5))
    assert first != problem_json(generate_problem(60, 2, seed=6))


def test_json_round_trip_gives_the_same_problem() -> None:
    """The written JSON loads back into an equal Problem."""
    problem = generate_problem(40, 1, seed=2)
    assert parse_problem(json.loads(problem_json(problem))) == problem


def test_default_catalogue_is_the_packaged_one() -> None:
    """default_catalogue gives the 12 activities, policy and shells of docs/design.md s. 3."""
    catalogue = default_catalogue()
    assert [a.id for a in catalogue.activities] == [
        "regular_visit", "father_child_day", "family_day", "training_my_child_and_i", "workshop",
        "family_room_visit", "video_call", "theme_meeting", "creative_afternoon",
        "cooking_together", "cell_visit", "baby_bath",
    ]  # fmt: skip
    assert catalogue.policy.partner_cap_hours == 36
    assert catalogue.entitlements[3]["video_call"].per_week == 7
    # A fresh copy each time: changing one leaves the next alone.
    catalogue.activities[0].minutes = 1
    assert default_catalogue().activities[0].minutes == 60


def test_shell_ratios_per_institution(four: Problem) -> None:
    """Each of four institutions of 250: a wing of 24 (10%, capped), 62 in shell 2, 164 shell 1."""
    counts = Counter((f.institution, f.shell) for f in four.fathers)
    assert {i.id for i in four.institutions} == {"PI-VH", "PI-LW", "PI-ZW", "PI-AM"}
    for institution in four.institutions:
        assert [counts[institution.id, shell] for shell in (3, 2, 1)] == [24, 62, 164]
    wing = [f for f in four.fathers if f.shell == 3]
    assert {f.ward for f in wing} == {"vaderafdeling"}


def test_wing_size_follows_the_programme() -> None:
    """The wing holds about 10% of the fathers, at least 12 in an institution of 60, at most 24."""
    assert [wing_size(n) for n in (10, 60, 125, 200, 400, 2500)] == [2, 12, 12, 20, 24, 24]
    assert split(10, 4) == [3, 3, 2, 2]


def test_rooms_per_institution(four: Problem) -> None:
    """One family room (15 min changeover), video stations one per 100 fathers, two at least."""
    kinds = Counter((r.institution, r.kind) for r in four.rooms)
    for institution in four.institutions:
        assert kinds[institution.id, "family_room"] == 1
        assert kinds[institution.id, "video_station"] == 2
        assert kinds[institution.id, "wing_room"] == 1
        assert kinds[institution.id, "kitchen"] == 1
    assert {r.changeover_minutes for r in four.rooms if r.kind == "family_room"} == {15}
    big = generate_problem(1200, 1, seed=0)
    assert sum(1 for r in big.rooms if r.kind == "video_station") == 12


def test_visit_sessions_seat_most_but_not_all_fathers(four: Problem) -> None:
    """Visit sessions of at most 8 families seat between 85% and 90% of each institution's fathers.

    The sessions of one institution differ by one seat at most; 250 fathers
    have 219 seats (87.6%) in 28 sessions.
    """
    rooms = four.room_by_id
    for institution in four.institutions:
        capacities = [
            s.capacity
            for s in four.sessions
            if s.activity == "regular_visit" and rooms[s.room].institution == institution.id
        ]
        assert (sum(capacities), len(capacities)) == (219, 28)
        assert set(capacities) == {7, 8}
        assert 0.85 * 250 <= sum(capacities) <= 0.90 * 250


@pytest.mark.parametrize("fathers", [20, 37, 50, 125, 400, 1000])
def test_visit_seats_lie_between_85_and_90_percent(fathers: int) -> None:
    """From 20 fathers on, the visit seats are a whole number within 85..90% of the fathers."""
    assert 0.85 * fathers <= visit_seats(fathers) <= 0.90 * fathers


def test_a_region_brings_its_own_partner_cap() -> None:
    """A region's data says its cap: 54 hours for a region of two institutions, 36 without."""
    assert (
        generate_problem(40, 2, region="noord", partner_cap_hours=54).policy.partner_cap_hours == 54
    )
    assert generate_problem(40, 2, region="noord").policy.partner_cap_hours == 36
    assert generate_problem(40, 2).policy.partner_cap_hours == 72


def covers(windows: list[Window], low: int, high: int) -> bool:
    """Tell whether one of the weekly windows holds [low, high)."""
    return any(w.week_minutes()[0] <= low and high <= w.week_minutes()[1] for w in windows)


def test_every_session_can_be_staffed(four: Problem) -> None:
    """Each session has enough volunteers who may do it and officers on shift at its time."""
    for session in four.sessions:
        activity = four.activity_by_id[session.activity]
        institution = four.room_by_id[session.room].institution
        low = four.clock.minute(session.start)
        high = low + activity.minutes
        volunteers = [
            v for v in four.volunteers
            if institution in v.institutions and activity.id in v.activities
            and covers(v.available, low, high)
        ]  # fmt: skip
        officers = [
            o for o in four.officers
            if o.institution == institution and covers(o.shifts, low, high)
        ]  # fmt: skip
        assert len(volunteers) >= activity.volunteers, session.id
        assert len(officers) >= activity.officers, session.id


def test_staff_and_links(four: Problem) -> None:
    """About a volunteer per 10 fathers of the three partners; links mirrored both ways."""
    assert len(four.volunteers) == 100
    assert len(four.officers) >= 40
    assert {v.organisation for v in four.volunteers} == {
        "Exodus", "Humanitas", "Gevangenenzorg Nederland",
    }  # fmt: skip
    assert all(4 <= v.max_hours_week <= 12 for v in four.volunteers)
    linked = {(f.linked_volunteer, f.id) for f in four.fathers if f.linked_volunteer}
    assert linked == {(v.id, f) for v in four.volunteers for f in v.linked_fathers}
    assert linked


def test_the_week_has_what_a_planner_meets(four: Problem) -> None:
    """Time-outs (one from mid-week per institution), missing consents, babies, school children."""
    monday = four.clock.monday
    mid_week = Counter(
        f.institution for f in four.fathers for t in f.timeouts if 1 <= (t.start - monday).days <= 4
    )
    assert set(mid_week) == {i.id for i in four.institutions}
    fathers = four.fathers
    assert 20 <= sum(not f.info_sharing_consent for f in fathers) <= 80
    assert 20 <= sum(not f.other_parent_consent for f in fathers) <= 80
    assert sum(has_baby(f, monday) for f in fathers if f.shell == 3) >= 10
    assert sum(has_school_child(f, monday) for f in fathers) >= 300
    assert sum(bool(f.unavailable) for f in fathers) >= 100
    assert sum(bool(f.enrolments) for f in fathers) >= 100
    assert sum(bool(f.plan) for f in fathers) >= 40
    assert sum(bool(f.preferred) for f in fathers) >= 50
    assert sum(len(f.non_associations) for f in fathers) >= 24


def test_ids_are_pseudonyms(four: Problem) -> None:
    """Fathers, children, volunteers and officers have numbered ids, never names."""
    assert all(re.fullmatch(r"F-\d{4}", f.id) for f in four.fathers)
    assert all(re.fullmatch(r"C-\d{4}[a-d]", c.id) for f in four.fathers for c in f.children)
    assert all(re.fullmatch(r"V-\d{3}", v.id) for v in four.volunteers)
    assert all(re.fullmatch(r"O-\d{2,3}", o.id) for o in four.officers)


def test_demand_exceeds_capacity(four: Problem) -> None:
    """Family-room visits, video calls and volunteer hours wanted exceed what the week holds."""
    wanted: Counter[str] = Counter()
    for father in four.fathers:
        for activity in four.activities:
            wanted[activity.id] += entitled(four, father, activity)
    family_room = next(a for a in four.activities if a.id == "family_room_visit")
    assert wanted["family_room_visit"] * (family_room.minutes + 15) > minutes(four, "family_room")
    assert wanted["video_call"] * 30 > minutes(four, "video_station")
    individual = sum(
        wanted[a.id] * a.minutes * a.volunteers
        for a in four.activities
        if a.placement == "individual"
    )
    sessions = sum(
        four.activity_by_id[s.activity].minutes * four.activity_by_id[s.activity].volunteers
        for s in four.sessions
    )
    volunteer_hours = (individual + sessions) / 60
    assert volunteer_hours > 2 * four.policy.partner_cap_hours


def test_partner_cap_per_institution_or_shared_by_a_region() -> None:
    """Without a region each institution brings 36 hours; a region shares one 36."""
    assert generate_problem(30, 3).policy.partner_cap_hours == 108
    region = generate_problem(30, 3, region="noord")
    assert region.policy.partner_cap_hours == 36
    assert region.id == "noord-2027-W05-s0"


def test_other_weeks_keep_their_offsets() -> None:
    """A summer-time week writes +02:00 and its sessions stay inside the week."""
    problem = generate_problem(20, 1, seed=4, week="2027-W26")
    assert all(s.start.isoformat().endswith("+02:00") for s in problem.sessions)
    assert all(0 <= problem.clock.minute(s.start) < 7 * 1440 for s in problem.sessions)


def test_largest_problem_is_made_and_valid() -> None:
    """10,000 fathers over 40 institutions: every father, 40 family rooms, a valid week."""
    problem = generate_problem(10_000, 40, seed=0)
    assert len(problem.fathers) == 10_000
    assert len({f.institution for f in problem.fathers}) == 40
    assert sum(1 for r in problem.rooms if r.kind == "family_room") == 40
    assert problem.policy.partner_cap_hours == 40 * 36


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((9, 1, "2027-W05"), "fathers: 9 is outside 10..10000"),
        ((10_001, 1, "2027-W05"), "fathers: 10001 is outside 10..10000"),
        ((100, 0, "2027-W05"), "institutions: 0 is outside 1..40"),
        ((100, 41, "2027-W05"), "institutions: 41 is outside 1..40"),
        ((12, 20, "2027-W05"), "institutions: 20 institutions cannot share 12 fathers"),
        ((100, 1, "2027-W54"), "week: '2027-W54' is not an ISO week like 2027-W05"),
    ],
)
def test_bad_arguments_are_refused_by_name(arguments: tuple[int, int, str], message: str) -> None:
    """Each argument out of range is refused with its name and value."""
    fathers, institutions, week = arguments
    with pytest.raises(ProblemError) as caught:
        generate_problem(fathers, institutions, week=week)
    assert caught.value.messages == [message]


@settings(max_examples=12, deadline=None)
@given(st.integers(10, 300), st.integers(1, 5), st.integers(0, 2**32))
def test_any_generated_week_loads_back(fathers: int, institutions: int, seed: int) -> None:
    """For any size and seed, the week's JSON loads back equal, with every father placed."""
    problem = generate_problem(fathers, min(institutions, fathers), seed=seed)
    assert parse_problem(json.loads(problem_json(problem))) == problem
    assert len(problem.fathers) == fathers
