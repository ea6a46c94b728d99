"""The cross-references of a week, checked once for the whole problem.

Each broken reference, duplicate id or impossible window gives one message
that names the field and the culprit (``sessions[3].room: unknown room 'R9'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scheduler.ids import ESCORTED_VISIT
from scheduler.spans import inside, week_spans

if TYPE_CHECKING:
    from scheduler.domain import Activity, Assignment, Problem, Room


def _duplicates(field: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    messages = []
    for index, item in enumerate(ids):
        if item in seen:
            messages.append(f"{field}[{index}].id: duplicate id '{item}'")
        seen.add(item)
    return messages


def _unknown(
    field: str, value: str | None, known: set[str] | dict[str, Any], kind: str
) -> list[str]:
    if value is None or value in known:
        return []
    return [f"{field}: unknown {kind} '{value}'"]


def reference_errors(problem: Problem) -> list[str]:
    """Give one message per broken cross-reference, duplicate id or impossible window."""
    messages: list[str] = []
    for field in (
        "institutions",
        "activities",
        "rooms",
        "sessions",
        "volunteers",
        "officers",
        "fathers",
    ):
        messages += _duplicates(field, [item.id for item in getattr(problem, field)])
    messages += _duplicates("pinned", [item.id for item in problem.pinned])
    institutions = {item.id for item in problem.institutions}
    activities = problem.activity_by_id
    rooms = problem.room_by_id
    volunteers = problem.volunteer_by_id
    fathers = problem.father_by_id
    escorted = any(a.escorts for a in problem.activities)
    for shell, table in problem.entitlements.items():
        for activity_id in table:
            if activity_id == ESCORTED_VISIT and ESCORTED_VISIT not in activities:
                if not escorted:
                    messages.append(
                        f"entitlements.{shell}.{activity_id}: no activity has escorts "
                        "(activities[].escorts is 0 everywhere)"
                    )
                continue
            messages += _unknown(
                f"entitlements.{shell}.{activity_id}", activity_id, activities, "activity"
            )
    for index, kind in enumerate(problem.activities):
        if kind.id == ESCORTED_VISIT:
            messages.append(
                f"activities[{index}].id: '{ESCORTED_VISIT}' is granted with an activity's "
                "escorts, not an activity of its own"
            )
        if kind.escorts and kind.placement != "session":
            messages.append(
                f"activities[{index}].escorts: '{kind.id}' is placed individually; "
                "only a session activity has escorts"
            )
    for index, place in enumerate(problem.rooms):
        messages += _unknown(
            f"rooms[{index}].institution", place.institution, institutions, "institution"
        )
    clock = problem.clock
    for index, session in enumerate(problem.sessions):
        where = f"sessions[{index}]"
        messages += _unknown(f"{where}.activity", session.activity, activities, "activity")
        messages += _unknown(f"{where}.room", session.room, rooms, "room")
        activity = activities.get(session.activity)
        room = rooms.get(session.room)
        if activity is None or room is None:
            continue
        messages += session_fit_errors(where, activity, room)
        start = clock.minute(session.start)
        end = start + activity.minutes
        if start < 0 or end > 7 * 1440:
            messages.append(
                f"{where}.start: {session.start.isoformat()} is outside week {problem.week}"
            )
        elif not inside(week_spans(room.open), start, end):
            messages.append(
                f"{where}.start: {session.start.isoformat()} to +{activity.minutes} min "
                f"is outside the opening hours of room '{room.id}'"
            )
    for index, volunteer in enumerate(problem.volunteers):
        where = f"volunteers[{index}]"
        for position, item in enumerate(volunteer.institutions):
            messages += _unknown(
                f"{where}.institutions[{position}]", item, institutions, "institution"
            )
        for position, item in enumerate(volunteer.activities):
            messages += _unknown(f"{where}.activities[{position}]", item, activities, "activity")
        for position, item in enumerate(volunteer.linked_fathers):
            messages += _unknown(f"{where}.linked_fathers[{position}]", item, fathers, "father")
    for index, officer in enumerate(problem.officers):
        messages += _unknown(
            f"officers[{index}].institution", officer.institution, institutions, "institution"
        )
    for index, father in enumerate(problem.fathers):
        where = f"fathers[{index}]"
        messages += _unknown(
            f"{where}.institution", father.institution, institutions, "institution"
        )
        messages += _unknown(
            f"{where}.linked_volunteer", father.linked_volunteer, volunteers, "volunteer"
        )
        for position, item in enumerate(father.enrolments):
            messages += _unknown(f"{where}.enrolments[{position}]", item, activities, "activity")
        for item in father.plan:
            messages += _unknown(f"{where}.plan.{item}", item, activities, "activity")
        for position, item in enumerate(father.non_associations):
            messages += _unknown(f"{where}.non_associations[{position}]", item, fathers, "father")
            if item == father.id:
                messages.append(
                    f"{where}.non_associations[{position}]: '{item}' is the father himself"
                )
    for index, assignment in enumerate(problem.pinned):
        messages += assignment_reference_errors(problem, assignment, f"pinned[{index}]")
    return messages


def session_fit_errors(where: str, activity: Activity, room: Room) -> list[str]:
    """Give why a session (or a template) of the activity cannot be held in the room."""
    messages: list[str] = []
    if activity.placement != "session":
        messages.append(
            f"{where}.activity: '{activity.id}' is placed individually, not in sessions"
        )
    if activity.room_kind is not None and room.kind != activity.room_kind:
        messages.append(
            f"{where}.room: '{room.id}' is a {room.kind}, "
            f"'{activity.id}' needs a {activity.room_kind}"
        )
    return messages


def assignment_reference_errors(problem: Problem, assignment: Assignment, where: str) -> list[str]:
    """Give one message per unknown id or impossible time in one assignment."""
    messages: list[str] = []
    messages += _unknown(
        f"{where}.activity", assignment.activity, problem.activity_by_id, "activity"
    )
    messages += _unknown(f"{where}.room", assignment.room, problem.room_by_id, "room")
    messages += _unknown(f"{where}.session", assignment.session, problem.session_by_id, "session")
    for position, item in enumerate(assignment.fathers):
        messages += _unknown(f"{where}.fathers[{position}]", item, problem.father_by_id, "father")
    for position, item in enumerate(assignment.volunteers):
        messages += _unknown(
            f"{where}.volunteers[{position}]", item, problem.volunteer_by_id, "volunteer"
        )
    for position, item in enumerate(assignment.officers):
        messages += _unknown(
            f"{where}.officers[{position}]", item, problem.officer_by_id, "officer"
        )
    if assignment.end <= assignment.start:
        messages.append(f"{where}.end: {assignment.end.isoformat()} is not after start")
    return messages
