"""The planner's page at ``/``: sign in, choose a week, see it by room, father and staff, act.

Every page reads through the service's own storage and every action calls the
same route functions as the JSON API (``api.routers``), with the signed-in
key as the caller: role and scope checks, audit entries, solve jobs,
publishing and exports are theirs, not a copy. A role that may not do an
action sees its button disabled; the service refuses it anyway.

The pages are grouped by what they are for, one module each; ``router``
holds them all, every path as it always was.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.web.routes import edits, events, horizon, printouts, signin, solves, weeks, whatif

router = APIRouter(include_in_schema=False)
router.include_router(signin.router)
router.include_router(weeks.router)
router.include_router(printouts.router)
router.include_router(solves.router)
router.include_router(whatif.router)
router.include_router(events.router)
router.include_router(edits.router)
router.include_router(horizon.router)
