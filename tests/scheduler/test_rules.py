"""Each rule function alone, on a tiny case: shells, eligibility, school hours, entitlements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.catalogue import default_catalogue
from scheduler.domain import Father, Problem, parse_problem
from scheduler.eligibility import blocking_reasons, effective_shell, school_hours_conflict
from scheduler.entitlements import Ceiling, ceilings, entitled, max_per_day, shell_per_week

MONDAY = date(2027, 2, 1)
WEEK = frozenset(range(7))
MON_TUE = frozenset({0, 1})
CATALOGUE = default_catalogue()
ACTIVITY_IDS = [activity.id for activity in CATALOGUE.activities]


def week(sessions: tuple[str, ...] = (), **policy: Any) -> Problem:
    """Give week 2027-W05 of PI-VH with the default catalogue and a session of each named activity.

    Every room kind has one room, open all day every day; each session starts
    on Wednesday at 10:00.
    """
    kinds = sorted({a.room_kind for a in CATALOGUE.activities if a.room_kind is not None})
    all_week = [{"day": day, "start": "00:00", "end": "24:00"} for day in
                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]  # fmt: skip
    activities = {a.id: a for a in CATALOGUE.activities}
    return parse_problem(
        {
            "id": "rules",
            "week": "2027-W05",
            "institutions": [
                {"id": "PI-VH", "name": "PI Veenhuizen"},
                {"id": "PI-LW", "name": "PI Leeuwarden"},
            ],
            "policy": CATALOGUE.policy.model_dump(mode="json") | policy,
            "activities": [a.model_dump(mode="json") for a in CATALOGUE.activities],
            "entitlements": {
                str(shell): {name: e.model_dump(mode="json") for name, e in table.items()}
                for shell, table in CATALOGUE.entitlements.items()
            },
            "rooms": [
                {
                    "id": f"VH-{kind}",
                    "institution": "PI-VH",
                    "kind": kind,
                    "capacity": 24,
                    "open": all_week,
                }
                for kind in kinds
            ]
            + [
                {
                    "id": "LW-activity_room",
                    "institution": "PI-LW",
                    "kind": "activity_room",
                    "open": all_week,
                }
            ],
            "sessions": [
                {
                    "id": f"S-{name}",
                    "activity": name,
                    "room": "LW-activity_room"
                    if name == "family_day"
                    else f"VH-{activities[name].room_kind}",
                    "start": "2027-02-03T10:00:00+01:00",
                    "capacity": 8,
                }
                for name in sessions
            ],
        }
    )


def father(**fields: Any) -> Father:
    """Give a wing father of PI-VH with both consents, changed by ``fields``."""
    return Father.model_validate({"id": "F-1", "institution": "PI-VH", "shell": 3} | fields)


def child(born: date) -> dict[str, str]:
    """Give a child born on a date."""
    return {"id": "C-1", "birth_date": born.isoformat()}


def shells(problem: Problem, someone: Father) -> list[int]:
    """Give the father's effective shell on each day, Monday to Sunday."""
    return [effective_shell(problem, someone, day) for day in range(7)]


# Effective shell (hard rule 1).


def test_time_out_from_wednesday_leaves_monday_and_tuesday_alone(tiny: Problem) -> None:
    """F-002 of tiny.json (shell 3, time-out from Wednesday 3 February) is shell 2 from then."""
    assert shells(tiny, tiny.father_by_id["F-002"]) == [3, 3, 2, 2, 2, 2, 2]
    assert shells(tiny, tiny.father_by_id["F-001"]) == [3] * 7


def test_time_out_lasts_six_weeks_by_default() -> None:
    """A time-out from 22 December ends after Monday 1 February; one from 21 December is over."""
    problem = week()
    assert problem.policy.timeout_weeks == 6
    assert shells(problem, father(timeouts=[{"start": "2026-12-22"}])) == [2, 3, 3, 3, 3, 3, 3]
    assert shells(problem, father(timeouts=[{"start": "2026-12-21"}])) == [3] * 7
    assert shells(problem, father(timeouts=[{"start": "2027-01-18"}])) == [2] * 7


def test_time_out_length_follows_the_policy() -> None:
    """With one-week time-outs, a time-out from the Wednesday before covers Monday and Tuesday."""
    problem = week(timeout_weeks=1)
    assert shells(problem, father(timeouts=[{"start": "2027-01-27"}])) == [2, 2, 3, 3, 3, 3, 3]


def test_time_out_starting_sunday_and_after_the_week() -> None:
    """A time-out from Sunday touches only Sunday; one from the next Monday touches nothing."""
    problem = week()
    assert shells(problem, father(timeouts=[{"start": "2027-02-07"}])) == [3] * 6 + [2]
    assert shells(problem, father(timeouts=[{"start": "2027-02-08"}])) == [3] * 7


def test_time_out_never_raises_a_lower_shell() -> None:
    """A time-out leaves a shell-2 or shell-1 father where he is."""
    problem = week()
    timeout = [{"start": "2027-01-25"}]
    assert shells(problem, father(shell=2, timeouts=timeout)) == [2] * 7
    assert shells(problem, father(shell=1, timeouts=timeout)) == [1] * 7


def test_no_information_sharing_consent_means_shell_one() -> None:
    """Without information-sharing consent a wing father is shell 1 every day, time-out or not."""
    problem = week()
    assert shells(problem, father(info_sharing_consent=False)) == [1] * 7
    no_consent_on_timeout = father(info_sharing_consent=False, timeouts=[{"start": "2027-02-03"}])
    assert shells(problem, no_consent_on_timeout) == [1] * 7


# Eligibility: consent, enrolment, baby, shell (hard rules 1 to 3).


def reasons_for(problem: Problem, someone: Father, activity: str, day: int = 0) -> list[str]:
    """Give blocking_reasons for an activity of the problem by id."""
    return blocking_reasons(problem, someone, problem.activity_by_id[activity], day)


def test_eligible_father_has_no_blocking_reason() -> None:
    """A wing father with both consents may have every wing activity that needs nothing more."""
    problem = week()
    for name in (
        "regular_visit",
        "family_room_visit",
        "video_call",
        "cooking_together",
        "cell_visit",
    ):
        assert reasons_for(problem, father(), name) == []


def test_other_parents_consent_is_needed_when_the_child_is_present() -> None:
    """Without the other parent's consent: no family room or video call; cooking is fine."""
    problem = week()
    no_consent = father(other_parent_consent=False)
    assert reasons_for(problem, no_consent, "family_room_visit") == ["no_consent"]
    assert reasons_for(problem, no_consent, "video_call") == ["no_consent"]
    assert reasons_for(problem, no_consent, "cooking_together") == []


def test_regular_visit_needs_no_consent_of_the_other_parent(tiny: Problem) -> None:
    """A regular visit is a legal right: F-003 of tiny.json, without that consent, may have one."""
    f003 = tiny.father_by_id["F-003"]
    assert not f003.other_parent_consent
    assert reasons_for(tiny, f003, "regular_visit", day=5) == []
    assert reasons_for(tiny, f003, "family_room_visit", day=5) == ["no_consent"]


def test_needs_consent_in_the_catalogue_decides_over_child_present() -> None:
    """An activity's needs_consent overrides the child-present default, both ways."""
    from scheduler.domain import Activity
    from scheduler.eligibility import needs_other_parent_consent

    base = {"id": "x", "name": "x", "shells": [1], "minutes": 30, "placement": "individual"}
    assert needs_other_parent_consent(Activity(**base, child_present=True))
    assert not needs_other_parent_consent(Activity(**base, child_present=False))
    assert not needs_other_parent_consent(Activity(**base, child_present=True, needs_consent=False))
    assert needs_other_parent_consent(Activity(**base, child_present=False, needs_consent=True))
    catalogue = {a.id: a for a in week().activities}
    assert catalogue["regular_visit"].needs_consent is False


def test_shell_too_low() -> None:
    """A shell-1 father may not have shell-2 and shell-3 activities; he may have a regular visit."""
    problem = week()
    shell_one = father(shell=1)
    assert reasons_for(problem, shell_one, "family_room_visit") == ["not_in_shell"]
    assert reasons_for(problem, shell_one, "cooking_together") == ["not_in_shell"]
    assert reasons_for(problem, shell_one, "regular_visit") == []


def test_time_out_blocks_wing_activities_from_its_first_day() -> None:
    """A time-out from Wednesday blocks cooking from Wednesday; video calls stay allowed."""
    problem = week()
    on_timeout = father(timeouts=[{"start": "2027-02-03"}])
    assert reasons_for(problem, on_timeout, "cooking_together", day=1) == []
    assert reasons_for(problem, on_timeout, "cooking_together", day=2) == ["time_out"]
    assert reasons_for(problem, on_timeout, "video_call", day=2) == []


def test_missing_information_sharing_consent_blocks_as_no_consent() -> None:
    """Without information-sharing consent (shell 1 in effect) a video call gives no_consent."""
    problem = week()
    assert reasons_for(problem, father(info_sharing_consent=False), "video_call") == ["no_consent"]
    assert reasons_for(problem, father(info_sharing_consent=False), "regular_visit") == []


def test_time_out_and_missing_consent_are_both_given() -> None:
    """A wing father on time-out and without information-sharing consent: both block cooking."""
    problem = week()
    both = father(info_sharing_consent=False, timeouts=[{"start": "2027-01-25"}])
    assert reasons_for(problem, both, "cooking_together") == ["time_out", "no_consent"]
    # A video call is open to shell 2, so the time-out alone would not block it.
    assert reasons_for(problem, both, "video_call") == ["no_consent"]


def test_enrolment_activity_needs_enrolment() -> None:
    """The training 'mijn kind en ik' is only for enrolled fathers."""
    problem = week()
    assert reasons_for(problem, father(), "training_my_child_and_i") == ["not_enrolled"]
    enrolled = father(enrolments=["training_my_child_and_i"])
    assert reasons_for(problem, enrolled, "training_my_child_and_i") == []


def test_baby_bath_needs_a_child_under_one_on_that_day() -> None:
    """A child born 3 February 2026 turns one on Wednesday: baby bath on Monday and Tuesday only."""
    problem = week()
    turning_one = father(children=[child(date(2026, 2, 3))])
    assert [reasons_for(problem, turning_one, "baby_bath", day) for day in range(4)] == [
        [], [], ["no_baby"], ["no_baby"],
    ]  # fmt: skip


def test_baby_born_during_the_week_counts_from_his_birth_day() -> None:
    """A child born on Thursday of the week makes the baby bath possible from Thursday on."""
    problem = week()
    newborn = father(children=[child(date(2027, 2, 4))])
    assert [reasons_for(problem, newborn, "baby_bath", day) == [] for day in range(7)] == [
        False, False, False, True, True, True, True,
    ]  # fmt: skip


def test_every_reason_that_applies_is_given() -> None:
    """A shell-1 father without the other parent's consent and no baby: three reasons."""
    problem = week()
    someone = father(shell=1, other_parent_consent=False)
    assert reasons_for(problem, someone, "baby_bath") == ["not_in_shell", "no_consent", "no_baby"]


# School hours (hard rule 5).


def in_school_hours(
    problem: Problem, someone: Father, activity: str, day: int, start: str, minutes: int
) -> bool:
    """Give school_hours_conflict for an activity starting at a clock time on a day."""
    hours, mins = (int(part) for part in start.split(":"))
    low = day * 1440 + hours * 60 + mins
    return school_hours_conflict(
        problem, someone, problem.activity_by_id[activity], low, low + minutes
    )


def test_school_hours_apply_to_children_aged_4_to_12_only() -> None:
    """Monday 10:00: a child of 8 conflicts; one of 3 and one of 13 do not."""
    problem = week()
    aged = {age: father(children=[child(date(2027 - age, 1, 1))]) for age in (3, 8, 13)}
    found = {
        age: in_school_hours(problem, f, "video_call", 0, "10:00", 30) for age, f in aged.items()
    }
    assert found == {3: False, 8: True, 13: False}


def test_school_hours_follow_the_childs_age_on_that_day() -> None:
    """A child turning 4 on Thursday conflicts from then, one turning 13 on Wednesday before."""
    problem = week()
    turning_four = father(children=[child(date(2023, 2, 4))])
    turning_thirteen = father(children=[child(date(2014, 2, 3))])
    four = [in_school_hours(problem, turning_four, "video_call", d, "10:00", 30) for d in range(5)]
    assert four == [False, False, False, True, True]
    thirteen = [
        in_school_hours(problem, turning_thirteen, "video_call", d, "10:00", 30) for d in range(5)
    ]
    assert thirteen == [True, True, False, False, False]


def test_school_hours_only_on_school_days_and_hours() -> None:
    """Saturday, after 15:00 and activities without the child are free; 14:30-15:30 is not."""
    problem = week()
    schoolchild = father(children=[child(date(2019, 5, 12))])
    assert not in_school_hours(problem, schoolchild, "family_room_visit", 5, "10:00", 90)
    assert not in_school_hours(problem, schoolchild, "video_call", 0, "15:00", 30)
    assert in_school_hours(problem, schoolchild, "video_call", 0, "14:45", 30)
    assert not in_school_hours(problem, schoolchild, "cooking_together", 0, "10:00", 120)


def test_school_hours_come_from_the_policy(tiny: Problem) -> None:
    """tiny.json ends school at 12:00 on Wednesday: F-001's child may visit at 13:00 then."""
    f001 = tiny.father_by_id["F-001"]
    assert not in_school_hours(tiny, f001, "regular_visit", 2, "13:00", 60)
    assert in_school_hours(tiny, f001, "regular_visit", 1, "13:00", 60)


# Entitlements and ceilings (hard rule 3).


def entitled_to(problem: Problem, someone: Father, activity: str) -> int:
    """Give entitled() for an activity of the problem by id."""
    return entitled(problem, someone, problem.activity_by_id[activity])


def ceilings_of(problem: Problem, someone: Father, activity: str) -> list[Ceiling]:
    """Give ceilings() for an activity of the problem by id."""
    return ceilings(problem, someone, problem.activity_by_id[activity])


def test_entitlement_follows_the_shell_table() -> None:
    """Video calls a week: 7 in shell 3, 1 in shell 2, none in shell 1."""
    problem = week()
    assert [entitled_to(problem, father(shell=s), "video_call") for s in (3, 2, 1)] == [7, 1, 0]
    assert [entitled_to(problem, father(shell=s), "family_room_visit") for s in (3, 2, 1)] == [
        2,
        1,
        0,
    ]


def test_plan_lowers_the_entitlement_but_never_raises_it() -> None:
    """A plan of 3 video calls gives 3; a shell-2 plan of 2 family-room visits still gives 1."""
    problem = week()
    assert entitled_to(problem, father(plan={"video_call": 3}), "video_call") == 3
    assert (
        entitled_to(problem, father(shell=2, plan={"family_room_visit": 2}), "family_room_visit")
        == 1
    )
    assert entitled_to(problem, father(plan={"cell_visit": 0}), "cell_visit") == 0


def test_max_per_day_follows_the_table_and_the_plan() -> None:
    """At most one video call a day; a plan of none allows none on any day."""
    problem = week()
    video = problem.activity_by_id["video_call"]
    assert [max_per_day(problem, father(), video, d) for d in range(7)] == [1] * 7
    assert max_per_day(problem, father(plan={"video_call": 0}), video, 0) == 0
    assert max_per_day(problem, father(shell=1), video, 0) == 0


def test_session_activity_without_a_session_this_week_is_no_entitlement() -> None:
    """A father-child day counts only in a week with a session of it at the father's institution."""
    assert entitled_to(week(), father(), "father_child_day") == 0
    assert entitled_to(week(("father_child_day",)), father(), "father_child_day") == 1
    # The only family day is at PI Leeuwarden.
    assert entitled_to(week(("family_day",)), father(), "family_day") == 0
    assert entitled_to(week(("family_day",)), father(institution="PI-LW"), "family_day") == 1


def test_enrolment_activity_counts_for_enrolled_or_planned_fathers() -> None:
    """A workshop counts for a father enrolled in it or whose plan names it, not for others."""
    problem = week(("workshop",))
    assert entitled_to(problem, father(), "workshop") == 0
    assert entitled_to(problem, father(enrolments=["workshop"]), "workshop") == 1
    assert entitled_to(problem, father(plan={"workshop": 1}), "workshop") == 1


def test_baby_bath_counts_only_with_a_baby_in_the_week() -> None:
    """Two baby baths with a child under one on some day of the week, none without."""
    problem = week()
    assert entitled_to(problem, father(children=[child(date(2026, 6, 1))]), "baby_bath") == 2
    assert entitled_to(problem, father(children=[child(date(2026, 2, 3))]), "baby_bath") == 2
    assert entitled_to(problem, father(children=[child(date(2026, 1, 31))]), "baby_bath") == 0


def test_missing_consent_does_not_lower_the_entitlement() -> None:
    """Without information-sharing consent the entitlement stands, but his ceiling is 0."""
    problem = week()
    no_consent = father(info_sharing_consent=False)
    assert entitled_to(problem, no_consent, "video_call") == 7
    assert ceilings_of(problem, no_consent, "video_call") == [Ceiling(WEEK, 7), Ceiling(WEEK, 0)]


def test_ceilings_under_a_mid_week_time_out(tiny: Problem) -> None:
    """F-002 of tiny.json: 7 video calls a week, at most 1 from Wednesday; no cooking from then."""
    f002 = tiny.father_by_id["F-002"]
    from_wednesday = frozenset(range(2, 7))
    assert ceilings_of(tiny, f002, "video_call") == [
        Ceiling(WEEK, 7),
        Ceiling(from_wednesday, 1, MON_TUE, time_out=True),
    ]
    assert ceilings_of(tiny, f002, "cooking_together") == [
        Ceiling(WEEK, 1),
        Ceiling(from_wednesday, 0, MON_TUE, time_out=True),
    ]
    assert ceilings_of(tiny, tiny.father_by_id["F-001"], "video_call") == [Ceiling(WEEK, 7)]


def test_ceilings_under_a_time_out_all_week(edge_timeout_all_week: Problem) -> None:
    """F-0003 of edge-timeout-all-week.json is in shell 2 all week: 1 video call, no cooking."""
    f3 = edge_timeout_all_week.father_by_id["F-0003"]
    assert shells(edge_timeout_all_week, f3) == [2] * 7
    assert ceilings_of(edge_timeout_all_week, f3, "video_call") == [
        Ceiling(WEEK, 7),
        Ceiling(WEEK, 1, time_out=True),
    ]
    assert ceilings_of(edge_timeout_all_week, f3, "cooking_together") == [
        Ceiling(WEEK, 1),
        Ceiling(WEEK, 0, time_out=True),
    ]


def test_no_part_of_the_week_holds_more_than_the_entitlement() -> None:
    """A workshop he is not enrolled in: 0 for the week; his time-out adds nothing above that.

    Nor does a time-out whose shell has the week's own figure (a regular visit).
    """
    problem = week(("workshop", "regular_visit"))
    on_timeout = father(timeouts=[{"start": "2027-02-03"}])
    assert ceilings_of(problem, on_timeout, "workshop") == [Ceiling(WEEK, 0)]
    assert ceilings_of(problem, on_timeout, "regular_visit") == [Ceiling(WEEK, 1)]


# The rules the validator shares with the placement and the solver, day by day.


def test_a_mid_week_time_out_day_by_day() -> None:
    """Time-out from Wednesday: cooking on Monday and Tuesday only; family room 2, 1 from Wed."""
    problem = week()
    on_timeout = father(timeouts=[{"start": "2027-02-03"}])
    cooking = problem.activity_by_id["cooking_together"]
    visit = problem.activity_by_id["family_room_visit"]
    assert [max_per_day(problem, on_timeout, cooking, d) for d in range(7)] == [1, 1, 0, 0, 0, 0, 0]
    assert [blocking_reasons(problem, on_timeout, cooking, d) for d in (0, 1, 2, 6)] == [
        [], [], ["time_out"], ["time_out"],
    ]  # fmt: skip
    assert [max_per_day(problem, on_timeout, visit, d) for d in range(7)] == [1] * 7
    assert ceilings(problem, on_timeout, visit) == [
        Ceiling(WEEK, 2), Ceiling(frozenset(range(2, 7)), 1, MON_TUE, time_out=True),
    ]  # fmt: skip
    assert blocking_reasons(problem, on_timeout, visit, 4) == []


def test_a_plan_of_none_is_a_ceiling_of_zero_not_a_block() -> None:
    """A shell-2 father planned for no video calls is not blocked from them, yet may have none."""
    problem = week()
    planned = father(shell=2, plan={"video_call": 0})
    call = problem.activity_by_id["video_call"]
    assert blocking_reasons(problem, planned, call, 0) == []
    assert [max_per_day(problem, planned, call, d) for d in range(7)] == [0] * 7
    assert ceilings(problem, planned, call) == [Ceiling(WEEK, 0)]


def test_without_the_other_parents_consent_only_the_legal_visit_stays() -> None:
    """No consent of the other parent: no video call or cell visit, the regular visit stands."""
    problem = week()
    refused = father(other_parent_consent=False)
    found = {
        name: blocking_reasons(problem, refused, problem.activity_by_id[name], 2)
        for name in ("video_call", "cell_visit", "regular_visit", "cooking_together")
    }
    assert found == {
        "video_call": ["no_consent"],
        "cell_visit": ["no_consent"],
        "regular_visit": [],
        "cooking_together": [],
    }


# Properties that hold for any father.

fathers = st.builds(
    lambda shell, consent, parent, start, plan, enrolled, birth: father(
        shell=shell,
        info_sharing_consent=consent,
        other_parent_consent=parent,
        timeouts=[] if start is None else [{"start": (MONDAY + timedelta(days=start)).isoformat()}],
        plan=plan,
        enrolments=["workshop", "training_my_child_and_i"] if enrolled else [],
        children=[child(MONDAY - timedelta(days=birth))],
    ),
    shell=st.integers(1, 3),
    consent=st.booleans(),
    parent=st.booleans(),
    start=st.none() | st.integers(-60, 10),
    plan=st.dictionaries(st.sampled_from(ACTIVITY_IDS), st.integers(0, 9), max_size=3),
    enrolled=st.booleans(),
    birth=st.integers(-10, 18 * 366),
)
ALL_SESSIONS = week(
    tuple(a.id for a in CATALOGUE.activities if a.placement == "session" and a.id != "family_day")
)


@given(fathers, st.integers(0, 6), st.integers(0, 8))
def test_effective_shell_never_exceeds_the_shell(someone: Father, day: int, weeks: int) -> None:
    """For any father, day and time-out length, the effective shell lies in 1..shell."""
    problem = ALL_SESSIONS.model_copy(
        update={"policy": ALL_SESSIONS.policy.model_copy(update={"timeout_weeks": weeks})}
    )
    assert 1 <= effective_shell(problem, someone, day) <= someone.shell


@given(fathers, st.sampled_from(ACTIVITY_IDS))
def test_ceilings_never_exceed_the_entitlement(someone: Father, activity_id: str) -> None:
    """For any father and activity, the week's ceiling is the entitlement and none is higher."""
    activity = ALL_SESSIONS.activity_by_id[activity_id]
    found = ceilings(ALL_SESSIONS, someone, activity)
    amount = entitled(ALL_SESSIONS, someone, activity)
    assert found[0] == Ceiling(WEEK, amount)
    assert all(ceiling.limit <= amount for ceiling in found)
    assert amount <= shell_per_week(ALL_SESSIONS, someone, activity, someone.shell)


@given(fathers, st.sampled_from(ACTIVITY_IDS), st.integers(0, 6))
def test_blocked_means_a_known_reason(someone: Father, activity_id: str, day: int) -> None:
    """For any father, activity and day, each blocking reason is a known eligibility word, once."""
    found = reasons_for(ALL_SESSIONS, someone, activity_id, day)
    assert set(found) <= {"time_out", "no_consent", "not_in_shell", "not_enrolled", "no_baby"}
    assert len(found) == len(set(found))
    if (
        effective_shell(ALL_SESSIONS, someone, day)
        in ALL_SESSIONS.activity_by_id[activity_id].shells
    ):
        assert not {"time_out", "not_in_shell"} & set(found)


@given(fathers, st.sampled_from(ACTIVITY_IDS), st.integers(5, 6), st.integers(0, 95))
def test_no_school_hours_at_the_weekend(
    someone: Father, activity_id: str, day: int, slot: int
) -> None:
    """For any father and activity, nothing at the weekend falls in school hours."""
    low = day * 1440 + slot * 15
    assert not school_hours_conflict(
        ALL_SESSIONS, someone, ALL_SESSIONS.activity_by_id[activity_id], low, low + 60
    )


@pytest.mark.parametrize("activity_id", ACTIVITY_IDS)
def test_default_catalogue_entitlements_per_shell(activity_id: str) -> None:
    """The default table gives each activity its docs/design.md s. 3 figure per shell (s1/s2/s3)."""
    expected = {
        "regular_visit": (1, 1, 1), "father_child_day": (1, 1, 1), "family_day": (1, 1, 1),
        "training_my_child_and_i": (1, 1, 1), "workshop": (0, 1, 1), "family_room_visit": (0, 1, 2),
        "video_call": (0, 1, 7), "theme_meeting": (0, 0, 1), "creative_afternoon": (0, 0, 1),
        "cooking_together": (0, 0, 1), "cell_visit": (0, 0, 1), "baby_bath": (0, 0, 2),
    }  # fmt: skip
    problem = ALL_SESSIONS
    activity = problem.activity_by_id[activity_id]
    figures = tuple(shell_per_week(problem, father(shell=s), activity, s) for s in (1, 2, 3))
    assert figures == expected[activity_id]
