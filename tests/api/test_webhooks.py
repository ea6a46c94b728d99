"""Webhooks: subscriptions by planner keys, signed deliveries retried with backoff, failed ones
shown, allocation notices, a planner's cancellation with its reason, versions compared, and
repairs that drop nothing published on their own. A real receiver listens on the loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.database import Database
from api.outbox import DeliveryWorker, backoff, notify, sign
from api.tables import OutboxEntry, WebhookSubscription, utcnow
from tests.kit.receiver import Receiver, receiving
from tests.kit.service import Api, baseline_roster, make_api, roomy_tiny_data, tiny_data

WEEK = "2027-W05"


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Api]:
    """Give the service with webhook retries 50 ms apart and at most 3 attempts."""
    yield from make_api(
        f"sqlite:///{tmp_path / 'service.db'}",
        solve_time_limit=2,
        webhook_poll_seconds=0.05,
        webhook_backoff_seconds=0.05,
        webhook_max_attempts=3,
        auto_publish_repairs=True,
    )


def _subscribe(api: Api, receiver: Receiver, **extra: Any) -> dict[str, Any]:
    body = {"institution": "PI-VH", "url": receiver.url, "secret": receiver.secret, **extra}
    answer = api.client.post("/v1/webhooks", json=body, headers=api.headers("planner"))
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _deliveries(api: Api, state: str) -> list[dict[str, Any]]:
    answer = api.client.get(
        "/v1/webhooks/deliveries", params={"state": state}, headers=api.headers("planner")
    )
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def _until(check: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("not reached in time")


def test_a_signature_is_the_hmac_sha256_of_the_body() -> None:
    """The signature of a known body under a known secret is its HMAC-SHA256 in hex."""
    assert sign("key", b"The quick brown fox jumps over the lazy dog") == (
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_the_backoff_doubles_and_is_capped() -> None:
    """After 1, 2, 3 failures the wait is 2, 4, 8 s; it never passes ten minutes."""
    assert [backoff(n, 2.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff(40, 2.0) == 600.0


def test_subscriptions_need_a_planner_key_a_url_and_a_secret(api: Api) -> None:
    """A system key gets 403; a bad URL, a short secret and an unknown type get 422 naming them."""
    body = {"institution": "PI-VH", "url": "http://127.0.0.1:9/x", "secret": "s" * 16}
    assert (
        api.client.post("/v1/webhooks", json=body, headers=api.headers("system")).status_code == 403
    )
    bad = api.client.post(
        "/v1/webhooks",
        json={**body, "url": "ftp://x", "secret": "short", "events": ["roster.burnt"]},
        headers=api.headers("planner"),
    )
    assert bad.status_code == 422
    fields = [line.split(":")[0] for line in bad.json()["errors"]]
    assert fields == ["body.url", "body.secret", "body.events"]
    gone = api.client.delete("/v1/webhooks/nope", headers=api.headers("planner"))
    assert gone.status_code == 404


def test_a_refusing_receiver_is_retried_until_it_takes_the_notice(quick: Api) -> None:
    """Two 503s, then 204: the notice arrives once, on the third attempt, with its delivery id."""
    data = roomy_tiny_data()
    with receiving(refuse=2) as receiver:
        _subscribe(quick, receiver)
        quick.publish(data, baseline_roster(data))
        got = receiver.wait_for(1)
        assert [d.notice for d in got.values()] == ["roster.published"]
        delivered = _until(lambda: _deliveries(quick, "delivered"))
        assert delivered[0]["attempts"] == 3 and delivered[0]["id"] in got
        assert next(iter(got.values())).signed


def test_after_the_limit_a_delivery_is_failed_for_the_planner_and_can_be_retried(
    quick: Api,
) -> None:
    """A receiver refusing three times leaves the delivery failed; a retry then delivers it."""
    data = roomy_tiny_data()
    with receiving(refuse=3) as receiver:
        _subscribe(quick, receiver)
        quick.publish(data, baseline_roster(data))
        failed = _until(lambda: _deliveries(quick, "failed"))
        assert failed[0]["attempts"] == 3
        assert failed[0]["last_error"] == "the receiver answered 503"
        assert receiver.unique() == {}
        again = quick.client.post(
            f"/v1/webhooks/deliveries/{failed[0]['id']}/retry", headers=quick.headers("planner")
        )
        assert again.status_code == 200 and again.json()["state"] == "pending"
        got = receiver.wait_for(1)
        assert list(got) == [failed[0]["id"]]


def test_allocations_tell_their_system_and_a_planner_must_say_why_he_cancels(api: Api) -> None:
    """Confirmed and cancelled allocations are notices; a planner's cancel without a reason: 422."""
    data = roomy_tiny_data()
    with receiving() as receiver:
        _subscribe(api, receiver, events=["allocation.confirmed", "allocation.cancelled"])
        roster = baseline_roster(data)
        roster["assignments"] = [
            a for a in roster["assignments"] if a["id"] != "F-001-family_room_visit-sat1000"
        ]
        api.publish(data, roster)
        made = api.client.post(
            "/v1/allocations",
            json={
                "institution": "PI-VH",
                "week": WEEK,
                "father": "F-001",
                "activity": "family_room_visit",
                "earliest": "2027-02-06T10:00:00+01:00",
                "latest": "2027-02-06T13:00:00+01:00",
            },
            headers=api.headers("system"),
        )
        assert made.status_code == 201, made.text
        path = f"/v1/allocations/{made.json()['id']}"
        bare = api.client.delete(path, headers=api.headers("planner"))
        assert bare.status_code == 422
        assert bare.json()["errors"] == [
            f"reason: a planner cancelling allocation '{made.json()['id']}' must say why"
        ]
        done = api.client.delete(
            path, params={"reason": "family room closed"}, headers=api.headers("planner")
        )
        assert done.status_code == 200 and done.json()["state"] == "cancelled"
        twice = api.client.delete(path, headers=api.headers("planner"))
        assert twice.status_code == 200
        got = receiver.wait_for(2)
        kinds = sorted(d.notice for d in got.values())
        assert kinds == ["allocation.cancelled", "allocation.confirmed"]
        cancelled = receiver.of("allocation.cancelled")[0].body["data"]
        assert cancelled["reason"] == "family room closed"
        assert cancelled["allocation"]["id"] == made.json()["id"]
        assert cancelled["cancelled_by"] == "planner"


def test_two_versions_compare_and_a_repair_dropping_nothing_publishes_itself(quick: Api) -> None:
    """A time-out ended frees capacity: the repair drops nothing, so it is published as v2."""
    data = roomy_tiny_data()
    with receiving() as receiver:
        _subscribe(quick, receiver, events=["roster.published"])
        quick.publish(data, baseline_roster(data))
        ended = quick.client.post(
            "/v1/events",
            json={"type": "time_out_ended", "at": "2027-02-03T08:00:00+01:00", "father": "F-002"},
            headers=quick.headers("planner"),
        )
        assert ended.status_code == 201, ended.text
        started = quick.client.post(
            "/v1/repairs",
            json={"institution": "PI-VH", "week": WEEK, "time_limit": 3, "deterministic": True},
            headers=quick.headers("planner"),
        )
        assert started.status_code == 202, started.text

        def published() -> Any:
            answer = quick.client.get(
                f"/v1/publications/PI-VH/{WEEK}", headers=quick.headers("planner")
            ).json()
            return answer if answer["version"] == 2 else None

        current = _until(published, 60)
        assert current["roster"] == started.json()["id"]
        repair = quick.client.get(
            f"/v1/repairs/{started.json()['id']}", headers=quick.headers("planner")
        ).json()
        assert repair["from_version"] == 1
        compared = quick.client.get(
            f"/v1/publications/PI-VH/{WEEK}/compare",
            params={"from": 1, "to": 2},
            headers=quick.headers("planner"),
        )
        assert compared.status_code == 200, compared.text
        body = compared.json()
        assert body["dropped"] == [] and body["summary"]["kept"] >= 1
        missing = quick.client.get(
            f"/v1/publications/PI-VH/{WEEK}/compare",
            params={"from": 1, "to": 9},
            headers=quick.headers("planner"),
        )
        assert missing.status_code == 404
        assert missing.json()["detail"] == f"PI-VH {WEEK} has no version 1 or no version 9"
        got = receiver.wait_for(2)
        versions = sorted(d.body["data"]["version"] for d in got.values())
        assert versions == [1, 2]


def test_a_repair_that_moves_an_appointment_tells_it_as_moved(api: Api) -> None:
    """The family room closed on Tuesday: the repair moves F-001's visit to Saturday, told once.

    F-002's plan has no family room visit, so the freed Saturday slot is F-001's alone.
    """
    data = tiny_data()
    data["fathers"][1]["plan"] = {"family_room_visit": 0}
    with receiving() as receiver:
        _subscribe(api, receiver, events=["assignment.moved", "assignment.cancelled"])
        api.publish(data, baseline_roster(data))
        closed = api.client.post(
            "/v1/events",
            json={
                "type": "room_closure",
                "at": "2027-02-02T14:00:00+01:00",
                "room": "VH-FK",
                "end": "2027-02-02T18:00:00+01:00",
            },
            headers=api.headers("planner"),
        )
        assert closed.status_code == 201, closed.text
        started = api.client.post(
            "/v1/repairs",
            json={"institution": "PI-VH", "week": WEEK, "time_limit": 3, "deterministic": True},
            headers=api.headers("planner"),
        )
        repair_id = started.json()["id"]

        def finished() -> Any:
            found = api.client.get(f"/v1/repairs/{repair_id}", headers=api.headers("planner"))
            body = found.json()
            return body if body["state"] not in ("queued", "running") else None

        repair = _until(finished, 60)
        moved = repair["difference"]["moved"]
        assert [(m["from"]["assignment"], m["to"]["room"]) for m in moved] == [
            ("F-001-family_room_visit-tue1500", "VH-FK")
        ]
        assert repair["difference"]["dropped"] == []
        published = api.client.post(
            f"/v1/rosters/{repair_id}/publish", headers=api.headers("planner")
        )
        assert published.status_code == 200, published.text
        got = receiver.wait_for(1)
        assert [d.notice for d in got.values()] == ["assignment.moved"]
        notice = next(iter(got.values())).body["data"]
        assert (notice["father"], notice["version"]) == ("F-001", 2)
        assert notice["from"]["start"] == "2027-02-02T15:00:00+01:00"
        assert notice["to"]["start"].startswith("2027-02-06T")


def test_a_re_upload_that_breaks_published_assignments_tells_them_flagged(api: Api) -> None:
    """A re-uploaded week closing the Saturday family room flags F-001's visit, told once."""
    data = roomy_tiny_data()
    with receiving() as receiver:
        _subscribe(api, receiver, events=["assignment.flagged"])
        api.publish(data, baseline_roster(data))
        changed = roomy_tiny_data()
        changed["rooms"][1]["closed"] = [
            {"start": "2027-02-06T09:00:00+01:00", "end": "2027-02-06T13:00:00+01:00"}
        ]
        answer = api.client.put(
            f"/v1/problems/{data['id']}", json=changed, headers=api.headers("planner")
        )
        assert answer.status_code == 200 and answer.json()["flagged"] == 1
        got = receiver.wait_for(1)
        assert [d.body["data"]["assignment"]["id"] for d in got.values()] == [
            "F-001-family_room_visit-sat1000"
        ]
        assert next(iter(got.values())).body["data"]["rules"] == ["room_closed"]
        again = api.client.put(
            f"/v1/problems/{data['id']}", json=changed, headers=api.headers("planner")
        )
        assert again.status_code == 200
        time.sleep(0.5)
        assert len(receiver.unique()) == 1  # still flagged, not flagged anew


def test_two_delivery_workers_on_one_database_post_each_notice_once(tmp_path: Path) -> None:
    """Two service processes' workers share the outbox: every notice is posted exactly once."""
    database = Database(f"sqlite:///{tmp_path / 'outbox.db'}")
    database.upgrade()
    notices = 40
    with receiving() as receiver:
        with database.write() as session:
            session.add(
                WebhookSubscription(
                    id="sub-1",
                    institution="PI-VH",
                    url=receiver.url,
                    secret=receiver.secret,
                    events=[],
                    created_at=utcnow(),
                )
            )
            session.flush()
            for number in range(notices):
                notify(session, ["PI-VH"], "allocation.confirmed", {"number": number})
        workers = [DeliveryWorker(database) for _ in range(2)]
        start = threading.Barrier(len(workers))

        def drain(worker: DeliveryWorker) -> None:
            with httpx.Client(timeout=5) as client:
                start.wait()
                while worker.deliver_due(client, limit=5):
                    pass

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        got = [d.delivery_id for d in receiver.got]
    assert len(got) == notices and len(set(got)) == notices
    with database.read() as session:
        states = session.scalars(select(OutboxEntry.state)).all()
    assert states == ["delivered"] * notices
    database.dispose()
