"""The living week's routes take ids of the documented patterns: a NUL byte is 422, never 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.kit.service import Api, make_api

PROBES = [
    ("GET", "/v1/repairs/%00"),
    ("DELETE", "/v1/webhooks/%00"),
    ("POST", "/v1/webhooks/deliveries/%00/retry"),
    ("GET", "/v1/events?subject=%00"),
    ("GET", "/v1/events?institution=PI%00VH"),
]


@pytest.fixture
def api(postgres_url: str) -> Iterator[Api]:
    """Give the service on a PostgreSQL schema, where a NUL byte would reach the driver."""
    yield from make_api(postgres_url)


@pytest.mark.postgres
@pytest.mark.parametrize(("method", "path"), PROBES)
def test_a_nul_byte_in_an_id_is_refused_naming_the_field(api: Api, method: str, path: str) -> None:
    """Each probe answers 422 with the one error body, naming where the id was."""
    headers = {"Authorization": f"Bearer {api.keys['planner']}"}
    answer = api.client.request(method, path, headers=headers)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert "\\x00" in body["detail"] and body["errors"]
