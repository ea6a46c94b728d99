"""Benchmark: latency of ``POST /v1/allocations`` for a generated 400-father institution.

A real ``gezinsrooster serve`` runs on 127.0.0.1 with a fresh SQLite file (or
``--database-url``); the week is ``scheduler.generate.generate_problem`` with
its first-come-first-served roster published. Each round asks for one
occurrence of an individual activity for a random father within one day,
cancelling every other confirmed one so capacity stays in play. Prints p50,
p95 and p99 of the whole HTTP round trip, for placements (201) and
refusals (409) together and apart.

    .venv/bin/python bench/bench_allocations.py [--fathers 400] [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from api.database import Database
from api.keys import create_key
from api.problems import new_row
from api.tables import JobRow, utcnow
from bench.load import cpu_seconds
from scheduler.generate import generate_problem
from solver.baseline import first_come_first_served

DAYS = ["2027-02-01", "2027-02-02", "2027-02-03", "2027-02-04", "2027-02-05", "2027-02-06"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _seed(
    url: str, fathers: int, seed: int, free_share: float
) -> tuple[str, str, dict[str, list[str]], str]:
    problem = generate_problem(fathers, 1, seed=seed)
    began = time.monotonic()
    roster = first_come_first_served(problem)
    # The baseline fills the week; freeing a share of the individual slots leaves
    # room for placements as well as refusals.
    thinning = random.Random(seed)
    kept = [
        a for a in roster.assignments if a.session is not None or thinning.random() >= free_share
    ]
    roster = roster.model_copy(update={"assignments": kept})
    print(
        f"baseline roster: {len(roster.assignments)} assignments in "
        f"{time.monotonic() - began:.1f} s",
        file=sys.stderr,
    )
    database = Database(url)
    database.upgrade()
    institution = problem.institutions[0].id
    job_id = str(uuid.uuid4())
    with database.write() as session:
        secret = create_key(session, "planner", [institution], "bench")[1]
        session.add(new_row(problem, problem.model_dump(mode="json")))
        session.flush()
        session.add(
            JobRow(
                id=job_id,
                kind="roster",
                problem_id=problem.id,
                institutions=[institution],
                state="done",
                params={},
                progress={},
                result=roster.model_dump(mode="json"),
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )
    database.dispose()
    # Each activity is asked for by fathers whose shell has it, as a booking system would.
    askers = {
        a.id: [f.id for f in problem.fathers if f.shell in a.shells]
        for a in problem.activities
        if a.placement == "individual"
    }
    return secret, job_id, {k: v for k, v in askers.items() if v}, institution


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> int:
    """Run the benchmark and print its figures (JSON on stdout)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--free-share",
        type=float,
        default=0.5,
        help="share of the baseline's individual slots left free (default 0.5)",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-alloc-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    secret, roster_id, askers, institution = _seed(url, args.fathers, args.seed, args.free_share)
    activities = sorted(askers)
    port = _free_port()
    executable = Path(sys.executable).with_name("gezinsrooster")
    server = subprocess.Popen(
        [
            str(executable),
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
            "--log-level",
            "warning",
        ],
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"X-API-Key": secret}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            assert client.post(f"/v1/rosters/{roster_id}/publish").status_code == 200
            pick = random.Random(args.seed)
            cpu_before = cpu_seconds([server.pid])
            timings: dict[int, list[float]] = {}
            confirmed: list[str] = []
            for number in range(args.requests):
                day = pick.choice(DAYS)
                activity = pick.choice(activities)
                body = {
                    "institution": institution,
                    "week": "2027-W05",
                    "father": pick.choice(askers[activity]),
                    "activity": activity,
                    "earliest": f"{day}T08:00:00+01:00",
                    "latest": f"{day}T21:00:00+01:00",
                }
                began = time.perf_counter()
                answer = client.post("/v1/allocations", json=body)
                elapsed = (time.perf_counter() - began) * 1000
                timings.setdefault(answer.status_code, []).append(elapsed)
                if answer.status_code == 201:
                    confirmed.append(answer.json()["id"])
                    if number % 2:
                        client.delete(f"/v1/allocations/{confirmed.pop(0)}")
            service_cpu = cpu_seconds([server.pid]) - cpu_before
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    every = [t for values in timings.values() for t in values]
    figures = {
        "fathers": args.fathers,
        "requests": len(every),
        "free_share": args.free_share,
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(_percentile(every, 0.95), 1),
        "p99_ms": round(_percentile(every, 0.99), 1),
        # The service's CPU time (user and system) for each answer, its cancellations included.
        "service_cpu_ms_per_answer": round(service_cpu * 1000 / len(every), 2),
        "by_status": {
            str(code): {
                "count": len(values),
                "p50_ms": round(statistics.median(values), 1),
                "p95_ms": round(_percentile(values, 0.95), 1),
            }
            for code, values in sorted(timings.items())
        },
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
