"""``explain`` answers for the escorted visit as for any other entitlement, on both routes.

The escorted visit is granted with a seat in a session that has all its
escorts. With the requests of seed 1 on tiny.json, F-001 spends five of the
six partner hours before F-002 asks, so F-002 sits on Saturday without
escorts: the partner cap decides, and two more hours would let them in.
"""

from __future__ import annotations

from scheduler.domain import parse_problem
from scheduler.validate import check_assignments
from solver.baseline import first_come_first_served
from tests.kit.service import Api, tiny_data

WHERE = {"father": "F-002", "activity": "escorted_visit"}


def test_explain_names_what_keeps_the_escorts_away(api: Api) -> None:
    """The roster's and the publication's explain give the shortfall, the cap decisive, its fix."""
    data = tiny_data()
    roster = first_come_first_served(parse_problem(data), seed=1)
    assert check_assignments(parse_problem(data), roster.assignments) == []
    roster_id = api.publish(data, roster.model_dump(mode="json"))
    shortfall = next(
        s for s in roster.shortfalls if (s.father, s.activity) == ("F-002", "escorted_visit")
    )
    for path in (f"/v1/rosters/{roster_id}/explain", "/v1/publications/PI-VH/2027-W05/explain"):
        answer = api.client.get(path, params=WHERE, headers=api.headers("viewer"))
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert (found["entitled"], found["granted"], found["reasons"]) == (
            shortfall.entitled,
            shortfall.granted,
            shortfall.reasons,
        )
        assert found["shortfall"] is True
        assert found["decisive"]["reason"] == "partner_cap"
        assert found["decisive"]["needed_hours"] == 2.0  # two escorts for the hour
        saturday = next(t for t in found["tried"] if t["session"] == "S-BZ-SAT")
        assert (saturday["fits"], saturday["reasons"]) == (False, ["partner_cap"])
        assert [(u["change"], u["session"]) for u in found["unblock"]] == [
            ("partner_cap_hours", "S-BZ-SAT")
        ]


def test_explain_of_an_escorted_visit_granted_has_no_shortfall(api: Api) -> None:
    """F-001's Wednesday seat has both its escorts: granted, nothing decisive, it fits there."""
    data = tiny_data()
    roster = first_come_first_served(parse_problem(data), seed=1)
    roster_id = api.publish(data, roster.model_dump(mode="json"))
    answer = api.client.get(
        f"/v1/rosters/{roster_id}/explain",
        params={"father": "F-001", "activity": "escorted_visit"},
        headers=api.headers("viewer"),
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["entitled"], found["granted"], found["shortfall"]) == (1, 1, False)
    assert found["decisive"] is None
    wednesday = next(t for t in found["tried"] if t["session"] == "S-BZ-WED")
    assert wednesday["fits"] is True
