"""A roster as a planner reads it: tables per day, room, father and staff member.

``roster_frames`` gives four pandas frames with the contract's codes, which
``write_csv`` writes as one CSV file per frame into a folder (``days.csv``,
``rooms.csv``, ``fathers.csv``, ``staff.csv``); ``exports.workbook`` gives
them in a planner's words, as the workbook she prints.
``roster_table`` is the plain-text view: the week by day and room, then each
father's entitled against granted per activity with the reasons, fathers
below the legal minimum first and loudly.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd

from scheduler.domain import Assignment, Problem, Roster
from scheduler.entitlements import entitled
from scheduler.four_weeks import FourWeekKPIs, four_week_kpis
from scheduler.objective import granted_counts, minutes, visit_minutes
from scheduler.week import DAYS, MINUTES_PER_DAY, clock_text

FRAMES: tuple[str, ...] = ("days", "rooms", "fathers", "staff")


def _when(problem: Problem, assignment: Assignment) -> tuple[int, str, str, str, str]:
    """Give (week minute, day, date, start, end) of an assignment."""
    clock = problem.clock
    start = clock.minute(assignment.start)
    end = clock.minute(assignment.end)
    day = clock.day_of(start)
    midnight = day * MINUTES_PER_DAY
    return (
        start,
        DAYS[day],
        clock.day_date(day).isoformat(),
        clock_text(start - midnight),
        clock_text(end - midnight),
    )


def _ordered(problem: Problem, roster: Roster) -> list[Assignment]:
    clock = problem.clock
    return sorted(roster.assignments, key=lambda a: (clock.minute(a.start), a.room or "", a.id))


def days_frame(problem: Problem, roster: Roster) -> pd.DataFrame:
    """Give one row per assignment in order of time: the week day by day."""
    rows = []
    for assignment in _ordered(problem, roster):
        _, day, date, start, end = _when(problem, assignment)
        rows.append(
            {
                "day": day,
                "date": date,
                "start": start,
                "end": end,
                "room": assignment.room or "",
                "activity": assignment.activity,
                "fathers": ", ".join(assignment.fathers),
                "volunteers": ", ".join(assignment.volunteers),
                "officers": ", ".join(assignment.officers),
                "session": assignment.session or "",
                "pinned": assignment.pinned,
                "assignment": assignment.id,
            }
        )
    columns = [
        "day", "date", "start", "end", "room", "activity", "fathers",
        "volunteers", "officers", "session", "pinned", "assignment",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def rooms_frame(problem: Problem, roster: Roster) -> pd.DataFrame:
    """Give one row per use of a room, room by room, with its utilisation in the week."""
    rows = []
    ordered = sorted(_ordered(problem, roster), key=lambda a: a.room or "")
    for assignment in ordered:
        if assignment.room is None:
            continue
        room = problem.room_by_id[assignment.room]
        _, day, date, start, end = _when(problem, assignment)
        rows.append(
            {
                "room": room.id,
                "kind": room.kind,
                "institution": room.institution,
                "day": day,
                "date": date,
                "start": start,
                "end": end,
                "activity": assignment.activity,
                "families": len(assignment.fathers),
                "capacity": room.capacity,
                "utilisation": roster.kpis.room_utilisation.get(room.id, 0.0),
                "assignment": assignment.id,
            }
        )
    columns = [
        "room", "kind", "institution", "day", "date", "start", "end", "activity",
        "families", "capacity", "utilisation", "assignment",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def fathers_frame(problem: Problem, roster: Roster) -> pd.DataFrame:
    """Give one row per father and activity he is entitled to or was granted, with reasons."""
    counts = granted_counts(problem, roster.assignments)
    visits = visit_minutes(problem, roster.assignments)
    legal = problem.policy.legal_min_visit_minutes
    reasons = {(s.father, s.activity): s.reasons for s in roster.shortfalls}
    rows = []
    for father in problem.fathers:
        for activity in problem.entitlement_activities:
            owed = entitled(problem, father, activity)
            granted = counts[father.id, activity.id]
            if owed == 0 and granted == 0:
                continue
            rows.append(
                {
                    "father": father.id,
                    "institution": father.institution,
                    "shell": father.shell,
                    "visit_minutes": visits[father.id],
                    "below_legal_minimum": visits[father.id] < legal,
                    "activity": activity.id,
                    "entitled": owed,
                    "granted": granted,
                    "reasons": ", ".join(reasons.get((father.id, activity.id), [])),
                }
            )
    columns = [
        "father", "institution", "shell", "visit_minutes", "below_legal_minimum",
        "activity", "entitled", "granted", "reasons",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["below_legal_minimum", "father"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def staff_frame(problem: Problem, roster: Roster) -> pd.DataFrame:
    """Give one row per volunteer or officer per assignment served, person by person."""
    rows = []
    for assignment in _ordered(problem, roster):
        _, day, date, start, end = _when(problem, assignment)
        length = minutes(problem, assignment)
        for role, people in (
            ("volunteer", assignment.volunteers),
            ("officer", assignment.officers),
        ):
            for person in people:
                rows.append(
                    {
                        "role": role,
                        "person": person,
                        "day": day,
                        "date": date,
                        "start": start,
                        "end": end,
                        "minutes": length,
                        "activity": assignment.activity,
                        "room": assignment.room or "",
                        "fathers": ", ".join(assignment.fathers),
                        "assignment": assignment.id,
                    }
                )
    columns = [
        "role", "person", "day", "date", "start", "end", "minutes", "activity",
        "room", "fathers", "assignment",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["role", "person"], kind="stable").reset_index(drop=True)


def four_weeks_frame(kpis: FourWeekKPIs) -> pd.DataFrame:
    """Give one row per father over four weeks: fulfilment, weeks below the legal minimum."""
    rows = [
        {
            "father": father,
            "fulfilment_4_weeks": round(ratio, 3),
            "weeks_below_legal_minimum": ", ".join(kpis.below_legal_minimum.get(father, [])),
            "below_legal_minimum_twice": father in kpis.fathers_below_legal_minimum_twice,
        }
        for father, ratio in kpis.fulfilment_by_father.items()
    ]
    columns = [
        "father", "fulfilment_4_weeks", "weeks_below_legal_minimum", "below_legal_minimum_twice",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(
        ["below_legal_minimum_twice", "fulfilment_4_weeks", "father"],
        ascending=[False, True, True],
        kind="stable",
    ).reset_index(drop=True)


def roster_frames(problem: Problem, roster: Roster) -> dict[str, pd.DataFrame]:
    """Give the roster as frames by day, room, father and staff, named as in ``FRAMES``.

    A week with a history (docs/design.md section 10) adds ``four_weeks``.
    """
    frames = {
        "days": days_frame(problem, roster),
        "rooms": rooms_frame(problem, roster),
        "fathers": fathers_frame(problem, roster),
        "staff": staff_frame(problem, roster),
    }
    if problem.history is not None:
        frames["four_weeks"] = four_weeks_frame(four_week_kpis(problem, roster.assignments))
    return frames


def write_csv(folder: str | Path, frames: dict[str, pd.DataFrame]) -> list[Path]:
    """Give the CSV files written into ``folder``, one per frame (``days.csv`` ...)."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in frames.items():
        path = target / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    return written


def summary_lines(problem: Problem, roster: Roster) -> list[str]:
    """Give the roster's headline: status, objective, bound, gap, time, KPIs, legal shortfalls."""
    kpis = roster.kpis
    gap = "-" if roster.gap is None else f"{roster.gap:.2%}"
    lines = [
        f"Roster {roster.problem_id} ({roster.week}), solver {roster.solver}: {roster.status}",
        f"  objective {roster.objective}  bound {roster.bound}  gap {gap}  "
        f"time {roster.solve_seconds:.2f} s",
    ]
    if roster.tiers:
        lines.append(
            "  tiers " + ", ".join(f"{name} {value}" for name, value in roster.tiers.items())
        )
    lines.append(
        f"  fulfilment {kpis.fulfilment:.1%} ({kpis.granted} of {kpis.entitled})  "
        f"fairness floor {kpis.fairness_floor:.1%}  entitlement value {kpis.entitlement_value}"
    )
    lines.append(
        f"  fathers with nothing beyond the legal visit: {len(kpis.fathers_nothing_beyond_legal)}"
    )
    lines.append(
        f"  volunteer hours {kpis.volunteer_hours:.1f} of {kpis.partner_cap_hours:g} (partner cap)"
    )
    below = kpis.fathers_below_legal_minimum
    if below:
        lines.append(
            f"  !!! LEGAL MINIMUM NOT MET for {len(below)} of {len(problem.fathers)} fathers "
            f"(under {problem.policy.legal_min_visit_minutes} min of visit): {', '.join(below)}"
        )
    else:
        lines.append("  every father has the legal minimum visit time")
    return lines


def week_lines(problem: Problem, roster: Roster) -> list[str]:
    """Give the week by day and room: time, activity, fathers and staff."""
    by_day: dict[int, dict[str, list[Assignment]]] = defaultdict(lambda: defaultdict(list))
    clock = problem.clock
    for assignment in _ordered(problem, roster):
        day = clock.day_of(clock.minute(assignment.start))
        by_day[day][assignment.room or "(cell)"].append(assignment)
    lines: list[str] = []
    for day in sorted(by_day):
        lines.append(f"{DAYS[day]} {clock.day_date(day).isoformat()}")
        for room in sorted(by_day[day]):
            lines.append(f"  {room}")
            for assignment in by_day[day][room]:
                _, _, _, start, end = _when(problem, assignment)
                staff = ", ".join(assignment.volunteers + assignment.officers) or "-"
                pin = "  (pinned)" if assignment.pinned else ""
                lines.append(
                    f"    {start}-{end}  {assignment.activity:<24} "
                    f"{', '.join(assignment.fathers):<30} staff: {staff}{pin}"
                )
    return lines or ["(no assignments)"]


def father_lines(problem: Problem, roster: Roster) -> list[str]:
    """Give each father's entitled against granted per activity, below the legal minimum first."""
    frame = fathers_frame(problem, roster)
    lines: list[str] = []
    for father, rows in frame.groupby("father", sort=False):
        first = rows.iloc[0]
        legal = "  !!! BELOW LEGAL MINIMUM" if first["below_legal_minimum"] else ""
        lines.append(
            f"{father} ({first['institution']}, shell {first['shell']}, "
            f"{first['visit_minutes']} min of visit){legal}"
        )
        for _, row in rows.iterrows():
            why = f"  [{row['reasons']}]" if row["reasons"] else ""
            lines.append(f"    {row['activity']:<26} {row['granted']} of {row['entitled']}{why}")
    return lines


def four_week_lines(kpis: FourWeekKPIs) -> list[str]:
    """Give the four-week KPIs: fulfilment floor, child contact, fathers short twice (loudly)."""
    contact = kpis.contact_minutes_by_child
    lines = [
        f"Four weeks {', '.join(kpis.weeks)}",
        f"  fulfilment floor {kpis.fulfilment_floor:.1%} over {len(kpis.fulfilment_by_father)} "
        f"fathers; least contact of a child {min(contact.values(), default=0)} min, "
        f"most {max(contact.values(), default=0)} min",
        "  fathers with nothing beyond the legal visit in every week: "
        f"{len(kpis.fathers_nothing_beyond_legal_every_week)}",
    ]
    twice = kpis.fathers_below_legal_minimum_twice
    if twice:
        lines.append(
            f"  !!! BELOW THE LEGAL MINIMUM IN TWO OR MORE OF FOUR WEEKS: {len(twice)} fathers: "
            + ", ".join(f"{f} ({', '.join(kpis.below_legal_minimum[f])})" for f in twice)
        )
    else:
        lines.append("  no father below the legal minimum in two of the weeks")
    return lines


def four_week_table(kpis: FourWeekKPIs) -> str:
    """Give the four-week KPIs as plain text."""
    return "\n".join(four_week_lines(kpis)) + "\n"


def roster_table(problem: Problem, roster: Roster) -> str:
    """Give the plain-text roster a planner reads: headline, the week, then every father.

    A week with a history adds its four-week KPIs after the headline.
    """
    parts = summary_lines(problem, roster)
    if problem.history is not None:
        parts += [""] + four_week_lines(four_week_kpis(problem, roster.assignments))
    parts += ["", "The week"] + week_lines(problem, roster)
    parts += ["", "Fathers: granted of entitled, with what blocks more"] + father_lines(
        problem, roster
    )
    return "\n".join(parts) + "\n"
