"""The real server: ``gezinsrooster serve`` on a free port, over HTTP, stopped and restarted."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.kit.server import free_port, seed, serving
from tests.kit.service import empty_roster, one_slot_data

RACERS = 16


def _prepare(url: str) -> tuple[str, str]:
    """Give a planner key and the id of a one-slot week's roster stored in the database."""
    data = one_slot_data(RACERS)
    secrets, roster_id = seed(url, data, empty_roster(data), {"planner": ("planner", ["PI-VH"])})
    return secrets["planner"], roster_id


def _race(base: str, secret: str) -> list[httpx.Response]:
    """Give the answers of many threads asking at once for the one free slot."""
    answers: list[httpx.Response] = []
    gate = threading.Barrier(RACERS)

    def ask(number: int) -> None:
        body = {
            "institution": "PI-VH",
            "week": "2027-W05",
            "father": f"F-{number:03d}",
            "activity": "family_room_visit",
            "earliest": "2027-02-06T10:00:00+01:00",
            "latest": "2027-02-06T12:00:00+01:00",
        }
        gate.wait()
        answer = httpx.post(
            f"{base}/v1/allocations", json=body, headers={"X-API-Key": secret}, timeout=60
        )
        answers.append(answer)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(1, RACERS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    return answers


@pytest.mark.slow
def test_real_server_race_and_restart_keep_every_acknowledged_write(database_url: str) -> None:
    """Parallel HTTP requests for the last slot give one 201; after a restart all is still there."""
    secret, roster_id = _prepare(database_url)
    headers = {"X-API-Key": secret}
    port = free_port()
    with serving(database_url, port) as server:
        base = server.base
        assert (
            httpx.post(f"{base}/v1/rosters/{roster_id}/publish", headers=headers).status_code == 200
        )
        answers = _race(base, secret)
        assert sorted(a.status_code for a in answers) == [201] + [409] * (RACERS - 1)
        winner = next(a.json() for a in answers if a.status_code == 201)
        refused = next(a.json() for a in answers if a.status_code == 409)
        assert "capacity:family_room" in refused["reasons"]
        assert httpx.get(f"{base}/v1/problems", headers={}).status_code == 401
    with serving(database_url, port) as server:
        base = server.base
        again = httpx.get(f"{base}/v1/allocations/{winner['id']}", headers=headers)
        assert again.status_code == 200 and again.json()["state"] == "confirmed"
        assert again.json()["assignment"] == winner["assignment"]
        published = httpx.get(f"{base}/v1/publications/PI-VH/2027-W05", headers=headers).json()
        assert published["version"] == 1 and winner["assignment"] in published["assignments"]
        listed = httpx.get(f"{base}/v1/problems", headers=headers).json()
        assert [p["id"] for p in listed] == ["one-slot-2027-W05"]


def test_keys_list_refuses_a_database_it_cannot_reach_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A database URL that cannot be reached ends the command with exit code 2 and a message."""
    from api.cli import main

    assert main(["keys", "list", "--database-url", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    assert capsys.readouterr().err.startswith("error: database-url:")
