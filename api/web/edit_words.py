"""The words of editing a draft by hand on the planner's page, in Dutch and English.

``api.web.labels`` takes them into its texts; they live here so that the
labels of the grid and of editing grow apart.
"""

from __future__ import annotations

EDIT_TEXT: dict[str, tuple[str, str]] = {
    "edit": ("Bewerken", "Edit"),
    "tab_edit": ("Bewerken", "Edit"),
    "edit_of": ("Bewerk {what}", "Edit {what}"),
    "edit_title": ("Afspraak bewerken", "Edit an appointment"),
    "add_title": ("Afspraak toevoegen", "Add an appointment"),
    "edit_intro": (
        "Elke wijziging wordt meteen gecontroleerd op alle harde regels en opgeslagen als een "
        "nieuw concept; het vorige concept blijft bewaard. Een wijziging die een regel breekt, "
        "wordt niet doorgevoerd.",
        "Each change is checked at once against every hard rule and saved as a new draft; the "
        "previous draft is kept. A change that breaks a rule is not made.",
    ),
    "add": ("Toevoegen", "Add"),
    "no_session": ("geen (op dag en tijd)", "none (by day and time)"),
    "move": ("Verplaatsen", "Move"),
    "move_to": ("Verplaats naar {when}", "Move to {when}"),
    "swap": ("Ruilen", "Swap"),
    "swap_with": ("Ruilen met", "Swap with"),
    "delete": ("Verwijderen", "Delete"),
    "pin": ("Vastzetten", "Pin"),
    "unpin": ("Losmaken", "Unpin"),
    "pin_of": ("Zet {what} vast", "Pin {what}"),
    "unpin_of": ("Maak {what} los", "Unpin {what}"),
    "session_label": ("Bijeenkomst", "Session"),
    "which_father": ("Welke vader", "Which father"),
    "whole_session": ("de hele bijeenkomst", "the whole session"),
    "any_room": ("een vrije ruimte", "any free room"),
    "nearest": ("Vrije plaatsen dichtbij", "Free places nearby"),
    "no_nearest": (
        "Er is geen andere vrije plaats voor deze afspraak.",
        "There is no other free place for this appointment.",
    ),
    "edit_saved": (
        "Opgeslagen als concept {version} en gecontroleerd: geen nieuwe overtreding van een "
        "harde regel.",
        "Saved as draft {version} and checked: no new breach of a hard rule.",
    ),
    "edit_findings": (
        "Dit rooster breekt nog {count} harde regel(s), zoals al vóór de wijziging.",
        "This roster still breaks {count} hard rule(s), as before the change.",
    ),
    "edit_refused": (
        "Niet gewijzigd: dit breekt een harde regel ({reasons}). Kies eventueel een vrije plaats "
        "hieronder.",
        "Not changed: this breaks a hard rule ({reasons}). You may choose a free place below.",
    ),
    "edited_draft": ("Concept {version}, met de hand bewerkt", "Draft {version}, edited by hand"),
    "resolve_pins": ("Opnieuw plannen rond vastgezette afspraken", "Re-plan around pinned ones"),
    "resolve_pins_help": (
        "Vastgezette afspraken blijven precies staan; de rest wordt opnieuw gepland, zo dicht "
        "mogelijk bij dit concept.",
        "Pinned appointments stay exactly; the rest is planned again, as close as possible to "
        "this draft.",
    ),
    "edit_published": (
        "Een gepubliceerd rooster blijft zoals het is: plan opnieuw voor een concept om te "
        "bewerken.",
        "A published roster stays as it is: re-plan for a draft to edit.",
    ),
    "back_grid": ("Terug naar het rooster", "Back to the roster"),
    "tab_difference": ("Verschil", "Difference"),
    "difference_title": ("Verschil met het vorige rooster", "Difference from the previous roster"),
    "no_previous": (
        "Dit rooster komt niet uit een vorig rooster voort; er is niets om mee te vergelijken.",
        "This roster was not made from a previous one; there is nothing to compare.",
    ),
}
