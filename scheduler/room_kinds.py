"""The room kinds the rules name, by their contract value (``Room.kind``, ``Activity.room_kind``).

The catalogue of activities and rooms is data (``scheduler/defaults``); only
the kinds a rule or a default scenario speaks of by name are here.
"""

from __future__ import annotations

VISIT_HALL = "visit_hall"
"""The visit hall (bezoekzaal): fathers kept apart are never in it at the same time."""
FAMILY_ROOM = "family_room"
"""The family room (familiekamer): the default what-if adds a second one."""
