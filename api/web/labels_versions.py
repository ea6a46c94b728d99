"""The words of two versions compared and of publishing after a preview, in Dutch and English.

A difference of two rosters (kept, moved, dropped, new, staff swaps), the
comparison of published versions and the preview a planner ticks before
publishing; ``api.web.labels`` merges them into its texts.
"""

from __future__ import annotations

VERSION_TEXT: dict[str, tuple[str, str]] = {
    "diff_kept": ("ongewijzigd", "kept"),
    "diff_moved": ("Verplaatst", "Moved"),
    "diff_dropped": ("Vervallen", "Dropped"),
    "diff_new": ("Nieuw", "New"),
    "diff_swaps": ("Ander personeel", "Staff swaps"),
    "diff_nothing": ("geen", "none"),
    "diff_changes": ("Wijzigingen", "Changes"),
    "publish_preview": (
        "Controleer elke wijziging hierboven, ook het andere personeel.",
        "Check every change above, staff swaps included.",
    ),
    "publish_confirm": (
        "Ik heb alle wijzigingen gezien en publiceer dit als volgende versie",
        "I have seen every change and publish this as the next version",
    ),
    "tab_publish": ("Publiceren", "Publish"),
    "publish_confirmed": ("Bevestigen en publiceren", "Confirm and publish"),
    "publish_title": ("Publiceren: controleer de wijzigingen", "Publish: check the changes"),
    "publish_against": (
        "Dit rooster vervangt gepubliceerde versie {version}; hieronder elke wijziging.",
        "This roster replaces published version {version}; every change is below.",
    ),
    "publish_first": (
        "Deze week heeft nog geen gepubliceerd rooster: dit wordt versie 1.",
        "This week has no published roster yet: this becomes version 1.",
    ),
    "publish_already": (
        "Dit rooster is al gepubliceerd.",
        "This roster is already published.",
    ),
    "publish_confirm_missing": (
        "Vink eerst aan dat u alle wijzigingen heeft gezien.",
        "First tick that you have seen every change.",
    ),
    "compare_title": ("Versies vergelijken", "Compare versions"),
    "compare_from": ("van versie", "from version"),
    "compare_to": ("naar versie", "to version"),
    "compare_button": ("Vergelijken", "Compare"),
}
