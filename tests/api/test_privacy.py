"""Privacy of the service: an access log without father ids, security headers on every answer,
and failed key attempts limited per client address (429 with Retry-After)."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from api.attempts import FailedAttempts
from api.database import Database
from api.http_guard import ACCESS_LOGGER
from api.keys import create_key
from tests.kit.server import free_port, serving
from tests.kit.service import Api, baseline_roster, make_api, tiny_data

FATHER = "F-001"
WEEK = "2027-W05"


def _father_requests(api: Api, roster_id: str) -> None:
    planner = api.headers("planner")
    for url in (
        f"/v1/rosters/{roster_id}/explain?father={FATHER}&activity=video_call",
        f"/v1/publications/PI-VH/{WEEK}/explain?father={FATHER}&activity=video_call",
        f"/v1/rosters/{roster_id}/export?format=ics&kind=father&subject={FATHER}",
    ):
        assert api.client.get(url, headers=planner).status_code == 200, url


def test_the_access_log_names_route_templates_never_father_ids(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """Each request is one access-log line by route template; no father id, no query string."""
    roster_id = api.publish(tiny_data(), baseline_roster(tiny_data()))
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        _father_requests(api, roster_id)
        api.client.get(f"/v1/nowhere/{FATHER}")
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 4
    assert [line.split('"')[1] for line in lines] == [
        "GET /v1/rosters/{roster_id}/explain",
        "GET /v1/publications/{institution}/{week}/explain",
        "GET /v1/rosters/{roster_id}/export",
        "GET (no route)",
    ]
    assert [line.split('" ')[1].split()[0] for line in lines] == ["200", "200", "200", "404"]
    assert not any(FATHER in line or "?" in line or roster_id in line for line in lines)


def test_a_real_servers_log_holds_no_father_id(tmp_path: Path) -> None:
    """``gezinsrooster serve`` at log level info writes its access lines without father ids."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secret = create_key(session, "planner", ["PI-VH"], "log test")[1]
    database.dispose()
    log = tmp_path / "server.log"
    with serving(url, free_port(), log_level="info", stderr=log) as server:
        base = server.base
        headers = {"X-API-Key": secret}
        created = httpx.post(f"{base}/v1/problems", json=tiny_data(), headers=headers)
        assert created.status_code == 201
        explained = httpx.get(
            f"{base}/v1/publications/PI-VH/{WEEK}/explain?father={FATHER}&activity=video_call",
            headers=headers,
        )
        assert explained.status_code == 404
        assert httpx.get(f"{base}/weeks/tiny-2027-W05/fathers/{FATHER}").status_code == 303
    text = log.read_text(encoding="utf-8")
    assert '"GET /v1/publications/{institution}/{week}/explain" 404' in text
    assert '"GET /weeks/{problem_id}/fathers/{father_id}" 303' in text
    assert FATHER not in text and "father=" not in text


def test_every_api_answer_carries_the_security_headers(api: Api) -> None:
    """API answers: CSP with frame-ancestors 'none', nosniff, no-referrer and no-store."""
    roster_id = api.publish(tiny_data(), baseline_roster(tiny_data()))
    for answer in (
        api.client.get(f"/v1/rosters/{roster_id}", headers=api.headers("planner")),
        api.client.get(f"/v1/publications/PI-VH/{WEEK}", headers=api.headers("viewer")),
        api.client.get("/v1/problems"),
    ):
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"


def test_failed_key_attempts_are_limited_per_address(tmp_path: Path) -> None:
    """After 3 wrong keys in the window, every key of that address (a right one too) gets 429."""
    for api in make_api(f"sqlite:///{tmp_path / 'limit.db'}", key_failures=3):
        for _ in range(3):
            wrong = api.client.get("/v1/problems", headers={"X-API-Key": "gzr_guess"})
            assert wrong.status_code == 401
        # No key at all is not a key attempt: still 401, not counted.
        assert api.client.get("/v1/problems").status_code == 401
        for headers in ({"X-API-Key": "gzr_guess"}, api.headers("planner")):
            answer = api.client.get("/v1/problems", headers=headers)
            assert answer.status_code == 429
            assert 1 <= int(answer.headers["retry-after"]) <= 60
            assert answer.json()["errors"] == [answer.json()["detail"]]
            assert answer.json()["detail"].startswith("too many failed key attempts")


def test_failed_attempts_leave_the_window_and_count_per_address() -> None:
    """Failures count per address and expire with the window; Retry-After says when."""
    attempts = FailedAttempts(limit=2, window=60)
    attempts.failed("10.0.0.1", now=100)
    attempts.failed("10.0.0.1", now=110)
    assert attempts.retry_after("10.0.0.1", now=115) == 45
    assert attempts.retry_after("10.0.0.2", now=115) is None
    assert attempts.retry_after("10.0.0.1", now=160.5) is None
