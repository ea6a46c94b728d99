"""The page's words: every reason, room kind and activity has Dutch and English labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.web.labels import TEXT, Labels
from exports.words import LANGUAGES
from scheduler import reasons
from scheduler.catalogue import default_catalogue

DUTCH, ENGLISH = Labels("nl"), Labels("en")


@pytest.mark.parametrize("reason", sorted(reasons.VOCABULARY))
def test_every_reason_of_the_vocabulary_has_its_own_words_in_both_languages(reason: str) -> None:
    """Each reason reads as words (not its code), differently in Dutch and English."""
    assert reason not in (DUTCH.reason(reason), ENGLISH.reason(reason))
    assert DUTCH.reason(reason) != ENGLISH.reason(reason)


def test_a_full_room_of_every_catalogue_kind_is_named_by_the_room_kind() -> None:
    """``capacity:<kind>`` reads as the kind's name and 'vol' / 'full' for each catalogue kind."""
    kinds = sorted({a.room_kind for a in default_catalogue().activities if a.room_kind})
    assert [DUTCH.reason(reasons.capacity(kind)) for kind in kinds] == [
        "activiteitenruimte vol",
        "familiekamer vol",
        "keuken vol",
        "beeldbelstation vol",
        "bezoekzaal vol",
        "ruimte vaderafdeling vol",
    ]
    assert ENGLISH.reason(reasons.capacity("family_room")) == "family room full"


def test_every_catalogue_activity_has_an_english_name_and_keeps_its_dutch_one() -> None:
    """English names come from the label map; Dutch ones are the week's own ``Activity.name``."""
    for activity in default_catalogue().activities:
        assert DUTCH.activity(activity) == activity.name
        english = ENGLISH.activity(activity)
        assert english != activity.name and "_" not in english


def test_every_text_has_a_dutch_and_an_english_version() -> None:
    """No page text is left empty in either language."""
    assert all(len(pair) == len(LANGUAGES) and all(pair) for pair in TEXT.values())


def test_numbers_dates_and_moments_read_as_planners_write_them() -> None:
    """A Dutch number has a decimal comma; dates and times are in Amsterdam time."""
    assert (DUTCH.number(24.5), ENGLISH.number(24.5), DUTCH.number(36.0)) == ("24,5", "24.5", "36")
    assert (DUTCH.date(date(2027, 3, 2)), ENGLISH.date(date(2027, 3, 2))) == ("2 mrt", "2 Mar")
    assert DUTCH.moment(datetime(2027, 2, 2, 14, 0, tzinfo=UTC)) == "di 2 feb 15:00"
    assert ENGLISH.moment_text("2027-02-06T14:00:00+01:00") == "Sat 6 Feb 14:00"
    assert DUTCH.resource("room VH-FK") == "ruimte VH-FK"
    assert Labels("fr")("publish") == "Publiceren"
