"""The authorisation matrix: every route and page, for every kind of caller, leaks nothing.

Each route of the app (the OpenAPI document's and the planner's pages) has a
row below; the test enumerates the app's routes itself, so a route added
later without a row fails it. Every row is asked by no key, a bad key, a
revoked key, and the viewer, system and planner keys of institution A
(PI-VH) and of institution B (PI-LW), on two worlds: single-institution
weeks (tiny.json, and tiny.json moved to PI-LW) and the region week
(region-noord.json, both institutions in one published roster). Each world
also holds what the living week's rows ask about: a webhook subscription of
each institution (with the deliveries of the publication's notices), an
event of each institution's father, a second published version of each
publication, and a repair job of each. Each answer
must have the expected status, and no answer to a key of one institution may
hold a father, child, session or assignment id of the other.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import routing
from fastapi.routing import APIRoute
from sqlalchemy import select

from api.keys import ROLE_ACTIONS, create_key, revoke_key
from api.published import institution_of, load_week
from api.rosters import ROSTER_JOB
from api.tables import JobRow, OutboxEntry, PublicationVersion, utcnow
from api.web.session import COOKIE, SIGNIN_COOKIE, store_of
from scheduler.domain import Assignment, parse_problem
from scheduler.validate import check_assignments
from tests.kit.service import Api, baseline_roster, make_api, seed_roster
from tests.kit.web import form_token

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PG_URL = os.environ.get(
    "GEZINSROOSTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
A, B = "PI-VH", "PI-LW"
WEEK = "2027-W05"
ROLES = ("viewer", "system", "planner")
# One transparent pixel: a what-if chart to fetch.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


@dataclass(frozen=True)
class Caller:
    """One column of the matrix: a key (or none) and, for a real key, its role and institution."""

    name: str
    secret: str | None
    role: str | None = None
    institution: str | None = None

    @property
    def valid(self) -> bool:
        """Tell whether the key is known and unrevoked."""
        return self.role is not None


@dataclass
class Target:
    """What one institution's rows ask about in a world: its week, roster, allocation, fathers."""

    institution: str
    week_institutions: list[str]
    problem_id: str
    roster_id: str
    whatif_id: str
    allocation_id: str
    father: str
    stranger: str
    week_data: dict[str, Any]
    repair_id: str = ""
    horizon_id: str = ""
    subscription_id: str = ""
    delivery_id: str = ""


@dataclass
class World:
    """A running service with its weeks published, the matrix's callers and their sessions."""

    name: str
    api: Api
    callers: list[Caller]
    targets: list[Target]
    hidden: dict[str, re.Pattern[str]]
    sessions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One route: how to ask it of a target, the action and scope it needs, what it answers."""

    method: str
    path: str
    action: str | None
    scope: str
    success: int
    ask: Callable[[Target], dict[str, Any]] = lambda target: {}
    page: bool = False
    anonymous: int = 401
    expect: Callable[[Caller, Target], int | None] | None = None
    fill: Callable[[Target], dict[str, str]] = lambda target: {}


def _path(template: str, target: Target, extra: dict[str, str]) -> str:
    values = {
        "problem_id": target.problem_id,
        "roster_id": target.roster_id,
        "job_id": target.whatif_id,
        "allocation_id": target.allocation_id,
        "institution": target.institution,
        "week": WEEK,
        "father_id": target.father,
        "repair_id": target.repair_id,
        "horizon_id": target.horizon_id,
        "subscription_id": target.subscription_id,
        "delivery_id": target.delivery_id,
        "name": "gap",
        "language": "en",
        **extra,
    }
    return template.format(**values)


def _nothing_fits(target: Target) -> dict[str, Any]:
    """Give an allocation request of the target's father in a quarter where no room is open."""
    return {
        "json": {
            "institution": target.institution,
            "week": WEEK,
            "father": target.father,
            "activity": "video_call",
            "earliest": "2027-02-01T03:00:00+01:00",
            "latest": "2027-02-01T03:30:00+01:00",
        }
    }


def _query(**params: Any) -> Callable[[Target], dict[str, Any]]:
    """Give the query of a row: each value as given, or read from the target."""
    return lambda t: {"params": {k: v(t) if callable(v) else v for k, v in params.items()}}


def _own(target: Target) -> str:
    return target.father


def _at(target: Target) -> str:
    return target.institution


EXPLAIN = {"father": _own, "activity": "regular_visit"}
STRANGER = {"father": lambda t: t.stranger, "activity": "regular_visit"}


def _unavailable(father: str, start: str = "03:00", end: str = "03:30") -> dict[str, Any]:
    """Give an event of a father away at night on Monday (it breaks nothing published)."""
    return {
        "type": "father_unavailable",
        "at": f"2027-02-01T{start}:00+01:00",
        "end": f"2027-02-01T{end}:00+01:00",
        "father": father,
        "kind": "court",
    }


def _event(target: Target) -> dict[str, Any]:
    return {"json": _unavailable(target.father, "04:00", "04:15")}


def _foreign_father(caller: Caller, target: Target) -> int | None:
    """Give 422 to a planner asking of another institution's father: he is an unknown one."""
    planner = caller.role is not None and "plan" in ROLE_ACTIONS[caller.role]
    return 422 if planner and caller.institution != target.institution else None


def _repair(target: Target) -> dict[str, Any]:
    """Give a repair request that stops, once allowed, at its moment outside the week (422)."""
    since = "2027-03-01T10:00:00+01:00"
    return {"json": {"institution": target.institution, "week": WEEK, "since": since}}


def _together_one_week(target: Target) -> dict[str, Any]:
    return {"json": {"problem_id": target.problem_id, "weeks": 1, "mode": "together"}}


def _no_such_occurrence(target: Target) -> dict[str, Any]:
    """Give an outcome that stops, once allowed, at its unknown assignment (422)."""
    item = {"assignment": "A-none", "father": target.father, "outcome": "no_show"}
    return {"json": {"institution": target.institution, "week": WEEK, "outcomes": [item]}}


def _subscribe(target: Target) -> dict[str, Any]:
    return {"json": _subscription(target.institution)}


def _subscription(institution: str) -> dict[str, Any]:
    secret = "a-long-shared-secret"
    return {"institution": institution, "url": "http://127.0.0.1:9/hook", "secret": secret}


def _solve(target: Target) -> dict[str, Any]:
    """Give a solve request that stops, once allowed, at its unknown previous roster (404)."""
    return {"problem_id": target.problem_id, "previous": "no-such-roster"}


def _whatif(target: Target) -> dict[str, Any]:
    """Give a what-if request that stops, once allowed, at its unknown change (422)."""
    return {"problem_id": target.problem_id, "scenarios": NO_SUCH_OP}


def _form(**fields: str) -> Callable[[Target], dict[str, Any]]:
    return lambda target: {"data": dict(fields)}


def _signin(caller: Caller, target: Target) -> int:
    return 303 if caller.valid else 401


def _upload(target: Target) -> dict[str, Any]:
    return {"files": {"file": ("week.json", json.dumps(target.week_data), "application/json")}}


def _own_officer(target: Target) -> dict[str, str]:
    """Give the path of the printed week of an officer of the target's institution."""
    officers = target.week_data["officers"]
    officer = next(o for o in officers if o["institution"] == target.institution)
    return {"kind": "officer", "person_id": officer["id"]}


def _page(
    method: str,
    path: str,
    success: int = 200,
    scope: str = "week",
    ask: Callable[[Target], dict[str, Any]] = lambda target: {},
    stranger: bool = False,
) -> Row:
    """Give the row of a page for a signed-in key that may read (``stranger``: B's father)."""
    fill: Callable[[Target], dict[str, str]] = (
        (lambda t: {"father_id": t.stranger}) if stranger else (lambda t: {})
    )
    return Row(method, path, "read", scope, success, ask, page=True, anonymous=303, fill=fill)


EXPORT = "/v1/rosters/{roster_id}/export"
PUBLISHED = "/v1/publications/{institution}/{week}"
VERSIONS = {"from": 1, "to": 2}
DELIVERY = "/v1/webhooks/deliveries/{delivery_id}/retry"
PIN = {"edits": [{"op": "pin", "assignment": "no-such-1"}]}
NO_SUCH_OP = {"scenarios": [{"name": "x", "changes": [{"op": "no_such_op"}]}]}
ROWS: list[Row] = [
    Row("GET", "/v1/health", None, "open", 200),
    Row("GET", "/v1/version", None, "open", 200),
    Row("GET", "/v1/problems", "read", "none", 200),
    Row("POST", "/v1/problems", "plan", "week", 409, lambda t: {"json": t.week_data}),
    Row("GET", "/v1/problems/{problem_id}", "read", "week", 200),
    Row("PUT", "/v1/problems/{problem_id}", "plan", "week", 200, lambda t: {"json": t.week_data}),
    Row("DELETE", "/v1/problems/{problem_id}", "plan", "week", 409),
    Row("GET", "/v1/rosters", "read", "none", 200),
    Row("POST", "/v1/rosters", "plan", "week", 404, lambda t: {"json": _solve(t)}),
    Row("GET", "/v1/rosters/{roster_id}", "read", "week", 200),
    Row("DELETE", "/v1/rosters/{roster_id}", "plan", "week", 409),
    # The week was re-uploaded with one assignment per institution broken: 409 once allowed.
    Row("POST", "/v1/rosters/{roster_id}/publish", "plan", "week", 409),
    # Editing by hand: the matrix's rosters are published, so a planner's edit is 409 once allowed.
    Row("POST", "/v1/rosters/{roster_id}/edits", "plan", "week", 409, lambda t: {"json": PIN}),
    Row("GET", EXPORT, "read", "week", 200),
    Row("GET", EXPORT, "read", "week", 200, _query(format="csv", table="fathers")),
    Row("GET", EXPORT, "read", "week", 200, _query(format="ics", kind="father", subject=_own)),
    Row("GET", "/v1/rosters/{roster_id}/explain", "read", "week", 200, _query(**EXPLAIN)),
    Row("GET", "/v1/publications", "read", "none", 200),
    Row("GET", PUBLISHED, "read", "institution", 200),
    Row("GET", f"{PUBLISHED}/flags", "read", "institution", 200),
    Row("GET", f"{PUBLISHED}/explain", "read", "institution", 200, _query(**EXPLAIN)),
    Row("GET", f"{PUBLISHED}/explain", "read", "institution", 404, _query(**STRANGER)),
    Row("POST", "/v1/allocations", "allocate", "institution", 409, _nothing_fits),
    Row("GET", "/v1/allocations", "read", "institution", 200, _query(institution=_at, week=WEEK)),
    Row("GET", "/v1/allocations/{allocation_id}", "read", "institution", 200),
    Row("POST", "/v1/allocations/{allocation_id}/confirm", "allocate", "institution", 200),
    Row("DELETE", "/v1/allocations/{allocation_id}", "allocate", "institution", 200),
    Row("GET", "/v1/audit", "plan", "none", 200),
    Row("POST", "/v1/whatif", "plan", "week", 422, lambda t: {"json": _whatif(t)}),
    Row("GET", "/v1/whatif/{job_id}", "read", "week", 200),
    Row("GET", "/v1/whatif/{job_id}/charts/{name}", "read", "week", 200),
    Row("DELETE", "/v1/whatif/{job_id}", "plan", "week", 409),
    # The living week: events, repairs, comparisons of versions, webhooks.
    Row("POST", "/v1/events", "plan", "week", 201, _event, expect=_foreign_father),
    Row("GET", "/v1/events", "read", "none", 200),
    Row("GET", "/v1/events", "read", "institution", 200, _query(institution=_at)),
    # A horizon planned 'together' needs two weeks or more: 422 once allowed.
    Row("POST", "/v1/horizons", "plan", "week", 422, _together_one_week),
    Row("GET", "/v1/horizons/{horizon_id}", "read", "week", 200),
    Row("DELETE", "/v1/horizons/{horizon_id}", "plan", "week", 409),
    Row("POST", "/v1/outcomes", "allocate", "institution", 422, _no_such_occurrence),
    Row("GET", "/v1/outcomes", "read", "institution", 200, _query(institution=_at, week=WEEK)),
    Row("POST", "/v1/repairs", "plan", "week", 422, _repair),
    Row("GET", "/v1/repairs/{repair_id}", "read", "week", 200),
    Row("GET", f"{PUBLISHED}/compare", "read", "institution", 200, _query(**VERSIONS)),
    Row("POST", "/v1/webhooks", "plan", "institution", 201, _subscribe),
    Row("GET", "/v1/webhooks", "plan", "none", 200),
    Row("GET", "/v1/webhooks/deliveries", "plan", "none", 200),
    Row("POST", DELIVERY, "plan", "institution", 200),
    Row("DELETE", "/v1/webhooks/{subscription_id}", "plan", "institution", 200),
    # The planner's pages: without a session a page sends the browser to sign in (303).
    Row(
        "GET", "/static/{name}", None, "open", 200, page=True, fill=lambda t: {"name": "style.css"}
    ),
    Row("GET", "/language/{language}", None, "open", 303, page=True),
    Row(
        "GET", "/signin", None, "open", 200, page=True, expect=lambda c, t: 303 if c.valid else 200
    ),
    _page("GET", "/", 200, "none"),
    _page("GET", "/week", 303, "none", _query(institution=_at)),
    _page("GET", "/weeks/{problem_id}"),
    _page("GET", "/weeks/{problem_id}/fathers"),
    _page("GET", "/weeks/{problem_id}/fathers/{father_id}"),
    _page("GET", "/weeks/{problem_id}/fathers/{father_id}", 404, stranger=True),
    _page("GET", "/weeks/{problem_id}/staff"),
    _page("GET", "/weeks/{problem_id}/print"),
    Row(
        "GET",
        "/weeks/{problem_id}/print/{kind}/{person_id}",
        "read",
        "week",
        200,
        page=True,
        anonymous=303,
        fill=_own_officer,
    ),
    _page("GET", "/weeks/{problem_id}/whatif"),
    _page("GET", "/rosters/{roster_id}/progress"),
    _page("GET", "/rosters/{roster_id}/export", ask=_query(format="csv")),
    _page("GET", "/whatif/{job_id}/progress"),
    _page("GET", "/horizons/{horizon_id}/progress"),
    _page("GET", "/whatif/{job_id}/charts/{name}"),
    _page("GET", "/weeks/{problem_id}/events"),
    _page("GET", "/weeks/{problem_id}/horizon"),
    _page("GET", "/weeks/{problem_id}/compare", ask=_query(**VERSIONS)),
    _page("GET", "/repairs/{repair_id}"),
    _page("GET", "/weeks/{problem_id}/edit"),
    _page("GET", "/weeks/{problem_id}/difference"),
    _page("GET", "/weeks/{problem_id}/publish"),
    # Actions answer 303 back to the page whatever the key; a refusal is a message on it.
    _page("POST", "/weeks", 303, "none", _upload),
    _page("POST", "/weeks/{problem_id}/generate", 303, "none", _form(previous="no-such-roster")),
    _page("POST", "/weeks/{problem_id}/whatif", 303, "none", _form(time_limit="0")),
    _page("POST", "/rosters/{roster_id}/publish", 303, "none"),
    _page("POST", "/rosters/{roster_id}/cancel", 303, "none"),
    _page("POST", "/rosters/{roster_id}/edits", 303, "none", _form(op="pin", assignment="x-1")),
    _page("POST", "/weeks/{problem_id}/events", 303, "none", _form(kind="time_out", who="F-9999")),
    _page("POST", "/weeks/{problem_id}/repairs", 303, "none", _form(time_limit="0")),
    _page("POST", "/weeks/{problem_id}/horizon", 303, "none", _form(time_limit="0")),
    # Without the confirmation the publication is only previewed again.
    _page("POST", "/repairs/{repair_id}/publish", 303, "none"),
    Row("POST", "/signin", None, "open", 303, page=True, expect=_signin),
    # Signing out ends each session, so it comes last.
    _page("POST", "/signout", 303, "none"),
]


def _expected(row: Row, caller: Caller, target: Target) -> int:
    if row.expect is not None:
        found = row.expect(caller, target)
        if found is not None:
            return found
    if row.scope == "open":
        return row.success
    if not caller.valid:
        return row.anonymous
    assert caller.role is not None and caller.institution is not None
    if row.action is not None and row.action not in ROLE_ACTIONS[caller.role]:
        return 403
    if row.scope == "week" and not set(target.week_institutions) <= {caller.institution}:
        return 403
    if row.scope == "institution" and target.institution != caller.institution:
        return 403
    return row.success


def _hidden_ids(api: Api, data: dict[str, Any], institution: str) -> set[str]:
    """Give every father, child, session and published assignment id of one institution."""
    problem = parse_problem(data)
    found: set[str] = set()
    for father in problem.fathers:
        if father.institution == institution:
            found.add(father.id)
            found |= {child.id for child in father.children}
    rooms = {room.id for room in problem.rooms if room.institution == institution}
    found |= {session.id for session in problem.sessions if session.room in rooms}
    with api.services.database.read() as session:
        week = load_week(session, api.services.parsed, institution, WEEK, utcnow())
        assert week is not None
        taken = week.taken()
        found |= {a.id for a in taken if institution_of(problem, a) == institution}
    return found


def _pattern(ids: set[str]) -> re.Pattern[str]:
    names = sorted(ids, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


# tiny.json moved to PI Leeuwarden, every id of it renamed: a small week of institution B.
AT_LEEUWARDEN = {
    '"PI-VH"': '"PI-LW"',
    "PI Veenhuizen (Esserheem)": "PI Leeuwarden",
    '"tiny-2027-W05"': '"tiny-lw-2027-W05"',
    '"VH-': '"LW-',
    '"F-00': '"F-10',
    '"C-00': '"C-10',
    '"S-': '"S-LW-',
    '"V-': '"V-L',
    '"O-0': '"O-1',
}


def _tiny_at_leeuwarden() -> dict[str, Any]:
    text = (FIXTURES / "tiny.json").read_text(encoding="utf-8")
    for old, new in AT_LEEUWARDEN.items():
        text = text.replace(old, new)
    data: dict[str, Any] = json.loads(text)
    return data


def _open_slot(roster: dict[str, Any], data: dict[str, Any], institution: str) -> dict[str, Any]:
    """Give (and take out of the roster) the first individual occurrence in a room there."""
    problem = parse_problem(data)
    for assignment in roster["assignments"]:
        room = problem.room_by_id.get(assignment["room"] or "")
        if assignment["session"] is None and room is not None and room.institution == institution:
            roster["assignments"].remove(assignment)
            return assignment
    raise AssertionError(f"no individual occurrence at {institution}")


def _break_one(data: dict[str, Any], roster: dict[str, Any], institution: str) -> None:
    """Make one father of the institution unavailable during one of his published assignments."""
    problem = parse_problem(data)
    for assignment in roster["assignments"]:
        if assignment["session"] is None and assignment["room"] is not None:
            room = problem.room_by_id[assignment["room"]]
            if room.institution == institution:
                father = next(f for f in data["fathers"] if f["id"] == assignment["fathers"][0])
                father["unavailable"] = [
                    *father.get("unavailable", []),
                    {"start": assignment["start"], "end": assignment["end"]},
                ]
                return
    raise AssertionError(f"no individual assignment at {institution}")


def _publish(api: Api, weeks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Publish each week's baseline roster less one visit per institution, allocate those slots.

    Then the week is re-uploaded with one published assignment per
    institution broken, so that every publication has a flag. Gives, per
    institution, its week, roster id and allocation id.
    """
    national = api.headers("national")
    found: dict[str, dict[str, Any]] = {}
    for data in weeks:
        institutions = [i["id"] for i in data["institutions"]]
        roster = baseline_roster(data)
        opened = {i: _open_slot(roster, data, i) for i in institutions}
        roster_id = seed_roster(api.services, data, roster)
        done = api.client.post(f"/v1/rosters/{roster_id}/publish", headers=national)
        assert done.status_code == 200, done.text
        broken = json.loads(json.dumps(data))
        for institution in institutions:
            slot = opened[institution]
            made = api.client.post(
                "/v1/allocations",
                json={
                    "institution": institution,
                    "week": WEEK,
                    "father": slot["fathers"][0],
                    "activity": slot["activity"],
                    "earliest": slot["start"],
                    "latest": slot["end"],
                },
                headers=national,
            )
            assert made.status_code == 201, made.text
            _break_one(broken, roster, institution)
            found[institution] = {
                "data": data,
                "roster_id": roster_id,
                "allocation_id": made.json()["id"],
            }
        with api.services.database.read() as session:
            week = load_week(session, api.services.parsed, institutions[0], WEEK, utcnow())
            assert week is not None and check_assignments(week.problem, week.taken()) == []
        again = api.client.put(f"/v1/problems/{data['id']}", json=broken, headers=national)
        assert again.status_code == 200 and again.json()["flagged"] == len(institutions)
        for institution in institutions:
            found[institution]["data"] = broken
    return found


def _whatif_job(api: Api, data: dict[str, Any], kind: str = "whatif") -> str:
    job_id = str(uuid.uuid4())
    results = {
        "whatif": {"columns": [], "table": [], "levels_off": {}, "charts": {"gap": PNG}},
        "horizon": {"weeks": [], "stored": []},
    }
    with api.services.database.write() as session:
        session.add(
            JobRow(
                id=job_id,
                kind=kind,
                problem_id=data["id"],
                institutions=sorted(i["id"] for i in data["institutions"]),
                state="done",
                params={},
                progress={},
                result=results[kind],
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )
    return job_id


def _living(api: Api, targets: list[Target]) -> None:
    """Seed each target's event, second published version, repair job and delivery to ask about.

    The event keeps the father away at night (it breaks nothing); the second
    version republishes the first one's roster, so that the comparison keeps
    every occurrence; the repair job proposes the published roster itself.
    """
    national = api.headers("national")
    for target in targets:
        made = api.client.post("/v1/events", json=_unavailable(target.father), headers=national)
        assert made.status_code == 201, made.text
    with api.services.database.write() as session:
        for target in targets:
            first = session.scalars(
                select(PublicationVersion).where(
                    PublicationVersion.institution == target.institution,
                    PublicationVersion.week == WEEK,
                    PublicationVersion.version == 1,
                )
            ).one()
            session.add(
                PublicationVersion(
                    institution=first.institution,
                    week=first.week,
                    version=2,
                    roster_id=first.roster_id,
                    problem_id=first.problem_id,
                    key_id=first.key_id,
                    published_at=utcnow(),
                )
            )
            published = session.get(JobRow, target.roster_id)
            assert published is not None
            target.repair_id = str(uuid.uuid4())
            repair = {
                "institution": target.institution,
                "week": WEEK,
                "since": "2027-02-03T10:00:00+01:00",
                "version": 1,
                "published_roster": target.roster_id,
            }
            session.add(
                JobRow(
                    id=target.repair_id,
                    kind=ROSTER_JOB,
                    problem_id=target.problem_id,
                    institutions=target.week_institutions,
                    state="done",
                    params={"repair": repair},
                    progress={},
                    result=published.result,
                    created_at=utcnow(),
                    finished_at=utcnow(),
                )
            )
            target.delivery_id = (
                session.scalars(
                    select(OutboxEntry.id)
                    .where(OutboxEntry.institution == target.institution)
                    .order_by(OutboxEntry.created_at, OutboxEntry.id)
                ).first()
                or ""
            )
            assert target.delivery_id


def _callers(api: Api) -> tuple[list[Caller], int]:
    made: dict[tuple[str, str], str] = {}
    with api.services.database.write() as session:
        for institution in (A, B):
            for role in ROLES:
                made[role, institution] = create_key(session, role, [institution], role)[1]
        row, revoked = create_key(session, "planner", ["*"], "revoked")
    callers = [
        Caller("no key", None),
        Caller("bad key", "gzr_" + "x" * 43),
        Caller("revoked", revoked),
    ]
    callers += [Caller(f"{r} {i}", made[r, i], r, i) for i in (A, B) for r in ROLES]
    return callers, row.id


def _signin_form(client: Any) -> tuple[str, str]:
    """Give the sign-in form's CSRF token and the cookie it is bound to (sent by hand over http)."""
    form = client.get("/signin")
    client.cookies.clear()
    return form_token(form.text), f"{SIGNIN_COOKIE}={form.cookies[SIGNIN_COOKIE]}"


def _sign_in(world: World, revoked: int) -> None:
    """Open a page session for every key, then revoke the revoked one (its session must end)."""
    client = world.api.client
    for caller in world.callers:
        if caller.secret is None:
            continue
        csrf, cookie = _signin_form(client)
        answer = client.post(
            "/signin",
            data={"key": caller.secret, "csrf": csrf},
            headers={"Cookie": cookie},
            follow_redirects=False,
        )
        token = answer.cookies.get(COOKIE)
        client.cookies.clear()
        if token:
            world.sessions[caller.name] = token
    with world.api.services.database.write() as session:
        assert revoke_key(session, revoked) is not None


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Give an empty database for the module: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'matrix.db'}"
        return
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, connect_timeout=3, autocommit=True)
    except Exception as error:  # any failure to connect means: no server to test against
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({type(error).__name__})")
    schema = f"gz_matrix_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(PG_URL, connect_timeout=3, autocommit=True) as admin:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _world(name: str, url: str, weeks: list[dict[str, Any]]) -> Iterator[World]:
    for api in make_api(url, solve_time_limit=1):
        subscriptions = {}
        for institution in (A, B):
            made = api.client.post(
                "/v1/webhooks", json=_subscription(institution), headers=api.headers("national")
            )
            assert made.status_code == 201, made.text
            subscriptions[institution] = made.json()["id"]
        published = _publish(api, weeks)
        whatif = {data["id"]: _whatif_job(api, data) for data in weeks}
        horizons = {data["id"]: _whatif_job(api, data, "horizon") for data in weeks}
        targets = []
        for institution, other in ((A, B), (B, A)):
            item = published[institution]
            data = item["data"]
            stranger = next(
                f["id"] for f in published[other]["data"]["fathers"] if f["institution"] == other
            )
            targets.append(
                Target(
                    institution=institution,
                    week_institutions=sorted(i["id"] for i in data["institutions"]),
                    problem_id=data["id"],
                    roster_id=item["roster_id"],
                    whatif_id=whatif[data["id"]],
                    horizon_id=horizons[data["id"]],
                    allocation_id=item["allocation_id"],
                    father=next(
                        f["id"] for f in data["fathers"] if f["institution"] == institution
                    ),
                    stranger=stranger,
                    week_data=data,
                    subscription_id=subscriptions[institution],
                )
            )
        _living(api, targets)
        hidden = {
            institution: _pattern(_hidden_ids(api, published[institution]["data"], institution))
            for institution in (A, B)
        }
        callers, revoked = _callers(api)
        world = World(name, api, callers, targets, hidden)
        _sign_in(world, revoked)
        yield world


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Give a week of PI-VH (tiny.json) and one of PI-LW, each published on its own (SQLite).

    The region world runs on both databases; this one, with the same checks
    on the same code, on SQLite alone to keep the suite short.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('single') / 'single.db'}"
    yield from _world("single", url, [_load("tiny.json"), _tiny_at_leeuwarden()])


@pytest.fixture(scope="module")
def region(database: str) -> Iterator[World]:
    """Give the region week of PI-VH and PI-LW, published as one roster for both."""
    yield from _world("region", database, [_load("region-noord.json")])


def _ask(world: World, row: Row, caller: Caller, target: Target) -> tuple[Any, str]:
    client = world.api.client
    request = row.ask(target)
    headers: dict[str, str] = {}
    if row.page:
        token = world.sessions.get(caller.name)
        if token is not None:
            headers["Cookie"] = f"{COOKIE}={token}"
            session = store_of(client.app).find(token)
            if row.method == "POST" and session is not None:
                request.setdefault("data", {})["csrf"] = session.csrf
        if row.path == "/signin" and row.method == "POST":
            headers.pop("Cookie", None)
            csrf, headers["Cookie"] = _signin_form(client)
            request = {"data": {"key": caller.secret or "", "csrf": csrf}}
    elif caller.secret is not None:
        headers["Authorization"] = f"Bearer {caller.secret}"
    path = _path(row.path, target, row.fill(target))
    answer = client.request(row.method, path, headers=headers, follow_redirects=False, **request)
    client.cookies.clear()
    return answer, path + json.dumps([request.get("params", {}), request.get("json")])


def _leaks(world: World, caller: Caller, body: str, asked: str) -> list[str]:
    """Give the other institutions' ids the body holds (every id, for a caller without a key).

    An id the caller put in the address itself is no leak when echoed: the
    answer is the same for an id that does not exist.
    """
    institutions = [i for i in (A, B) if i != caller.institution]
    found = {m for i in institutions for m in world.hidden[i].findall(body)}
    echoed = {m for i in institutions for m in world.hidden[i].findall(asked)}
    return sorted(found - echoed)


def app_routes(world: World) -> set[tuple[str, str]]:
    """Give every (method, path) the app serves through its routes, included routers' too."""
    routes: list[Any] = list(world.api.client.app.routes)
    if hasattr(routing, "iter_route_contexts"):
        routes = list(routing.iter_route_contexts(routes))
    return {
        (method, route.path)
        for route in routes
        if isinstance(getattr(route, "original_route", route), APIRoute)
        for method in route.methods or ()
    }


def _run(world: World) -> tuple[set[tuple[int, str]], list[str]]:
    """Give which rows each caller asked, and every fault found.

    A request that is the same for both institutions' targets (a list, or
    the region's one week) is asked once per caller.
    """
    faults: list[str] = []
    asked_rows: set[tuple[int, str]] = set()
    done: set[tuple[str, str, str]] = set()
    for index, row in enumerate(ROWS):
        for target in world.targets:
            request = _path(row.path, target, row.fill(target)) + repr(row.ask(target))
            for caller in world.callers:
                asked_rows.add((index, caller.name))
                if (row.method, request, caller.name) in done:
                    continue
                done.add((row.method, request, caller.name))
                answer, asked = _ask(world, row, caller, target)
                want = _expected(row, caller, target)
                allowed = {want, 429} if caller.name == "bad key" and want == 401 else {want}
                if answer.status_code not in allowed:
                    faults.append(
                        f"{world.name} {row.method} {row.path} for {target.institution} "
                        f"by {caller.name}: {answer.status_code}, expected {want}: "
                        f"{answer.text[:200]}"
                    )
                if answer.status_code >= 500:
                    continue
                text = (
                    answer.text if "image/png" not in answer.headers.get("content-type", "") else ""
                )
                leaked = _leaks(world, caller, text, asked)
                if leaked:
                    faults.append(
                        f"{world.name} {row.method} {row.path} for {target.institution} "
                        f"by {caller.name} shows {len(leaked)} ids of another "
                        f"institution: {', '.join(leaked[:5])}"
                    )
    return asked_rows, faults


def test_every_route_has_a_row(single: World) -> None:
    """The matrix has a row for every route and page of the app, and no row for a route gone."""
    rows = {(row.method, row.path) for row in ROWS}
    assert app_routes(single) == rows
    documented = {
        (method.upper(), path)
        for path, item in single.api.client.app.openapi()["paths"].items()
        for method in item
    }
    assert documented == {(r.method, r.path) for r in ROWS if not r.page}


def test_single_institution_weeks_leak_nothing(single: World) -> None:
    """Every route and page, for every caller, on weeks of one institution each: 0 faults."""
    asked, faults = _run(single)
    assert asked == {(i, c.name) for i in range(len(ROWS)) for c in single.callers}
    assert faults == [], "\n".join(faults[:40])


def test_region_week_leaks_nothing(region: World) -> None:
    """Every route and page, for every caller, on the region week: 0 faults, 0 leaks."""
    asked, faults = _run(region)
    assert asked == {(i, c.name) for i in range(len(ROWS)) for c in region.callers}
    assert faults == [], "\n".join(faults[:40])


def test_region_publication_shows_only_the_institutions_part(region: World) -> None:
    """Through the region week, each institution's keys see its own assignments and flags only."""
    for target in region.targets:
        viewer = next(c for c in region.callers if c.name == f"viewer {target.institution}")
        headers = {"Authorization": f"Bearer {viewer.secret}"}
        base = f"/v1/publications/{target.institution}/{WEEK}"
        body = region.api.client.get(base, headers=headers).json()
        problem = parse_problem(target.week_data)
        places = {
            institution_of(problem, Assignment.model_validate(a)) for a in body["assignments"]
        }
        assert places == {target.institution}
        flags = region.api.client.get(f"{base}/flags", headers=headers).json()
        flagged = [f for f in flags if f["assignment"] is not None]
        assert len(flagged) == 1
        assert flagged[0]["assignment"]["fathers"][0] in problem.father_by_id
        stranger = region.api.client.get(
            f"{base}/explain",
            params={"father": target.stranger, "activity": "regular_visit"},
            headers=headers,
        )
        unknown = region.api.client.get(
            f"{base}/explain",
            params={"father": "F-9999", "activity": "regular_visit"},
            headers=headers,
        )
        assert stranger.status_code == unknown.status_code == 404
        assert stranger.json()["detail"].replace(target.stranger, "?") == unknown.json()[
            "detail"
        ].replace("F-9999", "?")


def test_audit_names_the_fathers_read_for_their_institution(region: World) -> None:
    """A read of one institution's father through the region week is in that institution's audit."""
    target = next(t for t in region.targets if t.institution == A)
    viewer = next(c for c in region.callers if c.name == f"viewer {A}")
    region.api.client.get(
        f"/v1/publications/{A}/{WEEK}/explain",
        params={"father": target.father, "activity": "regular_visit"},
        headers={"Authorization": f"Bearer {viewer.secret}"},
    )
    for institution, sees in ((A, True), (B, False)):
        planner = next(c for c in region.callers if c.name == f"planner {institution}")
        entries = region.api.client.get(
            "/v1/audit",
            params={"object_id": f"{A} {WEEK}"},
            headers={"Authorization": f"Bearer {planner.secret}"},
        ).json()
        named = [
            e
            for e in entries
            if e["action"] == "publication.explain" and target.father in e["detail"]
        ]
        assert bool(named) is sees
        assert all(e["institutions"] == [institution] for e in entries)


def test_a_region_read_is_in_each_institutions_audit_with_its_own_fathers(region: World) -> None:
    """A region key's read of the whole week is audited per institution, each naming its fathers."""
    problem_id = region.targets[0].problem_id
    read = region.api.client.get(
        f"/v1/problems/{problem_id}", headers=region.api.headers("national")
    )
    assert read.status_code == 200
    problem = parse_problem(read.json())
    for institution in (A, B):
        planner = next(c for c in region.callers if c.name == f"planner {institution}")
        entries = region.api.client.get(
            "/v1/audit",
            params={"object_id": problem_id},
            headers={"Authorization": f"Bearer {planner.secret}"},
        ).json()
        reads = [e for e in entries if e["action"] == "problem.read"]
        assert [e["institutions"] for e in reads] == [[institution]]
        own = sorted(f.id for f in problem.fathers if f.institution == institution)
        assert reads[0]["detail"] == "fathers " + ", ".join(own)
