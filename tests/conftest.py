"""Shared pytest fixtures: every week in fixtures/ as a loaded Problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.domain import Problem, load_problem

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


def _load(name: str) -> Problem:
    return load_problem(FIXTURES_DIR / name)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Give the folder that holds the fixture weeks."""
    return FIXTURES_DIR


@pytest.fixture
def tiny() -> Problem:
    """Give fixtures/tiny.json: four fathers at PI Veenhuizen, checkable by hand."""
    return _load("tiny.json")
