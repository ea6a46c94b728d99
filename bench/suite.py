"""The figures of one benchmark instance, measured in a process of its own, and of the national run.

An institution of ``fathers`` fathers is generated with a fixed seed, solved
with the solver's public ``solve`` while its progress events are recorded,
checked by the independent validator, and compared with the
first-come-first-served baseline on the same week. The national problem is
many independent regions, solved side by side on the executors the what-if
sweeps use (``whatif.executors``); each region reports its own figures.

Peak memory is the resident-set peak (``ru_maxrss``) of the process that
generated and solved the instance, read once the roster is checked and before
the baseline and the yardsticks' own solves, so each instance runs in a fresh
process.
"""

from __future__ import annotations

import hashlib
import math
import os
import resource
import time
from dataclasses import dataclass, field

from bench.fairness import (
    Best,
    fewest_nothing_beyond_legal,
    legal_volunteer_shortfalls,
    most_granted_something,
    seats_for_every_father,
    value_bounds,
)
from scheduler.domain import Problem, Roster
from scheduler.generate import generate_problem
from scheduler.objective import TIERS, tier_ranges
from scheduler.validate import violations
from solver.baseline import first_come_first_served
from solver.solve import Progress, SolveOptions, solve
from solver.tiers import group_values
from whatif.executors import ExecutorName, LocalPoolExecutor, make_executor, node_id

CHECKPOINTS: tuple[int, ...] = (5, 30, 60)
"""Seconds after the solve began at which the best value and bound so far are read."""
PROOF_SECONDS = 30.0
"""Seconds for each of the two solves that prove the best the week allows (``bench.fairness``)."""
VALUE_GAIN = 0.15
"""The target's least entitlement value over FCFS's, minus one."""
FLOOR_RATIO = 2.0
"""The target's least fairness floor over FCFS's, where FCFS's is above 0."""
NEAR_FEWEST = 1.1
"""The target's most fathers with nothing beyond the legal visit, over the fewest proven."""


@dataclass(frozen=True)
class InstanceSpec:
    """One benchmark instance: how to generate it and how long to solve it."""

    fathers: int
    institutions: int = 1
    seed: int = 1
    time_limit: float = 60.0
    workers: int = 2
    region: str | None = None
    week: str = "2027-W05"
    # On CP-SAT's deterministic clock: the same roster on every machine and executor.
    deterministic: bool = False
    # The fairness yardsticks' two proofs after the solve (``bench.fairness``).
    yardsticks: bool = True


@dataclass
class Checkpoint:
    """The search at one moment: a tier group, its best value and bound so far, and its gap."""

    seconds: float
    tier: str | None = None
    objective: int | None = None
    bound: int | None = None

    @property
    def gap(self) -> float | None:
        """Give the relative gap of the tier group at this moment, None before its first bound."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, (self.bound - self.objective) / max(1, abs(self.bound)))


@dataclass
class Figures:
    """What the benchmark measured on one instance (a whole institution or one region)."""

    name: str
    fathers: int
    institutions: int
    time_limit: float
    status: str = ""
    solver: str = ""
    valid: bool = False
    violations: int = 0
    build_seconds: float | None = None
    solve_seconds: float = 0.0
    wall_seconds: float = 0.0
    # CPU time of the solve in its process, all CP-SAT threads together.
    solve_cpu_seconds: float = 0.0
    first_roster_seconds: float | None = None
    gap: float | None = None
    checkpoints: list[Checkpoint] = field(default_factory=list)
    legal_minimum: int | None = None
    legal_minimum_bound: int | None = None
    entitlements: int | None = None
    entitlements_bound: int | None = None
    below_legal: int = 0
    entitled: int = 0
    granted: int = 0
    value: int = 0
    floor: float = 0.0
    baseline_valid: bool = False
    baseline_below_legal: int = 0
    baseline_granted: int = 0
    baseline_value: int = 0
    baseline_floor: float = 0.0
    baseline_seconds: float = 0.0
    # The fairness yardsticks: legal shortfalls naming a volunteer reason, fathers with nothing
    # beyond the legal visit (the fewest proven after the legal tier), whether a fairness
    # floor above 0 is possible (None: not proven either way), and seats for every father;
    # ``yardsticks`` tells whether the two proofs ran.
    legal_volunteer_reasons: int = 0
    baseline_legal_volunteer_reasons: int = 0
    nothing_beyond: int = 0
    baseline_nothing_beyond: int = 0
    yardsticks: bool = False
    fewest_nothing_beyond: Best | None = None
    # The most entitlement value any roster of the week can have, proven by a relaxation
    # (``bench.fairness.value_bounds``): with the legal tier held at the roster's, and without.
    value_bound_held: int | None = None
    value_bound_free: int | None = None
    floor_possible: bool | None = None
    seats_for_all: bool = False
    peak_mib: float = 0.0
    pid: int = 0
    # Where it ran (``whatif.executors.node_id``) and the roster's digest (``roster_digest``).
    node: str = ""
    digest: str = ""

    @property
    def oversubscribed(self) -> bool:
        """Tell whether the week grants less than is entitled (not everyone can have it all)."""
        return self.granted < self.entitled

    @property
    def value_gain(self) -> float | None:
        """Give the solver's entitlement value over the baseline's, minus one (0.15 = 15% more)."""
        return _gain(self.value, self.baseline_value)

    @property
    def largest_gain_held(self) -> float | None:
        """Give the most any roster with the roster's legal tier can gain over the baseline."""
        return _gain(self.value_bound_held, self.baseline_value)

    @property
    def largest_gain_free(self) -> float | None:
        """Give the most any roster at all can gain over the baseline, the legal tier aside."""
        return _gain(self.value_bound_free, self.baseline_value)

    @property
    def nothing_beyond_met(self) -> bool:
        """Tell whether fewer fathers than FCFS's have nothing beyond the legal visit, near fewest.

        Fewer than FCFS's (or none at all), and within 10% of the fewest any
        roster of the week can have, as proven by ``bench.fairness``.
        """
        fewer = self.nothing_beyond < self.baseline_nothing_beyond or self.nothing_beyond == 0
        best = self.fewest_nothing_beyond
        near = best is not None and self.nothing_beyond <= math.floor(best.bound * NEAR_FEWEST)
        return fewer and near

    @property
    def volunteer_met(self) -> bool:
        """Tell whether no legal shortfall of the roster names the partner cap or a volunteer."""
        return self.legal_volunteer_reasons == 0

    @property
    def floor_met(self) -> bool:
        """Tell whether the floor is at least twice FCFS's, and above 0 where proven possible.

        Where FCFS's floor is 0 only the second half applies.
        """
        twice = self.baseline_floor <= 0 or (
            self.floor_ratio is not None and self.floor_ratio >= FLOOR_RATIO
        )
        return twice and (self.floor_possible is not True or self.floor > 0)

    @property
    def value_met(self) -> bool:
        """Tell whether the entitlement value is at least 15% above FCFS's (exactly 15% is met)."""
        return self.baseline_value > 0 and self.value >= self.baseline_value * (1 + VALUE_GAIN)

    @property
    def legal_hour_met(self) -> bool | None:
        """Tell whether every father has his legal hour; None where the seats do not allow it."""
        return self.below_legal == 0 if self.seats_for_all else None

    @property
    def floor_ratio(self) -> float | None:
        """Give the solver's fairness floor over the baseline's; None when the baseline's is 0."""
        if self.baseline_floor <= 0:
            return None
        return self.floor / self.baseline_floor


def peak_mib() -> float:
    """Give this process's peak resident memory so far in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instance_name(spec: InstanceSpec) -> str:
    """Give the instance's name in the tables."""
    if spec.region is not None:
        return spec.region
    return f"{spec.fathers} fathers" + ("" if spec.institutions == 1 else f" x{spec.institutions}")


def read_checkpoints(events: list[Progress], limit: float) -> list[Checkpoint]:
    """Give the first open tier group's best value and bound at each checkpoint up to ``limit``.

    Tier groups are solved in turn, each with the ones above it held; a group
    whose last event has its bound equal to its value is proven. At each
    moment the checkpoint shows the first group, in the order the solver
    reports them, that is not proven yet (or the last group when all are),
    with its last value and last reported bound, as the roster's gap does.
    """
    moments = sorted({float(c) for c in CHECKPOINTS if c < limit} | {float(limit)})
    found: list[Checkpoint] = []
    for moment in moments:
        states: dict[str, Checkpoint] = {}
        for event in events:
            if event.seconds > moment:
                break
            state = states.setdefault(event.tier, Checkpoint(moment, event.tier))
            if event.objective is not None:
                state.objective = event.objective
            if event.bound is not None:
                state.bound = event.bound
        open_ = [s for s in states.values() if s.bound is None or s.bound != s.objective]
        last = list(states.values())[-1:] or [Checkpoint(moment)]
        found.append((open_ or last)[0])
    return found


def roster_digest(roster: Roster) -> str:
    """Give the SHA-256 of the roster without its timings: equal digests, the same roster."""
    text = roster.model_dump_json(exclude={"solve_seconds", "build_seconds"})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tier_figures(problem: Problem, roster: Roster, figures: Figures) -> None:
    """Fill in the legal minimum and entitlement tiers with the bounds the roster proves."""
    figures.legal_minimum = roster.tiers.get("legal_minimum")
    figures.entitlements = roster.tiers.get("entitlements")
    if roster.bound is None:
        return
    bounds = group_values("+".join(TIERS), roster.bound, tier_ranges(problem))
    figures.legal_minimum_bound = bounds["legal_minimum"]
    # The entitlement bound means something only once the legal tier above it is settled.
    if bounds["legal_minimum"] == figures.legal_minimum:
        figures.entitlements_bound = bounds["entitlements"]


def measure(spec: InstanceSpec) -> Figures:
    """Give the figures of one generated instance: solve, validate and compare with the baseline."""
    problem = generate_problem(
        spec.fathers, spec.institutions, seed=spec.seed, week=spec.week, region=spec.region
    )
    return measure_week(problem, instance_name(spec), spec)


def measure_week(problem: Problem, name: str, spec: InstanceSpec) -> Figures:
    """Give the figures of one week (generated or a fixture) solved with the spec's options.

    The roster is validated and compared with the baseline, and read
    against what the week allows at best (``bench.fairness``).
    """
    figures = Figures(name, len(problem.fathers), spec.institutions, spec.time_limit)
    events: list[Progress] = []
    began, cpu_began = time.monotonic(), time.process_time()
    options = SolveOptions(
        time_limit=spec.time_limit,
        workers=spec.workers,
        seed=spec.seed,
        deterministic=spec.deterministic,
    )
    roster = solve(problem, options, on_progress=events.append)
    figures.wall_seconds = round(time.monotonic() - began, 3)
    figures.solve_cpu_seconds = round(time.process_time() - cpu_began, 3)
    figures.node, figures.digest = node_id(), roster_digest(roster)
    # The solver may report its model-build time; if not, the first progress event comes
    # right after the model is built and the warm start completed, so it marks the end.
    built = getattr(roster, "build_seconds", None)
    if built is None and events:
        built = events[0].seconds
    figures.build_seconds = None if built is None else round(float(built), 3)
    figures.solve_seconds = round(figures.wall_seconds - (figures.build_seconds or 0.0), 3)
    figures.first_roster_seconds = next(
        (event.seconds for event in events if event.objective is not None), None
    )
    figures.checkpoints = read_checkpoints(events, spec.time_limit)
    found = violations(problem, roster)
    figures.violations = len(found)
    figures.valid = roster.status in ("optimal", "feasible") and not found
    figures.peak_mib = round(peak_mib(), 1)
    figures.status, figures.solver, figures.gap = roster.status, roster.solver, roster.gap
    _tier_figures(problem, roster, figures)
    kpis = roster.kpis
    figures.below_legal = len(kpis.fathers_below_legal_minimum)
    figures.entitled, figures.granted = kpis.entitled, kpis.granted
    figures.value, figures.floor = kpis.entitlement_value, kpis.fairness_floor
    baseline_began = time.monotonic()
    baseline = first_come_first_served(problem)
    figures.baseline_seconds = round(time.monotonic() - baseline_began, 3)
    figures.baseline_valid = not violations(problem, baseline)
    figures.baseline_below_legal = len(baseline.kpis.fathers_below_legal_minimum)
    figures.baseline_granted = baseline.kpis.granted
    figures.baseline_value = baseline.kpis.entitlement_value
    figures.baseline_floor = baseline.kpis.fairness_floor
    proofs = min(PROOF_SECONDS, spec.time_limit)
    figures.legal_volunteer_reasons = legal_volunteer_shortfalls(problem, roster)
    figures.baseline_legal_volunteer_reasons = legal_volunteer_shortfalls(problem, baseline)
    figures.nothing_beyond = len(kpis.fathers_nothing_beyond_legal)
    figures.baseline_nothing_beyond = len(baseline.kpis.fathers_nothing_beyond_legal)
    figures.seats_for_all = seats_for_every_father(problem)
    if figures.valid and spec.yardsticks:
        figures.yardsticks = True
        figures.fewest_nothing_beyond = fewest_nothing_beyond_legal(
            problem, roster, proofs, spec.workers
        )
        bounds = value_bounds(problem, roster)
        if bounds is not None:
            figures.value_bound_held, figures.value_bound_free = bounds.held, bounds.free
        most, could = most_granted_something(problem, roster, proofs, spec.workers)
        if most.value == could:
            figures.floor_possible = True
        elif most.bound < could:
            figures.floor_possible = False
    figures.pid = os.getpid()
    return figures


def _gain(value: int | None, baseline: int) -> float | None:
    """Give a value over the baseline's, minus one; None without either."""
    if value is None or baseline <= 0:
        return None
    return value / baseline - 1.0


def measure_alone(spec: InstanceSpec) -> Figures:
    """Give the figures of one instance measured in a fresh process, so its peak is its own."""
    with LocalPoolExecutor(1) as pool:
        return pool.map(measure, [spec])[0]


@dataclass
class National:
    """The national problem: every region's figures, the wall time and the memory of the run."""

    executor: str
    workers: int
    regions: list[Figures]
    wall_seconds: float
    peak_mib: float
    # The CPUs of the machine or of the whole Ray cluster the regions ran on.
    cpus: int = 1

    @property
    def fathers(self) -> int:
        """Give the number of fathers in all regions."""
        return sum(region.fathers for region in self.regions)

    @property
    def institutions(self) -> int:
        """Give the number of institutions in all regions."""
        return sum(region.institutions for region in self.regions)

    @property
    def cpu_seconds(self) -> float:
        """Give the CPU time of every region's solve together."""
        return round(sum(region.solve_cpu_seconds for region in self.regions), 1)

    @property
    def nodes(self) -> int:
        """Give the number of machines (Ray nodes) the regions were solved on."""
        return len({region.node for region in self.regions})

    def describe(self) -> str:
        """Give the wall time against the CPUs, so the scaling to a larger cluster can be read."""
        longest = max((region.wall_seconds for region in self.regions), default=0.0)
        nodes = f"{self.nodes} node" + ("" if self.nodes == 1 else "s")
        return (
            f"wall {self.wall_seconds:.0f} s on {self.cpus} CPUs ({self.executor} x"
            f"{self.workers}, {nodes}); CPU-seconds of the solves {self.cpu_seconds:.0f}; "
            f"longest region {longest:.0f} s"
        )


def national_specs(
    regions: int,
    institutions: int,
    fathers: int,
    time_limit: float,
    seed: int = 1,
    deterministic: bool = False,
) -> list[InstanceSpec]:
    """Give the regions of the national problem, each with its own seed and name.

    The regions are not given the fairness yardsticks' proofs: those would add
    up to twice ``PROOF_SECONDS`` to each region, and the national target is
    about the rosters and the time they take.
    """
    return [
        InstanceSpec(
            fathers=fathers * institutions,
            institutions=institutions,
            seed=seed + index,
            time_limit=time_limit,
            workers=1,
            region=f"region-{index + 1:02d}",
            deterministic=deterministic,
            yardsticks=False,
        )
        for index in range(regions)
    ]


def run_national(
    specs: list[InstanceSpec],
    executor: ExecutorName,
    workers: int | None = None,
    address: str | None = None,
) -> National:
    """Give the national run: the regions solved side by side on the named executor.

    With Ray, ``address`` names an existing cluster; without it a running Ray
    instance is used, or a local one is started (``whatif.executors``).

    The peak is this process's plus each worker's own peak, the most the
    run can have held at once (workers that run at the same time add up).
    """
    began = time.monotonic()
    with make_executor(executor, workers, address) as pool:
        regions = pool.map(measure, specs)
        used, cpus = pool.workers, pool.cpus
    wall = round(time.monotonic() - began, 3)
    per_worker: dict[tuple[str, int], float] = {}
    for region in regions:
        key = (region.node, region.pid)
        per_worker[key] = max(per_worker.get(key, 0.0), region.peak_mib)
    # Regions solved in this very process (the serial executor) are in its own peak already.
    per_worker.pop((node_id(), os.getpid()), None)
    peak = round(peak_mib() + sum(per_worker.values()), 1)
    return National(executor, used, regions, wall, peak, cpus)
