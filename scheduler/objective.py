"""What makes one roster better than another, tier by tier (docs/design.md section 4).

The tiers, in strict priority: legal minimum visit time, entitlements with
diminishing returns, continuity and wishes, stability against a previous
roster, economy of volunteer hours. ``combine`` folds them into one integer in
which a lower tier can never outweigh one unit of a higher tier, because each
tier is multiplied by more than the whole range of everything below it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.domain import Assignment, Father, Problem, Roster
from scheduler.entitlements import entitled, grantable
from scheduler.ids import ESCORTED_VISIT

TIERS: tuple[str, ...] = ("legal_minimum", "entitlements", "continuity", "stability", "economy")
OCCURRENCE_VALUE_BASE = 420
# The whole week's levels weigh more than one activity's: a father's next occurrence at a
# low level outweighs another father's first of a kind at a high one.
WEEK_VALUE_BASE = 1260


# Fairness across weeks: a father who fared worse than is typical in the weeks before has
# his occurrences raised by up to RAISE_CAP tenths, so at most tripled (docs/design.md
# section 10).
RAISE_STEPS = 10
RAISE_CAP = 20


def raise_steps(problem: Problem, father: Father) -> int:
    """Give the tenths by which the father's occurrences are worth more this week (0..20).

    His share granted of what he was owed in the three weeks before, against
    the typical share of all fathers: a father at the typical share or above
    gets none, one at half of it ten tenths, one granted nothing the cap. A
    cancellation by the institution counts as not granted, a family's no-show
    as granted. Weeks further back no longer count, so no one is favoured forever.
    """
    earlier = problem.earlier
    owed = earlier.owed[father.id]
    if not owed or earlier.typical <= 0:
        return 0
    share = earlier.had[father.id] / owed
    behind = max(0.0, earlier.typical - share) / earlier.typical
    return min(RAISE_CAP, round(2 * RAISE_STEPS * behind))


# Fairness across weeks as a max-min: where the weeks before say what each father was owed,
# the least four-week share over the fathers (``four_week_floor``), in FLOOR_STEPS parts,
# is worth FLOOR_WEIGHT a part inside the entitlement tier (docs/design.md section 10). One
# more occurrence for the father at the floor of a window of 40 owed (25 parts) outweighs
# the most one occurrence of anyone is worth with the raise at its cap (3 * (420 + 1260)).
FLOOR_STEPS = 1000
FLOOR_WEIGHT = 250


@dataclass(frozen=True)
class WindowShare:
    """What a father's four-week share reads: owed and had in the weeks before, owed this week.

    ``now`` is per activity what he could be granted this week (``grantable``), not 0.
    """

    owed_before: int
    had_before: int
    now: dict[str, int]

    @property
    def owed(self) -> int:
        """Give what he was owed over the four weeks."""
        return self.owed_before + sum(self.now.values())

    def parts(self, had_now: int) -> int:
        """Give his four-week share in FLOOR_STEPS parts (rounded down) with ``had_now`` granted."""
        return FLOOR_STEPS * (self.had_before + had_now) // self.owed

    def counted_now(self, father_id: str, counts: Counter[tuple[str, str]]) -> int:
        """Give what of ``counts`` counts toward his share this week: per activity up to ``now``."""
        return sum(min(counts[father_id, a], n) for a, n in self.now.items())


def could_have(problem: Problem) -> dict[str, dict[str, int]]:
    """Give per father and activity what he could be granted this week (``grantable``), not 0."""
    found: dict[str, dict[str, int]] = {}
    for father in problem.fathers:
        table = {a.id: grantable(problem, father, a) for a in problem.entitlement_activities}
        found[father.id] = {a: n for a, n in table.items() if n}
    return found


def window_shares(problem: Problem) -> dict[str, WindowShare]:
    """Give the fathers the four-week floor reads (``window_shares_of``), read once per problem."""
    return problem.window


def floor_range(problem: Problem) -> int:
    """Give the most the four-week floor adds to the entitlement tier: 0 where it reads no one."""
    return FLOOR_WEIGHT * floor_most(window_shares(problem).values())


def floor_most(shares: Iterable[WindowShare]) -> int:
    """Give the most the four-week floor can reach, in FLOOR_STEPS parts (0 where it reads no one).

    The least share is no more than any one father's: the least over the
    fathers of his share with all he could be granted this week.
    """
    return min((min(FLOOR_STEPS, s.parts(sum(s.now.values()))) for s in shares), default=0)


def window_shares_of(problem: Problem) -> dict[str, WindowShare]:
    """Give the fathers the four-week floor reads, each with what his share is read over.

    Empty where no week before says what any father was owed:
    a week planned alone has no floor term. A father owed nothing in the four
    weeks is left out.
    """
    earlier = problem.earlier
    if not earlier.owed:
        return {}
    found: dict[str, WindowShare] = {}
    for father_id, now in could_have(problem).items():
        share = WindowShare(earlier.owed[father_id], earlier.had[father_id], now)
        if share.owed:
            found[father_id] = share
    return found


def four_week_parts(problem: Problem, counts: Counter[tuple[str, str]]) -> dict[str, int]:
    """Give each father's four-week share in FLOOR_STEPS parts (none without the weeks before).

    This week's occurrences count up to what each father could be granted of
    each activity, as ``scheduler.four_weeks.four_week_kpis`` reads them.
    """
    return {
        f: share.parts(share.counted_now(f, counts)) for f, share in window_shares(problem).items()
    }


def four_week_floor(problem: Problem, counts: Counter[tuple[str, str]]) -> int:
    """Give the least four-week share over the fathers in FLOOR_STEPS parts (0 without any)."""
    return min(four_week_parts(problem, counts).values(), default=0)


def raised(value: int, steps: int) -> int:
    """Give a value raised by ``steps`` tenths (whole units, rounded down)."""
    return value * (RAISE_STEPS + steps) // RAISE_STEPS


def occurrence_value(k: int, steps: int = 0) -> int:
    """Give the value of a father's k-th occurrence of an activity in a week (420, 210, ...)."""
    return raised(OCCURRENCE_VALUE_BASE // k, steps)


def entitlement_value(granted: int, steps: int = 0) -> int:
    """Give the value of ``granted`` occurrences of one activity for one father."""
    return sum(occurrence_value(k, steps) for k in range(1, granted + 1))


def week_level_value(level: int, steps: int = 0) -> int:
    """Give the value of the level-th occurrence of a father's week, any activity (1260, 630...)."""
    return raised(WEEK_VALUE_BASE // level, steps)


def father_value(granted: list[int], steps: int = 0) -> int:
    """Give one father's entitlement value from his granted count per activity (capped).

    Returns diminish per activity and over his whole week, so a father with
    little is served before another gets more (docs/design.md section 4);
    ``steps`` raises it for his shortfalls of the weeks before (``raise_steps``).
    """
    week = sum(week_level_value(j, steps) for j in range(1, sum(granted) + 1))
    return week + sum(entitlement_value(count, steps) for count in granted)


def father_granted(
    problem: Problem, father: Father, counts: Counter[tuple[str, str]]
) -> dict[str, tuple[int, int]]:
    """Give per activity the father is entitled to: (entitled, granted), granted capped."""
    found: dict[str, tuple[int, int]] = {}
    for activity in problem.entitlement_activities:
        owed = entitled(problem, father, activity)
        if owed:
            found[activity.id] = (owed, min(counts[father.id, activity.id], owed))
    return found


def minutes(problem: Problem, assignment: Assignment) -> int:
    """Give an assignment's length in minutes."""
    clock = problem.clock
    return clock.minute(assignment.end) - clock.minute(assignment.start)


def visit_minutes(problem: Problem, assignments: list[Assignment]) -> Counter[str]:
    """Give each father's minutes of visit (activities that count as visit) in the assignments."""
    found: Counter[str] = Counter()
    for assignment in assignments:
        if problem.activity_by_id[assignment.activity].counts_as_visit:
            for father in assignment.fathers:
                found[father] += minutes(problem, assignment)
    return found


def has_its_escorts(problem: Problem, assignment: Assignment) -> bool:
    """Tell whether an assignment of an activity with escorts has all of them beside its staff."""
    activity = problem.activity_by_id.get(assignment.activity)
    if activity is None or not activity.escorts:
        return False
    return len(set(assignment.volunteers)) >= activity.volunteers + activity.escorts


def granted_counts(problem: Problem, assignments: list[Assignment]) -> Counter[tuple[str, str]]:
    """Give how many occurrences each (father, activity) has in the assignments.

    An occurrence with all its escorts also counts as an ``escorted_visit``.
    """
    found: Counter[tuple[str, str]] = Counter()
    for assignment in assignments:
        escorted = has_its_escorts(problem, assignment)
        for father in assignment.fathers:
            found[father, assignment.activity] += 1
            if escorted:
                found[father, ESCORTED_VISIT] += 1
    return found


def in_preferred(problem: Problem, father_id: str, assignment: Assignment) -> bool:
    """Tell whether an assignment lies inside one of the father's preferred windows."""
    father = problem.father_by_id[father_id]
    start = problem.clock.minute(assignment.start)
    end = problem.clock.minute(assignment.end)
    return any(
        low <= start and end <= high for low, high in (w.week_minutes() for w in father.preferred)
    )


def occurrence_key(father: str, assignment: Assignment) -> tuple[str, str, str]:
    """Give what identifies a father's occurrence across rosters: father, activity and start."""
    return father, assignment.activity, assignment.start.isoformat()


@dataclass(frozen=True)
class Tiers:
    """The value of each objective tier; higher is better in every tier."""

    legal_minimum: int
    entitlements: int
    continuity: int
    stability: int
    economy: int

    def as_dict(self) -> dict[str, int]:
        """Give the tiers by name."""
        return {name: getattr(self, name) for name in TIERS}


def tier_order(values: dict[str, int]) -> tuple[int, ...]:
    """Give tier values (by name) in their order of priority: a better roster compares greater."""
    return tuple(values[name] for name in TIERS)


def volunteer_minutes(problem: Problem, assignments: list[Assignment]) -> int:
    """Give the volunteer minutes the assignments use, all volunteers together."""
    return sum(minutes(problem, a) * len(a.volunteers) for a in assignments)


def partner_cap_minutes(problem: Problem) -> int:
    """Give the partner cap in whole minutes."""
    return int(round(problem.policy.partner_cap_hours * 60))


def tiers(problem: Problem, assignments: list[Assignment], previous: Roster | None = None) -> Tiers:
    """Give the tier values of a set of assignments (``previous`` for the stability tier)."""
    visits = visit_minutes(problem, assignments)
    legal = sum(
        1 for f in problem.fathers if visits[f.id] >= problem.policy.legal_min_visit_minutes
    )
    counts = granted_counts(problem, assignments)
    value = sum(
        father_value(
            [g for _, g in father_granted(problem, father, counts).values()],
            raise_steps(problem, father),
        )
        for father in problem.fathers
    )
    value += FLOOR_WEIGHT * four_week_floor(problem, counts)
    continuity = 0
    for assignment in assignments:
        for father_id in assignment.fathers:
            linked = problem.father_by_id[father_id].linked_volunteer
            if linked is not None and linked in assignment.volunteers:
                continuity += 1
            if in_preferred(problem, father_id, assignment):
                continuity += 1
    stability = 0
    if previous is not None:
        before = {occurrence_key(f, a) for a in previous.assignments for f in a.fathers}
        now = {occurrence_key(f, a) for a in assignments for f in a.fathers}
        stability = len(before & now)
    economy = max(0, partner_cap_minutes(problem) - volunteer_minutes(problem, assignments))
    return Tiers(legal, value, continuity, stability, economy)


def tier_ranges(problem: Problem, previous: Roster | None = None) -> Tiers:
    """Give an upper bound of each tier for this problem (each tier lies in 0..bound)."""
    occurrences = 0
    value = 0
    for father in problem.fathers:
        owed = [entitled(problem, father, a) for a in problem.entitlement_activities]
        occurrences += sum(owed)
        value += father_value(owed, raise_steps(problem, father))
    value += floor_range(problem)
    stability = 0
    if previous is not None:
        stability = sum(len(a.fathers) for a in previous.assignments)
    return Tiers(
        legal_minimum=len(problem.fathers),
        entitlements=value,
        continuity=2 * occurrences,
        stability=stability,
        economy=partner_cap_minutes(problem),
    )


def combine(values: Tiers, ranges: Tiers) -> int:
    """Fold tier values into one integer, each tier weighted above all tiers below it together."""
    total = 0
    for name in TIERS:
        total = total * (getattr(ranges, name) + 1) + getattr(values, name)
    return total


def objective(
    problem: Problem, assignments: list[Assignment], previous: Roster | None = None
) -> int:
    """Give the single objective value of a set of assignments."""
    return combine(tiers(problem, assignments, previous), tier_ranges(problem, previous))
