"""The week's model build on a generated week: CPU seconds of each stage, and a fingerprint.

Run ``.venv/bin/python -m bench.build_stages [--fathers 400] [--institutions 1]
[--seed 1]``. Builds the model of ``generate_problem(N, I, seed=S)`` stage by
stage (the candidates, the variables, each rule of ``solver.constraints.RULES``,
the order of interchangeable fathers, each objective tier), then the whole
``solver.model.RosterModel`` and its legal sub-model (``VisitModel``), and
prints, as one JSON line: each stage's CPU seconds (process time, steadier
than the wall clock on a shared machine), the model's size, the wall and CPU
seconds of the two whole builds, the load average before and after, and a
fingerprint of each model: a hash of its proto's text, each tier's objective
included. Two commits that build the same model print the same fingerprints,
so a change meant to build it faster can be checked to build the same model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.catalogue import argument_errors
from scheduler.domain import Problem
from scheduler.generate import generate_problem
from scheduler.objective import TIERS
from solver.candidates import find_candidates
from solver.constraints import RULES
from solver.model import RosterModel, VisitModel
from solver.objectives import TierTerms, continuity, economy, entitlements, legal_minimum
from solver.symmetry import interchangeable_fathers, order_interchangeable_fathers
from solver.variables import Variables


def fingerprint(built: RosterModel) -> str:
    """Give a hash of the model's proto and of each tier's objective over it."""
    digest = hashlib.sha256(str(built.model).encode())
    for name in TIERS:
        expression = built.terms.expressions[name]
        if isinstance(expression, int):
            digest.update(f"{name}={expression}".encode())
            continue
        scored = built.model.clone()
        scored.maximize(expression)
        digest.update(str(scored.proto.objective).encode())
    return digest.hexdigest()[:16]


def stage_seconds(problem: Problem) -> dict[str, float]:
    """Give the CPU seconds of each stage of the model's build, in the build's order."""
    seconds: dict[str, float] = {}

    def timed(name: str, stage: Callable[[], object]) -> None:
        began = time.process_time()
        stage()
        seconds[name] = round(time.process_time() - began, 3)

    model = cp_model.CpModel()
    found = find_candidates(problem)
    timed("candidates", lambda: find_candidates(problem))
    variables = Variables(model, found)
    timed("variables", lambda: Variables(cp_model.CpModel(), found))
    for rule in RULES:
        timed(rule.__name__, lambda rule=rule: rule(model, problem, found, variables))
    classes = interchangeable_fathers(problem)
    timed("symmetry", lambda: order_interchangeable_fathers(model, found, variables, classes))
    terms = TierTerms()
    timed("legal_minimum", lambda: legal_minimum(model, problem, found, variables, terms))
    timed("entitlements", lambda: entitlements(model, problem, found, variables))
    timed("continuity", lambda: continuity(model, problem, found, variables, terms))
    timed("economy", lambda: economy(problem, found, variables))
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Measure the build once; exit 0, or 2 for a week the generator refuses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fathers", type=int, default=400)
    parser.add_argument("--institutions", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for name, text in argument_errors(args.fathers, args.institutions, "2027-W05").items():
        parser.error(f"--{name}: {text}")
    region = "region-01" if args.institutions > 1 else None
    problem = generate_problem(args.fathers, args.institutions, seed=args.seed, region=region)
    before = os.getloadavg()
    stages = stage_seconds(problem)
    wall, cpu = time.monotonic(), time.process_time()
    built = RosterModel(problem)
    model_times = [round(time.monotonic() - wall, 3), round(time.process_time() - cpu, 3)]
    wall, cpu = time.monotonic(), time.process_time()
    sub = VisitModel(built)
    sub_times = [round(time.monotonic() - wall, 3), round(time.process_time() - cpu, 3)]
    figures = {
        "fathers": args.fathers,
        "institutions": args.institutions,
        "stage cpu s": stages,
        "variables": len(built.model.proto.variables),
        "constraints": len(built.model.proto.constraints),
        "model wall s, cpu s": model_times,
        "sub-model wall s, cpu s": sub_times,
        "fingerprint": fingerprint(built),
        "sub-model fingerprint": fingerprint(sub),
        "load before": [round(x, 2) for x in before],
        "load after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
