"""Who may take part in what, day by day: effective shell, consent, enrolment, baby, school hours.

These are hard rules 1, 2, 3 (enrolment, baby) and the school-hours part of 5.
Each function answers for one father, one activity and one day, so that the
solver, the baseline and the independent validator share one reading of them.
"""

from __future__ import annotations

from datetime import date, timedelta

from scheduler import reasons
from scheduler.domain import Activity, Father, Problem


def base_shell(father: Father) -> int:
    """Give the father's shell before time-outs: shell 1 without information-sharing consent."""
    return father.shell if father.info_sharing_consent else 1


def on_timeout(problem: Problem, father: Father, day: date) -> bool:
    """Tell whether a time-out covers this date (from its first day, ``timeout_weeks`` long).

    A time-out ended early (``end``) no longer covers its end day or later.
    """
    if not father.timeouts:
        return False
    length = timedelta(weeks=problem.policy.timeout_weeks)
    return any(
        t.start <= day < t.start + length and (t.end is None or day < t.end)
        for t in father.timeouts
    )


def effective_shell(problem: Problem, father: Father, day: int) -> int:
    """Give the father's effective shell on day index ``day`` of the problem's week.

    A time-out makes it ``min(shell, 2)`` from its first day on; days before a
    mid-week time-out keep the father's own shell.
    """
    shell = base_shell(father)
    if on_timeout(problem, father, problem.clock.day_date(day)):
        shell = min(shell, 2)
    return shell


def _age_years(birth: date, day: date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def has_baby(father: Father, day: date) -> bool:
    """Tell whether the father has a child under one year old on this date."""
    return any(
        child.birth_date <= day and _age_years(child.birth_date, day) < 1
        for child in father.children
    )


def has_school_child(father: Father, day: date) -> bool:
    """Tell whether the father has a child aged 4 to 12 on this date."""
    return any(4 <= _age_years(child.birth_date, day) <= 12 for child in father.children)


def needs_other_parent_consent(activity: Activity) -> bool:
    """Tell whether the activity needs the other parent's consent (hard rule 2).

    The activity's ``needs_consent`` says so; without it, activities with the
    child present do. The catalogue sets it false for the regular visit: the
    legal right to a visit (Pbw art. 38) does not hang on that consent.
    """
    if activity.needs_consent is not None:
        return activity.needs_consent
    return activity.child_present


def blocking_reasons(problem: Problem, father: Father, activity: Activity, day: int) -> list[str]:
    """Give every reason the father may not have this activity on this day (empty: he may).

    Covers the effective shell (``time_out``, ``no_consent`` for information
    sharing, ``not_in_shell``), the other parent's consent for activities with
    the child present, enrolment, and the baby rule. A time-out and missing
    information-sharing consent each block on their own, so both are given.
    """
    found: list[str] = []
    shell = effective_shell(problem, father, day)
    if shell not in activity.shells:
        if father.shell not in activity.shells:
            found.append(reasons.NOT_IN_SHELL)
        else:
            date_ = problem.clock.day_date(day)
            if on_timeout(problem, father, date_) and min(father.shell, 2) not in activity.shells:
                found.append(reasons.TIME_OUT)
            if base_shell(father) not in activity.shells:
                found.append(reasons.NO_CONSENT)
    if (
        needs_other_parent_consent(activity)
        and not father.other_parent_consent
        and reasons.NO_CONSENT not in found
    ):
        found.append(reasons.NO_CONSENT)
    if activity.needs_enrolment and activity.id not in father.enrolments:
        found.append(reasons.NOT_ENROLLED)
    if activity.needs_baby and not has_baby(father, problem.clock.day_date(day)):
        found.append(reasons.NO_BABY)
    return found


def eligible(problem: Problem, father: Father, activity: Activity, day: int) -> bool:
    """Tell whether the father may have this activity on this day."""
    return not blocking_reasons(problem, father, activity, day)


def school_hours_conflict(
    problem: Problem, father: Father, activity: Activity, start: int, end: int
) -> bool:
    """Tell whether [start, end) (week minutes) falls in school hours for this father.

    Applies to activities with the child present, for a father with a child
    aged 4 to 12 that day, on the days ``policy.school_hours`` names.
    """
    if not activity.child_present:
        return False
    day = problem.clock.day_of(start)
    if not has_school_child(father, problem.clock.day_date(day)):
        return False
    for window in problem.policy.school_hours:
        low, high = window.week_minutes()
        if start < high and low < end:
            return True
    return False
