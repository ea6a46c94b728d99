"""The fixed vocabulary of shortfall reasons (docs/design.md section 4).

A reason names what actually blocks one more occurrence; ``capacity:`` is
followed by the room kind that is full (``capacity:family_room``).
"""

CAPACITY = "capacity"
PARTNER_CAP = "partner_cap"
VOLUNTEER_MAX_HOURS = "volunteer_max_hours"
NO_VOLUNTEER = "no_volunteer"
NO_OFFICER = "no_officer"
FATHER_UNAVAILABLE = "father_unavailable"
FATHER_BUSY = "father_busy"
SCHOOL_HOURS = "school_hours"
TIME_OUT = "time_out"
NO_CONSENT = "no_consent"
NO_SESSION = "no_session"
NOT_ENROLLED = "not_enrolled"
NO_BABY = "no_baby"
NOT_IN_SHELL = "not_in_shell"
ENTITLEMENT_USED = "entitlement_used"
ROOM_CLOSED = "room_closed"
NO_ROOM = "no_room"
NON_ASSOCIATION = "non_association"
OUTSIDE_WINDOWS = "outside_windows"
PINNED = "pinned"

VOCABULARY: frozenset[str] = frozenset(
    {
        PARTNER_CAP,
        VOLUNTEER_MAX_HOURS,
        NO_VOLUNTEER,
        NO_OFFICER,
        FATHER_UNAVAILABLE,
        FATHER_BUSY,
        SCHOOL_HOURS,
        TIME_OUT,
        NO_CONSENT,
        NO_SESSION,
        NOT_ENROLLED,
        NO_BABY,
        NOT_IN_SHELL,
        ENTITLEMENT_USED,
        ROOM_CLOSED,
        NO_ROOM,
        NON_ASSOCIATION,
        OUTSIDE_WINDOWS,
        PINNED,
    }
)


def capacity(room_kind: str) -> str:
    """Give the reason for a full room of a kind: ``capacity:family_room``."""
    return f"{CAPACITY}:{room_kind}"


def is_known(reason: str) -> bool:
    """Tell whether a reason belongs to the vocabulary."""
    return reason in VOCABULARY or reason.startswith(f"{CAPACITY}:")
