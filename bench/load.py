"""Benchmark: allocations at booking-day load against a real ``gezinsrooster serve --workers N``.

A bounded asyncio client (``aiohttp`` behind a semaphore, loopback only, in
this process: its CPU share is reported, since it runs on the same cores as
the service) sends ``POST /v1/allocations`` at a fixed rate for a fixed time, spread
over the institutions and weeks of a region: each week is
``scheduler.generate.generate_problem`` (a region of ``--institutions``
prisons) with its first-come-first-served roster published, thinned so that
placements and refusals both happen. Half of the placements are cancelled
again later, so capacity stays in play. Latency is counted from the moment a
request was due, not from when the client got round to it, so a service that
falls behind shows it; one that could not even be sent within 5 s of being due
counts as missed. Afterwards every published week is read back from the
database and checked by the independent validator: ``violations`` must be 0.

``--race N`` instead sends N requests at once for the one free slot of a
week, and counts the answers (exactly one 201 is right).

    .venv/bin/python -m bench.load [--rate 500] [--seconds 60] [--workers 2]
        [--fathers 400] [--institutions 3] [--weeks 2] [--database-url URL]
    .venv/bin/python -m bench.load --race 1000 [--workers 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import httpx

from api.database import Database
from api.keys import create_key
from api.problems import new_row
from api.published import load_week, new_parsed
from api.tables import JobRow, utcnow
from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.validate import check_assignments
from scheduler.week import parse_week
from solver.baseline import first_come_first_served
from tests.kit.server import PROC, descendants, free_port, serving
from tests.kit.service import empty_roster, one_slot_data

WEEKS = ["2027-W05", "2027-W06", "2027-W07", "2027-W08"]
# A request the client could not even start this long after it was due is counted as
# missed instead of sent, so a service that falls far behind ends the run in time.
GIVE_UP_SECONDS = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Asker:
    """Who may ask for what in one published week: (institution, father, activity) choices."""

    week: str
    days: list[str]
    choices: list[tuple[str, str, str]]


@dataclass
class Tally:
    """What the client saw: latencies by status (from due time and from sending), cancels."""

    due: dict[int, list[float]] = field(default_factory=dict)
    sent: list[float] = field(default_factory=list)
    cancels: Counter[int] = field(default_factory=Counter)
    confirmed: list[str] = field(default_factory=list)
    missed: int = 0
    failed: int = 0


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _store(database: Database, problem: Problem, roster: dict[str, Any]) -> str:
    job_id = str(uuid.uuid4())
    with database.write() as session:
        session.add(new_row(problem, problem.model_dump(mode="json")))
        session.flush()
        session.add(
            JobRow(
                id=job_id,
                kind="roster",
                problem_id=problem.id,
                institutions=sorted(i.id for i in problem.institutions),
                state="done",
                params={},
                progress={},
                result=roster,
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )
    return job_id


def _seed_region(
    database: Database, args: argparse.Namespace
) -> tuple[list[str], list[Asker], list[Problem]]:
    """Give the roster ids to publish, who asks for what, and the weeks of the region."""
    rosters, askers, problems = [], [], []
    for number, week in enumerate(WEEKS[: args.weeks]):
        problem = generate_problem(
            args.fathers, args.institutions, seed=args.seed + number, week=week, region="noord"
        )
        roster = first_come_first_served(problem)
        thinning = random.Random(args.seed + number)
        kept = [
            a
            for a in roster.assignments
            if a.session is not None or thinning.random() >= args.free_share
        ]
        roster = roster.model_copy(update={"assignments": kept})
        rosters.append(_store(database, problem, roster.model_dump(mode="json")))
        monday = parse_week(week)
        days = [(monday + timedelta(days=d)).isoformat() for d in range(6)]
        choices = [
            (f.institution, f.id, a.id)
            for a in problem.activities
            if a.placement == "individual"
            for f in problem.fathers
            if f.shell in a.shells
        ]
        askers.append(Asker(week, days, choices))
        problems.append(problem)
    return rosters, askers, problems


async def _ask(
    client: aiohttp.ClientSession,
    gate: asyncio.Semaphore,
    body: dict[str, Any],
    due: float,
    tally: Tally,
    cancel_share: float,
    pick: random.Random,
) -> None:
    async with gate:
        began = time.perf_counter()
        if began - due > GIVE_UP_SECONDS:
            tally.missed += 1
            return
        try:
            async with client.post("/v1/allocations", json=body) as answer:
                status = answer.status
                found = await answer.json() if status == 201 else None
        except aiohttp.ClientError:
            tally.failed += 1
            return
        ended = time.perf_counter()
        tally.sent.append((ended - began) * 1000)
        tally.due.setdefault(status, []).append((ended - due) * 1000)
        if found is not None:
            tally.confirmed.append(found["id"])
            if pick.random() < cancel_share and len(tally.confirmed) > 1:
                old = tally.confirmed.pop(0)
                try:
                    async with client.delete(f"/v1/allocations/{old}") as gone:
                        tally.cancels[gone.status] += 1
                except aiohttp.ClientError:
                    tally.failed += 1


def _session(base: str, secret: str, connections: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    headers = {"X-API-Key": secret}
    return aiohttp.ClientSession(base, headers=headers, connector=connector, timeout=timeout)


async def _drive(
    base: str, secret: str, askers: list[Asker], args: argparse.Namespace
) -> tuple[Tally, float]:
    """Send requests at ``args.rate`` a second for ``args.seconds`` s, at most ``concurrency``."""
    pick = random.Random(args.seed)
    tally = Tally()
    gate = asyncio.Semaphore(args.concurrency)
    async with _session(base, secret, args.concurrency) as client:
        tasks = []
        start = time.perf_counter()
        for number in range(int(args.rate * args.seconds)):
            due = start + number / args.rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            asker = pick.choice(askers)
            institution, father, activity = pick.choice(asker.choices)
            day = pick.choice(asker.days)
            body = {
                "institution": institution,
                "week": asker.week,
                "father": father,
                "activity": activity,
                "earliest": f"{day}T08:00:00+01:00",
                "latest": f"{day}T21:00:00+01:00",
            }
            tasks.append(
                asyncio.create_task(_ask(client, gate, body, due, tally, args.cancel_share, pick))
            )
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    return tally, elapsed


def cpu_seconds(pids: list[int]) -> float:
    """Give the CPU time (user and system) the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def _own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _violations(url: str, problems: list[Problem]) -> dict[str, int]:
    """Give the validator's count of broken rules in every published week, as stored."""
    database = Database(url)
    found: dict[str, int] = {}
    try:
        with database.read() as session:
            for problem in problems:
                for institution in problem.institutions:
                    week = load_week(session, new_parsed(), institution.id, problem.week, utcnow())
                    assert week is not None, f"nothing published for {institution.id}"
                    broken = check_assignments(week.problem, week.taken())
                    found[f"{institution.id} {problem.week}"] = len(broken)
    finally:
        database.dispose()
    return found


def _summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    every = [t for values in tally.due.values() for t in values]
    if not every:
        return {"requests": 0, "missed_not_sent": tally.missed, "transport_errors": tally.failed}
    return {
        "requests": len(every),
        "achieved_per_second": round(len(every) / elapsed, 1),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(_percentile(every, 0.95), 1),
        "p99_ms": round(_percentile(every, 0.99), 1),
        "service_p95_ms": round(_percentile(tally.sent, 0.95), 1),
        "by_status": {
            str(code): {
                "count": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(_percentile(values, 0.95), 1),
            }
            for code, values in sorted(tally.due.items())
        },
        "cancels": dict(tally.cancels),
        "missed_not_sent": tally.missed,
        "transport_errors": tally.failed,
    }


def _load(url: str, args: argparse.Namespace) -> dict[str, Any]:
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secret = create_key(session, "system", ["*"], "bench")[1]
        planner = create_key(session, "planner", ["*"], "bench-planner")[1]
    began = time.monotonic()
    rosters, askers, problems = _seed_region(database, args)
    print(f"seeded in {time.monotonic() - began:.1f} s", file=sys.stderr)
    database.dispose()
    with serving(url, free_port(), workers=args.workers) as server:
        for roster_id in rosters:
            answer = httpx.post(
                f"{server.base}/v1/rosters/{roster_id}/publish",
                headers={"X-API-Key": planner},
                timeout=120,
            )
            assert answer.status_code == 200, answer.text
        service = [server.process.pid, *descendants(server.process.pid)]
        service_before, client_before = cpu_seconds(service), _own_cpu_seconds()
        tally, elapsed = asyncio.run(_drive(server.base, secret, askers, args))
        service_cpu = cpu_seconds(service) - service_before
        client_cpu = _own_cpu_seconds() - client_before
    figures = _summary(tally, elapsed)
    # Shares of the machine's cores while the requests ran (1.0 is every core busy).
    cores = (os.cpu_count() or 1) * elapsed
    figures["cpu_share"] = {
        "client": round(client_cpu / cores, 2),
        "service": round(service_cpu / cores, 2),
    }
    answered = figures.get("requests", 0)
    figures["service_cpu_ms_per_answer"] = (
        round(service_cpu * 1000 / answered, 2) if answered else None
    )
    figures["violations"] = _violations(url, problems)
    return figures


async def _race_all(base: str, secret: str, racers: int) -> tuple[Counter[int], float]:
    async with _session(base, secret, racers) as client:

        async def one(number: int) -> int:
            body = {
                "institution": "PI-VH",
                "week": "2027-W05",
                "father": f"F-{number:03d}",
                "activity": "family_room_visit",
                "earliest": "2027-02-06T08:00:00+01:00",
                "latest": "2027-02-06T21:00:00+01:00",
            }
            async with client.post("/v1/allocations", json=body) as answer:
                return answer.status

        began = time.perf_counter()
        codes = await asyncio.gather(*(one(n) for n in range(1, racers + 1)))
        return Counter(codes), time.perf_counter() - began


def _race(url: str, args: argparse.Namespace) -> dict[str, Any]:
    data = one_slot_data(args.race)
    database = Database(url)
    database.upgrade()
    with database.write() as session:
        secret = create_key(session, "system", ["*"], "bench")[1]
        planner = create_key(session, "planner", ["*"], "bench-planner")[1]
    problem = Problem.model_validate(data)
    roster_id = _store(database, problem, empty_roster(data))
    database.dispose()
    with serving(url, free_port(), workers=args.workers) as server:
        answer = httpx.post(
            f"{server.base}/v1/rosters/{roster_id}/publish", headers={"X-API-Key": planner}
        )
        assert answer.status_code == 200, answer.text
        codes, elapsed = asyncio.run(_race_all(server.base, secret, args.race))
    return {
        "racers": args.race,
        "answers": {str(k): v for k, v in sorted(codes.items())},
        "race_seconds": round(elapsed, 2),
        "violations": _violations(url, [problem]),
    }


def main() -> int:
    """Run the benchmark and print its figures (JSON on stdout)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500.0, help="requests a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight at most")
    parser.add_argument("--workers", type=int, default=2, help="service processes")
    parser.add_argument("--fathers", type=int, default=400, help="fathers of each region week")
    parser.add_argument("--institutions", type=int, default=3)
    parser.add_argument("--weeks", type=int, default=2, choices=range(1, len(WEEKS) + 1))
    parser.add_argument("--free-share", type=float, default=0.5)
    parser.add_argument("--cancel-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--race", type=int, default=0, help="racers for the last slot instead")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-load-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    figures = _race(url, args) if args.race else _load(url, args)
    figures = {
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "workers": args.workers,
        "rate": args.rate,
        "seconds": args.seconds,
        "load_before_after": os.getloadavg(),
        "cpus": os.cpu_count(),
        **figures,
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
