"""Fixtures of the solver tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.domain import Roster
from tests.kit.weeks import checked


@pytest.fixture(scope="session")
def solve_checked() -> Callable[..., Roster]:
    """Give the solve asserting each roster passes the validator and reports its own objective."""
    return checked
