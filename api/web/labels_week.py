"""The words of what the grid tells of the week beside its roster, in Dutch and English.

Sessions that do not run and why, free capacity per room and day, the
week's bottleneck, and the best roster so far while a solve runs
(``scheduler.capacity``); ``api.web.labels`` merges them into its texts.
"""

from __future__ import annotations

WEEK_TEXT: dict[str, tuple[str, str]] = {
    "idle": ("draait niet", "does not run"),
    "idle_reason": (
        "{reason}; dit houdt {fathers} van de {tried} vaders tegen",
        "{reason}; this holds back {fathers} of the {tried} fathers",
    ),
    "idle_nobody_owed": (
        "geen vader die er nog recht op heeft of aan mag doen ({tried} vaders nagegaan)",
        "no father still entitled to it or eligible ({tried} fathers checked)",
    ),
    "idle_would_fit": (
        "kan nog draaien: {fathers} vader(s) passen erin",
        "could still run: {fathers} father(s) fit",
    ),
    "free_hours": ("{free} u vrij van {open} u", "{free} h free of {open} h"),
    "seats_free": (
        "{clock}: {free} van {capacity} plaatsen vrij",
        "{clock}: {free} of {capacity} seats free",
    ),
    "bottleneck": (
        "Knelpunt van de week: {what}. "
        "Dit beslist {decides} van de {shortfalls} tekorten{figures}.",
        "The week's bottleneck: {what}. "
        "It decides {decides} of the {shortfalls} shortfalls{figures}.",
    ),
    "bottleneck_cap": (
        "; {used} van {cap} uur partnertijd is gebruikt",
        "; {used} of {cap} hours of partner time are used",
    ),
    "bottleneck_room": (
        "; {used} van de {open} open uren in gebruik",
        "; {used} of the {open} open hours in use",
    ),
    "bottleneck_officers": (
        "; {officers} PIW'ers met diensten deze week",
        "; {officers} officers with shifts this week",
    ),
    "bottleneck_none": (
        "Geen knelpunt: geen tekort wacht op een ruimte, partnertijd of personeel.",
        "No bottleneck: no shortfall waits for a room, partner time or staff.",
    ),
    "best_so_far": (
        "Beste rooster tot nu toe: het wordt nog verbeterd en ververst hier vanzelf.",
        "Best roster so far: it is still being improved and refreshes here by itself.",
    ),
    "best_so_far_figures": (
        "Gevonden na {seconds} s ({source}): {legal} van de {fathers} vaders halen hun "
        "wettelijke minimum, aanspraakwaarde {value}, {count} afspraken.",
        "Found after {seconds} s ({source}): {legal} of the {fathers} fathers reach their "
        "legal minimum, entitlement value {value}, {count} appointments.",
    ),
    "best_so_far_start": ("het startrooster", "the warm start"),
    "best_so_far_search": ("gevonden door de zoektocht", "found by the search"),
    "resource_partner_cap": ("partnertijd (het partnerplafond)", "partner time (the partner cap)"),
    "resource_volunteer_max_hours": (
        "de uren van de vrijwilligers zelf",
        "the volunteers' own hours",
    ),
    "resource_no_volunteer": ("vrijwilligers op het juiste moment", "volunteers at the right time"),
    "resource_no_officer": ("PIW'ers in dienst", "officers on shift"),
    "resource_room_closed": ("gesloten ruimtes", "closed rooms"),
    "resource_capacity": ("ruimte: {kind}", "room: {kind}"),
    "buy_title": ("Wat nu kopen?", "What to buy next?"),
    "buy_intro": (
        "Geschat uit de duale prijzen van de lineaire relaxatie, per eenheid, de hoogste eerst; "
        "de beste drie zijn nagerekend door de week met die aankoop op te lossen.",
        "Estimated from the duals of the linear relaxation, per unit, highest first; "
        "the best three are confirmed by solving the week with that purchase.",
    ),
    "buy_confirmed": ("nagerekend", "confirmed"),
}
