"""Storage on a real database, SQLite and PostgreSQL alike: migrations, transactions, locks."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from api.allocations import AllocationRequest, allocate
from api.database import Database
from api.keys import create_key, find_principal, revoke_key
from api.retention import purge
from api.tables import (
    Allocation,
    ApiKey,
    AuditEntry,
    Claim,
    JobRow,
    ProblemRow,
    Publication,
    PublicationVersion,
    utcnow,
)
from tests.kit.service import Api, empty_roster, one_slot_data

TABLES = {
    "alembic_version",
    "api_keys",
    "audit",
    "problems",
    "jobs",
    "publications",
    "publication_versions",
    "allocations",
    "week_versions",
    "claims",
    "idempotent_answers",
    "events",
    "webhook_subscriptions",
    "outbox",
    "outcomes",
}


def _request(father: str) -> AllocationRequest:
    return AllocationRequest(
        institution="PI-VH",
        week="2027-W05",
        father=father,
        activity="family_room_visit",
        earliest="2027-02-06T10:00:00+01:00",  # type: ignore[arg-type]
        latest="2027-02-06T12:00:00+01:00",  # type: ignore[arg-type]
    )


def test_migrations_create_every_table_once(database_url: str) -> None:
    """``upgrade`` creates all tables; running it again changes nothing."""
    database = Database(database_url)
    database.upgrade()
    database.upgrade()
    assert set(inspect(database.engine).get_table_names()) == TABLES
    database.dispose()


def test_a_failed_write_leaves_nothing_half_written(any_api: Api) -> None:
    """An error inside a write transaction rolls back every row it added."""
    database = any_api.services.database
    with pytest.raises(RuntimeError), database.write() as session:
        create_key(session, "viewer", ["PI-VH"], "half")
        session.flush()
        raise RuntimeError("fails after the first insert")
    with database.read() as session:
        assert session.scalars(select(ApiKey).where(ApiKey.name == "half")).all() == []


def test_keys_are_stored_as_digests_and_revocation_holds(any_api: Api) -> None:
    """Only the digest is stored; a revoked key no longer finds its holder."""
    database = any_api.services.database
    with database.write() as session:
        row, secret = create_key(session, "system", ["PI-VH"], "booking")
    with database.read() as session:
        stored = session.get(ApiKey, row.id)
        assert stored is not None and secret not in (stored.digest, stored.prefix, stored.name)
        assert find_principal(session, secret) is not None
    with database.write() as session:
        revoke_key(session, row.id)
    with database.read() as session:
        assert find_principal(session, secret) is None


def test_claims_refuse_a_second_live_claim_of_the_same_cell(any_api: Api) -> None:
    """The unique constraint on claims makes a double booking impossible in the database."""
    data = one_slot_data(2)
    any_api.publish(data, empty_roster(data))
    database = any_api.services.database
    with database.write() as session:
        outcome = allocate(
            session, any_api.services.parsed, _principal(any_api), _request("F-001"), None, 5
        )
    assert outcome.status == 201
    with database.read() as session:
        claim = session.scalars(select(Claim).where(Claim.resource.like("room:%"))).first()
        assert claim is not None
        allocation_id, resource, cell = claim.allocation_id, claim.resource, claim.cell
    with pytest.raises(IntegrityError), database.write() as session:
        session.add(
            Claim(allocation_id=allocation_id, problem_id=data["id"], resource=resource, cell=cell)
        )


def _principal(api: Api):  # type: ignore[no-untyped-def]
    with api.services.database.read() as session:
        found = find_principal(session, api.keys["system"])
    assert found is not None
    return found


def test_parallel_requests_for_the_last_slot_give_it_to_exactly_one(any_api: Api) -> None:
    """Twelve threads asking at once for the one free family room slot: one wins, eleven get 409."""
    data = one_slot_data(12)
    any_api.publish(data, empty_roster(data))
    services = any_api.services
    caller = _principal(any_api)
    statuses: list[int] = []
    start = threading.Barrier(12)

    def ask(father: str) -> None:
        start.wait()
        with services.database.write() as session:
            outcome = allocate(session, services.parsed, caller, _request(father), None, 5)
            if outcome.status != 201:
                session.rollback()
        statuses.append(outcome.status)

    threads = [threading.Thread(target=ask, args=(f"F-{n:03d}",)) for n in range(1, 13)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201] + [409] * 11
    with services.database.read() as session:
        assert len(session.scalars(select(Allocation)).all()) == 1


def test_purge_deletes_old_weeks_with_their_rosters_and_allocations(any_api: Api) -> None:
    """Weeks past the retention period go with rosters, publications and allocations; newer stay."""
    data = one_slot_data(2)
    any_api.publish(data, empty_roster(data))
    services = any_api.services
    with services.database.write() as session:
        allocate(session, services.parsed, _principal(any_api), _request("F-001"), None, 5)
    now = utcnow()
    with services.database.write() as session:
        found = purge(session, days=3650, now=now)
    assert found.weeks == 0
    with services.database.write() as session:
        found = purge(session, days=0, now=now + timedelta(days=800))
    assert (found.weeks, found.rosters, found.publications, found.allocations) == (1, 1, 1, 1)
    with services.database.read() as session:
        for model in (ProblemRow, JobRow, Publication, PublicationVersion, Allocation, Claim):
            assert session.scalars(select(model)).all() == []
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "purge")).all()


def test_jobs_left_running_show_as_interrupted_after_a_restart(any_api: Api) -> None:
    """``recover`` marks queued and running jobs of an earlier process as interrupted."""
    data = one_slot_data(2)
    roster_id = any_api.publish(data, empty_roster(data))
    services = any_api.services
    with services.database.write() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None
        row.state = "running"
    assert services.runner.recover() == 1
    with services.database.read() as session:
        row = session.get(JobRow, roster_id)
        assert row is not None and row.state == "interrupted" and row.error
