"""The build-stage bench (``python -m bench.build_stages``) on a small generated week."""

from __future__ import annotations

import json

import pytest

from bench.build_stages import main
from solver.constraints import RULES


def test_the_bench_times_every_stage_and_fingerprints_the_same_model_alike(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every rule has its stage; two builds of one week give one fingerprint, another week not."""
    assert main(["--fathers", "10"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert {rule.__name__ for rule in RULES} <= set(first["stage cpu s"])
    assert first["variables"] > 0 and first["constraints"] > 0
    assert main(["--fathers", "10"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["fingerprint"] == first["fingerprint"]
    assert again["sub-model fingerprint"] == first["sub-model fingerprint"]
    assert main(["--fathers", "10", "--seed", "2"]) == 0
    other = json.loads(capsys.readouterr().out)
    assert other["fingerprint"] != first["fingerprint"]


def test_the_bench_refuses_a_week_the_generator_refuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Too few fathers: exit 2, naming the option."""
    with pytest.raises(SystemExit) as exit_:
        main(["--fathers", "3"])
    assert exit_.value.code == 2
    assert "--fathers" in capsys.readouterr().err
