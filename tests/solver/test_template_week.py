"""A week whose sessions are made from templates solves, and its roster passes the checker."""

from __future__ import annotations

from scheduler.domain import Problem
from scheduler.validate import violations
from solver.solve import SolveOptions, solve


def test_week_from_templates_solves_and_validates(tiny_templates: Problem) -> None:
    """tiny-templates.json solves; its roster uses the templates' sessions and breaks no rule."""
    roster = solve(tiny_templates, SolveOptions(time_limit=10, workers=2, deterministic=True))
    assert roster.status in ("optimal", "feasible")
    assert violations(tiny_templates, roster) == []
    used = {a.session for a in roster.assignments if a.session is not None}
    made = {s.id for s in tiny_templates.sessions}
    assert used and used <= made
    kings_day = [a for a in roster.assignments if a.start.date().isoformat() == "2027-04-27"]
    assert kings_day == []
