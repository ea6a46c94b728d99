"""The planner's words for the domain's codes, in Dutch (the default) and English.

The page (``api.web.labels``) and the files a planner prints (``exports``)
speak the same words: a reason code in plain words (``capacity:<room kind>``
is built from the room kind's word), a room kind, a day, an activity's English
name (``Activity.name`` is already Dutch and comes from the week's data) and
who takes part (father, room, volunteer, officer).
"""

from __future__ import annotations

from functools import cache

from scheduler import reasons
from scheduler.catalogue import default_catalogue
from scheduler.domain import Activity, Problem

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

REASONS: dict[str, tuple[str, str]] = {
    reasons.PARTNER_CAP: (
        "partnerplafond bereikt (alle vrijwilligersuren van de week benut)",
        "partner cap reached (all volunteer hours of the week used)",
    ),
    reasons.VOLUNTEER_MAX_HOURS: (
        "vrijwilligers zitten aan hun maximale uren",
        "volunteers are at their maximum hours",
    ),
    reasons.NO_VOLUNTEER: ("geen vrijwilliger beschikbaar", "no volunteer available"),
    reasons.NO_OFFICER: ("geen PIW'er in dienst", "no officer on shift"),
    reasons.FATHER_UNAVAILABLE: (
        "vader niet beschikbaar (zitting, werk, medisch)",
        "father unavailable (court, work, medical)",
    ),
    reasons.FATHER_BUSY: (
        "vader heeft dan al een andere activiteit",
        "father already has another activity then",
    ),
    reasons.SCHOOL_HOURS: (
        "valt in schooltijd van een kind van 4 tot 12",
        "falls in school hours of a child aged 4 to 12",
    ),
    reasons.TIME_OUT: ("time-out: terug naar schil 2", "time-out: back to shell 2"),
    reasons.NO_CONSENT: (
        "geen toestemming (andere ouder of informatiedeling)",
        "no consent (other parent or information sharing)",
    ),
    reasons.NO_SESSION: ("geen bijeenkomst deze week", "no session this week"),
    reasons.NOT_ENROLLED: ("niet ingeschreven", "not enrolled"),
    reasons.NO_BABY: ("geen kind jonger dan 1 jaar", "no child under one year old"),
    reasons.NOT_IN_SHELL: ("hoort niet bij zijn schil", "not part of his shell"),
    reasons.ENTITLEMENT_USED: (
        "dag-, week- of vierwekenmaximum al benut",
        "daily, weekly or four-week limit already used",
    ),
    reasons.ROOM_CLOSED: ("ruimte gesloten", "room closed"),
    reasons.NO_ROOM: ("geen geschikte ruimte", "no suitable room"),
    reasons.NON_ASSOCIATION: (
        "moet gescheiden blijven van een andere vader",
        "must be kept apart from another father",
    ),
    reasons.OUTSIDE_WINDOWS: ("buiten de toegestane tijden", "outside the allowed times"),
    reasons.PINNED: ("een vastgezette afspraak zit in de weg", "a pinned assignment is in the way"),
}

ROOM_KINDS: dict[str, tuple[str, str]] = {
    "family_room": ("familiekamer", "family room"),
    "video_station": ("beeldbelstation", "video station"),
    "visit_hall": ("bezoekzaal", "visit hall"),
    "activity_room": ("activiteitenruimte", "activity room"),
    "wing_room": ("ruimte vaderafdeling", "father wing room"),
    "kitchen": ("keuken", "kitchen"),
}
CELL = ("op cel", "in the cell")

ACTIVITIES_EN: dict[str, str] = {
    "regular_visit": "regular visit (supervised)",
    "father_child_day": "father-child day",
    "family_day": "family day",
    "training_my_child_and_i": "training 'My child and I'",
    "workshop": "trainings and workshops",
    "family_room_visit": "family room visit",
    "video_call": "video call",
    "theme_meeting": "theme meeting",
    "creative_afternoon": "creative afternoon",
    "cooking_together": "cooking together",
    "cell_visit": "visit of child and partner in the cell",
    "baby_bath": "bathing the baby",
}

DAY_NAMES: tuple[tuple[str, str], ...] = (
    ("ma", "Mon"),
    ("di", "Tue"),
    ("wo", "Wed"),
    ("do", "Thu"),
    ("vr", "Fri"),
    ("za", "Sat"),
    ("zo", "Sun"),
)

RESOURCES: dict[str, tuple[str, str]] = {
    "father": ("vader", "father"),
    "room": ("ruimte", "room"),
    "volunteer": ("vrijwilliger", "volunteer"),
    "officer": ("PIW'er", "officer"),
}

YES_NO: tuple[tuple[str, str], tuple[str, str]] = (("nee", "no"), ("ja", "yes"))


def pick(pair: tuple[str, str], language: str) -> str:
    """Give the word of a (Dutch, English) pair in a language; Dutch when it is unknown."""
    return pair[LANGUAGES.index(language)] if language in LANGUAGES else pair[0]


def room_kind_words(kind: str | None, language: str) -> str:
    """Give a room kind's name (no kind: in the cell)."""
    if kind is None:
        return pick(CELL, language)
    pair = ROOM_KINDS.get(kind)
    return pick(pair, language) if pair else kind.replace("_", " ")


def room_words(problem: Problem, room_id: str | None, language: str) -> str:
    """Give a room as a planner names it: its kind, then its id (``familiekamer VH-FK``)."""
    if room_id is None:
        return pick(CELL, language)
    room = problem.room_by_id.get(room_id)
    kind = room_kind_words(room.kind if room is not None else None, language)
    return f"{kind} {room_id}" if room is not None else room_id


def reason_words(reason: str, language: str) -> str:
    """Give a shortfall reason in plain words (``capacity:family_room``: family room full)."""
    if reason.startswith(f"{reasons.CAPACITY}:"):
        kind = room_kind_words(reason.split(":", 1)[1], language)
        return f"{kind} vol" if language == "nl" else f"{kind} full"
    pair = REASONS.get(reason)
    return pick(pair, language) if pair else reason


def activity_words(activity: Activity | None, activity_id: str, language: str) -> str:
    """Give an activity's name: the week's own (Dutch) name, or the English one."""
    key = activity.id if activity is not None else activity_id
    if language == "en":
        return ACTIVITIES_EN.get(key, key.replace("_", " "))
    if activity is not None:
        return activity.name
    return _catalogue_names().get(key, key.replace("_", " "))


@cache
def _catalogue_names() -> dict[str, str]:
    """Give the default catalogue's (Dutch) name of each activity, by id."""
    return {activity.id: activity.name for activity in default_catalogue().activities}
