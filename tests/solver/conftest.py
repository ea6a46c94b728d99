"""Fixtures of the solver tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from solve_weeks import checked

from scheduler.domain import Roster


@pytest.fixture(scope="session")
def solve_checked() -> Callable[..., Roster]:
    """Give the solve asserting each roster passes the validator and reports its own objective."""
    return checked
