"""Schemathesis fuzzing: a client generated from the OpenAPI document over every operation, on
SQLite and PostgreSQL, with a valid key and a published week: 0 server errors, and every answer
has a documented status code, content type and a body that matches its documented schema."""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.kit.service import Api, empty_roster, make_api, roomy_tiny_data

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12
FUZZ_WEEK = "fuzz-2027-W05"


@dataclass
class Fuzzed:
    """The service under fuzzing, and the ids of what it holds, for paths to reach real data."""

    api: Api
    known: dict[str, str]

    def aim(self, case: Any) -> None:
        """Point about half of the cases' path and query ids at stored objects (by a digest)."""
        for parameters in (case.path_parameters, case.query):
            if not parameters:
                continue
            for name, value in parameters.items():
                if name in self.known and zlib.crc32(repr(value).encode()) % 2 == 0:
                    parameters[name] = self.known[name]


@pytest.fixture
def fuzzed(database_url: str) -> Iterator[Fuzzed]:
    """Give the service with a published week (nothing placed) and one allocation in it."""
    for api in make_api(database_url, solve_time_limit=1):
        data = {**roomy_tiny_data(), "id": FUZZ_WEEK}
        roster_id = api.publish(data, empty_roster(data))
        allocation = api.client.post(
            "/v1/allocations",
            json={
                "institution": "PI-VH",
                "week": "2027-W05",
                "father": "F-001",
                "activity": "family_room_visit",
                "earliest": "2027-02-06T10:00:00+01:00",
                "latest": "2027-02-06T13:00:00+01:00",
            },
            headers=api.headers("system"),
        )
        assert allocation.status_code == 201, allocation.text
        yield Fuzzed(
            api,
            {
                "problem_id": FUZZ_WEEK,
                "roster_id": roster_id,
                "allocation_id": allocation.json()["id"],
                "institution": "PI-VH",
                "week": "2027-W05",
                "father": "F-001",
                "activity": "video_call",
                "subject": "F-001",
                "object_id": roster_id,
            },
        )


def _strategy(operation: Any) -> Any:
    """Give the operation's documented examples, valid requests and invalid ones, mixed."""
    found = list(operation.schema.get_strategies_from_examples(operation))
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            found.append(operation.as_strategy(mode))
        except Exception:  # an operation without inputs has no invalid requests to make
            if mode is GenerationMode.POSITIVE:
                raise
    return st.one_of(found)


def _fuzz_operation(operation: Any, fuzzed: Fuzzed) -> Counter[int]:
    """Give how often the operation answered each status; raise the first failure found."""
    headers = fuzzed.api.headers("national")
    answered: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation))
    def call(case: Any) -> None:
        fuzzed.aim(case)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        answered[response.status_code] += 1

    call()
    return answered


def fuzz(fuzzed: Fuzzed) -> tuple[dict[str, Counter[int]], dict[str, str]]:
    """Give each operation's answers by status, and the failure of each that failed."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.api.client.app)
    sent: dict[str, Counter[int]] = {}
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            sent[operation.label] = _fuzz_operation(operation, fuzzed)
        except (Exception, BaseExceptionGroup) as error:  # every operation is fuzzed; all shown
            failures[operation.label] = str(error)[:3000]
    return sent, failures


def test_every_operation_answers_as_documented(fuzzed: Fuzzed) -> None:
    """Generated requests with the national planner's key: no 5xx, all answers as documented."""
    document = fuzzed.api.client.get("/openapi.json").json()
    operations = {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }
    sent, failures = fuzz(fuzzed)
    assert failures == {}
    assert set(sent) == operations
    assert all(sum(answers.values()) >= 1 for answers in sent.values())
    # The aimed ids reach stored data: the published week and the allocation were read.
    assert sent["GET /v1/publications/{institution}/{week}"][200] >= 1
    assert sent["GET /v1/allocations/{allocation_id}"][200] >= 1
    assert sum(answers[500] for answers in sent.values()) == 0
