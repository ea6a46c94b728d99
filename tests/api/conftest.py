"""Fixtures of the service tests: databases (SQLite file, PostgreSQL schema) and the app.

The PostgreSQL suite uses ``$GEZINSROOSTER_TEST_POSTGRES_URL`` (default: the
server at 127.0.0.1:5432, database ``test``, trust authentication) and makes
a schema of its own per test, dropped afterwards; without a reachable server
those tests are skipped with a message saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.kit.service import Api, make_api

PG_URL = os.environ.get(
    "GEZINSROOSTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _admin_connection() -> Any:
    import psycopg

    return psycopg.connect(PG_URL, connect_timeout=3, autocommit=True)


@pytest.fixture(scope="session")
def postgres_reachable() -> None:
    """Skip, with the reason, when no PostgreSQL server answers at the test URL."""
    try:
        _admin_connection().close()
    except Exception as error:  # any failure to connect means: no server to test against
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL} ({type(error).__name__}); "
            "set GEZINSROOSTER_TEST_POSTGRES_URL to run the PostgreSQL storage suite"
        )


@pytest.fixture
def postgres_url(postgres_reachable: None) -> Iterator[str]:
    """Give a URL to a fresh, empty PostgreSQL schema, dropped after the test."""
    schema = f"gz_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection() as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    with _admin_connection() as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Give an empty database: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """Give the service on a fresh SQLite file, with solves of at most 2 seconds."""
    yield from make_api(f"sqlite:///{tmp_path / 'service.db'}", solve_time_limit=2)


@pytest.fixture
def any_api(database_url: str) -> Iterator[Api]:
    """Give the service on a fresh SQLite file, then on a fresh PostgreSQL schema."""
    yield from make_api(database_url, solve_time_limit=2)
