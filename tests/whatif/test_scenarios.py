"""Scenario files: parsing, sweep expansion, each change applied, and refusals naming the change."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain import Problem, ProblemError, load_problem
from whatif.edits import shell_counts, with_demand
from whatif.scenarios import (
    Range,
    Scenario,
    ScenarioFile,
    apply,
    default_scenarios,
    expand,
    load_scenarios,
    parse_scenarios,
)

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"


def load_tiny() -> Problem:
    """Give the tiny week (for property tests, where function fixtures do not reset)."""
    return load_problem(SCENARIO_DIR.parent / "tiny.json")


def one(problem: Problem, *changes: dict[str, object]) -> Problem:
    """Give the problem after one scenario made of these changes."""
    scenarios = expand(parse_scenarios({"scenarios": [{"name": "x", "changes": list(changes)}]}))
    return apply(problem, scenarios[1])


def refusal(problem: Problem, *changes: dict[str, object]) -> list[str]:
    """Give the messages with which a scenario of these changes is refused."""
    with pytest.raises(ProblemError) as caught:
        one(problem, *changes)
    return caught.value.messages


def test_range_includes_both_ends() -> None:
    """A range from 18 to 72 by 9 gives the seven values 18, 27, ..., 72."""
    values = Range.model_validate({"from": 18, "to": 72, "step": 9}).values()
    assert values == [18, 27, 36, 45, 54, 63, 72]


def test_sweep_expands_one_scenario_per_value_after_the_base() -> None:
    """A sweep becomes one named scenario per value, with $value put in its change."""
    spec = parse_scenarios(
        {
            "sweeps": [
                {
                    "name": "cap",
                    "parameter": "partner_cap_hours",
                    "values": [18, 22.5],
                    "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
                }
            ]
        }
    )
    scenarios = expand(spec)
    assert [s.name for s in scenarios] == ["base", "cap=18", "cap=22.5"]
    assert [s.value for s in scenarios] == [None, 18, 22.5]
    assert scenarios[1].parameter == "partner_cap_hours"
    assert scenarios[2].changes[0].model_extra == {"partner_cap_hours": 22.5}


def test_sweep_on_a_scenario_applies_its_changes_first(tiny: Problem) -> None:
    """A sweep ``with`` a scenario carries that scenario's changes before its own."""
    spec = parse_scenarios(
        {
            "scenarios": [
                {"name": "fk2", "changes": [{"op": "add_room", "like": "VH-FK", "id": "FK2"}]}
            ],
            "sweeps": [
                {
                    "name": "cap",
                    "values": [9],
                    "with": ["fk2"],
                    "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
                }
            ],
        }
    )
    swept = expand(spec)[2]
    assert swept.name == "fk2+cap=9"
    problem = apply(tiny, swept)
    assert "FK2" in problem.room_by_id
    assert problem.policy.partner_cap_hours == 9


def test_sweep_without_value_is_refused() -> None:
    """A sweep whose changes never use $value is refused: every value would be the same."""
    with pytest.raises(ProblemError) as caught:
        parse_scenarios(
            {"sweeps": [{"name": "s", "values": [1, 2], "changes": [{"op": "set_policy"}]}]}
        )
    assert caught.value.messages == [
        "sweeps[0].changes: no change uses $value, so every value would be the same"
    ]


def test_unknown_operation_and_duplicate_names_are_refused() -> None:
    """An unknown op and a scenario named twice are each refused with the place they are at."""
    with pytest.raises(ProblemError) as caught:
        parse_scenarios(
            {
                "scenarios": [
                    {"name": "a", "changes": [{"op": "add_rom"}]},
                    {"name": "a", "changes": []},
                ]
            }
        )
    assert caught.value.messages[0].startswith(
        "scenarios[0].changes[0].op: unknown change 'add_rom'"
    )
    assert caught.value.messages[1] == "scenarios: the name 'a' is used twice"


def test_unknown_room_names_the_change(tiny: Problem) -> None:
    """Removing a room that does not exist names the change and the room."""
    messages = refusal(
        tiny, {"op": "set_policy", "partner_cap_hours": 9}, {"op": "remove_room", "room": "VH-XX"}
    )
    assert messages == ["scenario 'x': scenarios[0].changes[1].room: unknown room 'VH-XX'"]


def test_bad_field_of_a_contract_object_names_the_field(tiny: Problem) -> None:
    """A room added with capacity 0 is refused by the Room contract, under the change's place."""
    messages = refusal(tiny, {"op": "add_room", "like": "VH-FK", "id": "FK2", "capacity": 0})
    assert messages == [
        "scenario 'x': scenarios[0].changes[0].capacity: Input should be greater than or equal to 1"
    ]


def test_change_that_breaks_the_week_names_what_it_broke(tiny: Problem) -> None:
    """Shortening the visit hall's hours past its sessions is refused, naming the sessions."""
    messages = refusal(
        tiny,
        {
            "op": "set_room",
            "room": "VH-BZ",
            "open": [{"day": "sat", "start": "13:00", "end": "17:00"}],
        },
    )
    assert messages == [
        "scenario 'x': scenarios[0].changes[0] (set_room) leaves sessions[0].start: "
        "2027-02-03T14:00:00+01:00 to +60 min is outside the opening hours of room 'VH-BZ'"
    ]


def test_set_policy_changes_the_partner_cap_only(tiny: Problem) -> None:
    """set_policy sets the partner cap and leaves the other policy fields as they were."""
    problem = one(tiny, {"op": "set_policy", "partner_cap_hours": 45})
    assert problem.policy.partner_cap_hours == 45
    assert problem.policy.slot_minutes == tiny.policy.slot_minutes
    assert problem.policy.school_hours == tiny.policy.school_hours


def test_add_room_like_copies_the_room_and_optionally_its_sessions(tiny: Problem) -> None:
    """A second visit hall like the first gets its hours and, with copy_sessions, its sessions."""
    problem = one(tiny, {"op": "add_room", "like": "VH-BZ", "id": "VH-BZ2", "copy_sessions": True})
    room = problem.room_by_id["VH-BZ2"]
    assert room.model_dump(exclude={"id"}) == tiny.room_by_id["VH-BZ"].model_dump(exclude={"id"})
    assert [(s.id, s.room) for s in problem.sessions if s.room == "VH-BZ2"] == [
        ("S-BZ-WED@VH-BZ2", "VH-BZ2"),
        ("S-BZ-SAT@VH-BZ2", "VH-BZ2"),
    ]


def test_add_room_count_numbers_the_rooms(tiny: Problem) -> None:
    """Three video stations added at once are numbered ID-1 to ID-3."""
    problem = one(tiny, {"op": "add_room", "like": "VH-BB1", "id": "VH-BB", "count": 3})
    assert [r.id for r in problem.rooms if r.kind == "video_station"] == [
        "VH-BB1",
        "VH-BB-1",
        "VH-BB-2",
        "VH-BB-3",
    ]


def test_add_room_with_an_existing_id_is_refused(tiny: Problem) -> None:
    """A room id that is taken already is refused, naming it."""
    messages = refusal(tiny, {"op": "add_room", "like": "VH-FK", "id": "VH-BZ"})
    assert messages == ["scenario 'x': scenarios[0].changes[0].id: room 'VH-BZ' exists already"]


def test_remove_room_removes_its_sessions(tiny: Problem) -> None:
    """Removing the kitchen removes the cooking session held in it."""
    problem = one(tiny, {"op": "remove_room", "room": "VH-KK"})
    assert "VH-KK" not in problem.room_by_id
    assert [s.id for s in problem.sessions] == ["S-BZ-WED", "S-BZ-SAT"]


def test_set_room_by_kind_adds_opening_hours(tiny: Problem) -> None:
    """add_open on every family room adds a window to each and keeps the old ones."""
    window = {"day": "sun", "start": "10:00", "end": "12:00"}
    problem = one(tiny, {"op": "set_room", "kind": "family_room", "add_open": [window]})
    room = problem.room_by_id["VH-FK"]
    assert len(room.open) == len(tiny.room_by_id["VH-FK"].open) + 1
    assert room.open[-1].model_dump() == window


def test_add_volunteer_like_another_without_links(tiny: Problem) -> None:
    """Two volunteers like V-EX1 get its hours and activities but none of its linked fathers."""
    problem = one(tiny, {"op": "add_volunteer", "like": "V-EX1", "id": "V-NEW", "count": 2})
    added = [v for v in problem.volunteers if v.id.startswith("V-NEW")]
    assert [v.id for v in added] == ["V-NEW-1", "V-NEW-2"]
    assert all(
        v.linked_fathers == [] and v.activities == tiny.volunteer_by_id["V-EX1"].activities
        for v in added
    )


def test_remove_volunteer_unlinks_his_fathers(tiny: Problem) -> None:
    """Removing V-EX1 leaves F-001 without a linked volunteer."""
    problem = one(tiny, {"op": "remove_volunteer", "volunteer": "V-EX1"})
    assert "V-EX1" not in problem.volunteer_by_id
    assert problem.father_by_id["F-001"].linked_volunteer is None


def test_add_officer_and_shifts(tiny: Problem) -> None:
    """An officer like O-02 is added, and O-01 gets a Sunday shift."""
    sunday = {"day": "sun", "start": "09:00", "end": "17:00"}
    problem = one(
        tiny,
        {"op": "add_officer", "like": "O-02", "id": "O-03"},
        {"op": "add_shifts", "officer": "O-01", "shifts": [sunday]},
    )
    assert problem.officer_by_id["O-03"].shifts == tiny.officer_by_id["O-02"].shifts
    assert problem.officer_by_id["O-01"].shifts[-1].model_dump() == sunday


def test_set_entitlement_changes_one_row(tiny: Problem) -> None:
    """Shell 2 gets two family-room visits a week; its other rows stay."""
    problem = one(
        tiny, {"op": "set_entitlement", "shell": 2, "activity": "family_room_visit", "per_week": 2}
    )
    assert problem.entitlements[2]["family_room_visit"].per_week == 2
    assert problem.entitlements[2]["family_room_visit"].max_per_day == 1
    assert problem.entitlements[2]["video_call"] == tiny.entitlements[2]["video_call"]


def test_set_entitlement_outside_the_activity_shells_is_refused(tiny: Problem) -> None:
    """Cooking in shell 1 is refused: the activity is not offered there."""
    messages = refusal(
        tiny, {"op": "set_entitlement", "shell": 1, "activity": "cooking_together", "per_week": 1}
    )
    assert messages == [
        "scenario 'x': scenarios[0].changes[0].shell: activity 'cooking_together' "
        "is not offered in shell 1 (its shells are [3])"
    ]


def test_shell_mix_moves_the_fewest_fathers(tiny: Problem) -> None:
    """Half in shell 1 and a quarter each in 2 and 3 moves F-003 down and F-001 to shell 2."""
    problem = one(tiny, {"op": "shell_mix", "shares": {1: 0.5, 2: 0.25, 3: 0.25}})
    assert {f.id: f.shell for f in problem.fathers} == {
        "F-001": 2,
        "F-002": 3,
        "F-003": 1,
        "F-004": 1,
    }


def test_shell_mix_shares_must_add_up_to_one(tiny: Problem) -> None:
    """Shares adding up to 0.9 are refused, saying so."""
    messages = refusal(tiny, {"op": "shell_mix", "shares": {1: 0.5, 2: 0.4}})
    assert messages == ["scenarios[0].changes[0].shares: they add up to 0.9, not 1"]


def test_scale_fathers_up_copies_and_down_drops_with_references(tiny: Problem) -> None:
    """Scaling 4 fathers by 1.5 copies two; scaling to 2 drops F-003 and his non-association."""
    more = one(tiny, {"op": "scale_fathers", "factor": 1.5})
    assert [f.id for f in more.fathers] == [
        "F-001",
        "F-002",
        "F-003",
        "F-004",
        "F-001~2",
        "F-002~2",
    ]
    assert more.father_by_id["F-002~2"].timeouts == tiny.father_by_id["F-002"].timeouts
    fewer = one(tiny, {"op": "scale_fathers", "count": 2})
    assert [f.id for f in fewer.fathers] == ["F-001", "F-002"]
    assert [v.linked_fathers for v in fewer.volunteers] == [["F-001"], ["F-002"], []]


def test_scale_fathers_of_one_shell(tiny: Problem) -> None:
    """Doubling the shell-3 fathers (a third wing's worth) copies only F-001 and F-002."""
    problem = one(tiny, {"op": "scale_fathers", "shell": 3, "factor": 2})
    assert [f.id for f in problem.fathers if f.shell == 3] == [
        "F-001",
        "F-002",
        "F-001~2",
        "F-002~2",
    ]


def test_add_institution_like_another_copies_its_week(tiny: Problem) -> None:
    """A new institution like PI-VH gets copies of its rooms, sessions, staff and fathers."""
    problem = one(
        tiny, {"op": "add_institution", "like": "PI-VH", "id": "PI-LW", "name": "PI Leeuwarden"}
    )
    assert [i.id for i in problem.institutions] == ["PI-VH", "PI-LW"]
    copied = [f for f in problem.fathers if f.institution == "PI-LW"]
    assert [f.id for f in copied] == ["F-001@PI-LW", "F-002@PI-LW", "F-003@PI-LW", "F-004@PI-LW"]
    assert problem.father_by_id["F-001@PI-LW"].linked_volunteer == "V-EX1@PI-LW"
    assert problem.father_by_id["F-004@PI-LW"].non_associations == ["F-003@PI-LW"]
    assert problem.room_by_id["VH-FK@PI-LW"].institution == "PI-LW"
    assert problem.session_by_id["S-KK-THU@PI-LW"].room == "VH-KK@PI-LW"
    assert problem.volunteer_by_id["V-EX1@PI-LW"].institutions == ["PI-LW"]


def test_base_is_unchanged(tiny: Problem) -> None:
    """The base scenario gives back the base week itself."""
    assert apply(tiny, Scenario(name="base")) is tiny


def test_default_scenarios_add_a_family_room_and_sweep_the_cap(tiny: Problem) -> None:
    """Without a file, the what-if adds a second family room and sweeps the cap 18..72 by 9."""
    scenarios = expand(default_scenarios(tiny))
    assert [s.name for s in scenarios] == ["base", "second-family-room"] + [
        f"partner-cap={v}" for v in range(18, 73, 9)
    ]
    assert [r.id for r in apply(tiny, scenarios[1]).rooms if r.kind == "family_room"] == [
        "VH-FK",
        "VH-FK-2",
    ]


@pytest.mark.parametrize("week", ["tiny", "veenhuizen"])
def test_example_files_load_and_apply(week: str, request: pytest.FixtureRequest) -> None:
    """Every example scenario file in fixtures/scenarios applies to tiny and to Veenhuizen."""
    problem: Problem = request.getfixturevalue(week)
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    assert [p.name for p in paths] == [
        "expansion.yaml",
        "partner-cap-sweep.yaml",
        "second-family-room.yaml",
    ]
    for path in paths:
        for scenario in expand(load_scenarios(path)):
            assert apply(problem, scenario).id == problem.id


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    """A scenario file that is not YAML is refused with its line."""
    path = tmp_path / "bad.yaml"
    path.write_text("scenarios:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        load_scenarios(path)
    assert caught.value.messages[0].startswith(f"{path}: not valid YAML or JSON at line 3")


def test_with_demand_replaces_the_fathers(tiny: Problem) -> None:
    """Another week's fathers replace the base's; unknown links are dropped, rooms stay."""
    other = one(
        tiny, {"op": "scale_fathers", "count": 6}, {"op": "remove_volunteer", "volunteer": "V-HU1"}
    )
    other = other.model_copy(update={"fathers": other.fathers[2:]})
    replaced = with_demand(one(tiny, {"op": "remove_volunteer", "volunteer": "V-EX1"}), other)
    assert [f.id for f in replaced.fathers] == ["F-003", "F-004", "F-001~2", "F-002~2"]
    assert replaced.father_by_id["F-001~2"].linked_volunteer is None
    assert replaced.rooms == tiny.rooms


@given(
    st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 1000), min_size=1),
    st.integers(0, 500),
)
def test_shell_counts_add_up_and_stay_within_one_of_the_share(
    weights: dict[int, int], total: int
) -> None:
    """For any shares and number of fathers, the counts add up and each is within 1 of its share."""
    whole = sum(weights.values())
    if whole == 0:
        return
    shares = {shell: weight / whole for shell, weight in weights.items()}
    counts = shell_counts(shares, total)
    assert sum(counts.values()) == total
    for shell in (1, 2, 3):
        assert abs(counts[shell] - shares.get(shell, 0.0) * total) < 1


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 12), st.sampled_from([None, 1, 2, 3]))
def test_scale_fathers_gives_exactly_the_count_and_a_valid_week(
    count: int, shell: int | None
) -> None:
    """Scaling to any count (of all fathers or one shell) gives that many, in a valid week."""
    tiny = load_tiny()
    change: dict[str, object] = {"op": "scale_fathers", "count": count}
    if shell is not None:
        change["shell"] = shell
    if shell is not None and not any(f.shell == shell for f in tiny.fathers) and count:
        assert refusal(tiny, change)
        return
    problem = one(tiny, change)
    chosen = [f for f in problem.fathers if shell in (None, f.shell)]
    assert len(chosen) == count
    assert (
        len(problem.fathers)
        == len(tiny.fathers) - len([f for f in tiny.fathers if shell in (None, f.shell)]) + count
    )


@settings(max_examples=25, deadline=None)
@given(st.floats(0, 100, allow_nan=False), st.floats(0, 100, allow_nan=False), st.floats(0.5, 50))
def test_range_values_stay_inside_and_step_evenly(start: float, span: float, step: float) -> None:
    """Any range runs from ``from`` to at most ``to``, ``step`` apart, the last within a step."""
    stop = start + span
    values = Range.model_validate({"from": start, "to": stop, "step": step}).values()
    assert values[0] == pytest.approx(start)
    assert all(b - a == pytest.approx(step) for a, b in zip(values, values[1:], strict=False))
    assert values[-1] <= stop + 1e-6
    assert stop - values[-1] < step + 1e-6


def test_empty_file_is_the_base_only() -> None:
    """An empty scenario file gives the base scenario alone."""
    assert [s.name for s in expand(parse_scenarios(None))] == ["base"]
    assert ScenarioFile().replications.count == 1
