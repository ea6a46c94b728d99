"""The legal sub-model bench (``python -m bench.legal_submodel``) on a small generated week."""

from __future__ import annotations

import json

import pytest

from bench.legal_submodel import main


def test_the_bench_gives_valid_visits_within_the_ceiling(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every roster the search reports is within the ceiling, and its visits pass the validator."""
    assert main(["--fathers", "20", "--time-limit", "5"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    ceiling = figures["ceiling"]
    assert figures["valid"] is True
    assert figures["warm start legal"] <= ceiling <= 20
    assert all(value <= ceiling for _, value in figures["found (s, legal)"])
    assert figures["proven"] == any(v == ceiling for _, v in figures["found (s, legal)"])


def test_the_bench_refuses_a_week_without_fathers(capsys: pytest.CaptureFixture[str]) -> None:
    """No fathers: exit 2, naming the option."""
    assert main(["--fathers", "0"]) == 2
    assert "--fathers" in capsys.readouterr().err
