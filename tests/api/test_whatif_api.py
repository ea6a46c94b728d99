"""``/v1/whatif``: 202 and poll, the table as JSON, the chart as PNG; 403, 404 and 422 reached."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.kit.service import Api, tiny_data

SWEEP = {
    "sweeps": [
        {
            "name": "cap",
            "parameter": "partner_cap_hours",
            "values": [0, 12],
            "changes": [{"op": "set_policy", "partner_cap_hours": "$value"}],
        }
    ]
}


def _upload(api: Api) -> None:
    answer = api.client.post("/v1/problems", json=tiny_data(), headers=api.headers("planner"))
    assert answer.status_code == 201, answer.text


def _wait(api: Api, job_id: str, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = api.client.get(
            f"/v1/whatif/{job_id}", headers=api.headers("viewer")
        ).json()
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.mark.slow
def test_whatif_job_gives_table_and_chart(api: Api) -> None:
    """A what-if job answers 202, runs to done, and gives the table and a PNG chart."""
    _upload(api)
    started = api.client.post(
        "/v1/whatif",
        json={
            "problem_id": "tiny-2027-W05",
            "scenarios": SWEEP,
            "time_limit": 1,
            "deterministic": True,
        },
        headers=api.headers("planner"),
    )
    assert started.status_code == 202, started.text
    assert started.json()["state"] in ("queued", "running")
    done = _wait(api, started.json()["id"])
    assert done["state"] == "done", done["error"]
    assert [row["scenario"] for row in done["table"]] == ["base", "cap=0", "cap=12"]
    assert [row["partner_cap_hours"] for row in done["table"]] == [6, 0, 12]
    assert done["progress"] == {"done": 3, "total": 3}
    assert done["charts"] == ["whatif-partner_cap_hours.png"]
    png = api.client.get(
        f"/v1/whatif/{done['id']}/charts/whatif-partner_cap_hours.png",
        headers=api.headers("viewer"),
    )
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    missing = api.client.get(
        f"/v1/whatif/{done['id']}/charts/nope.png", headers=api.headers("viewer")
    )
    assert missing.status_code == 404
    ended = api.client.delete(f"/v1/whatif/{done['id']}", headers=api.headers("planner"))
    assert ended.status_code == 409


def test_invalid_scenario_is_422_naming_the_change(api: Api) -> None:
    """A scenario with an unknown room is refused at once with 422, and no job is made."""
    _upload(api)
    bad = {"scenarios": [{"name": "gone", "changes": [{"op": "remove_room", "room": "VH-XX"}]}]}
    answer = api.client.post(
        "/v1/whatif",
        json={"problem_id": "tiny-2027-W05", "scenarios": bad},
        headers=api.headers("planner"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        "scenario 'gone': scenarios[0].changes[0].room: unknown room 'VH-XX'"
    ]


def test_whatif_needs_a_planner_in_scope_and_a_known_week(api: Api) -> None:
    """A viewer gets 403, a planner of another institution 403, an unknown week or job 404."""
    _upload(api)
    body = {"problem_id": "tiny-2027-W05"}
    assert (
        api.client.post("/v1/whatif", json=body, headers=api.headers("viewer")).status_code == 403
    )
    assert (
        api.client.post("/v1/whatif", json=body, headers=api.headers("leeuwarden")).status_code
        == 403
    )
    unknown = api.client.post(
        "/v1/whatif", json={"problem_id": "nope"}, headers=api.headers("planner")
    )
    assert unknown.status_code == 404
    assert api.client.get("/v1/whatif/nope", headers=api.headers("viewer")).status_code == 404
