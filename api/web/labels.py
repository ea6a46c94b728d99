"""The words of the planner's page, in Dutch (the default) and English.

Every shortfall reason of ``scheduler.reasons`` has a plain-word label in both
languages (``capacity:<room kind>`` is built from the room kind's label), and
every activity of the default catalogue an English name: ``Activity.name`` is
already Dutch and comes from the week's data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from api.web.edit_words import EDIT_TEXT
from api.web.labels_versions import VERSION_TEXT
from api.web.labels_week import WEEK_TEXT
from exports.words import (
    DAY_NAMES,
    DEFAULT_LANGUAGE,
    RESOURCES,
    ROOM_KINDS,
    activity_words,
    pick,
    reason_words,
    room_kind_words,
)
from scheduler.domain import Activity
from scheduler.week import DAYS, TZ

ROOM_KIND_ORDER: tuple[str, ...] = tuple(ROOM_KINDS)
MONTHS: tuple[tuple[str, str], ...] = (
    ("jan", "Jan"),
    ("feb", "Feb"),
    ("mrt", "Mar"),
    ("apr", "Apr"),
    ("mei", "May"),
    ("jun", "Jun"),
    ("jul", "Jul"),
    ("aug", "Aug"),
    ("sep", "Sep"),
    ("okt", "Oct"),
    ("nov", "Nov"),
    ("dec", "Dec"),
)

# What the contract's checks say of a bad field, in Dutch; the field's path stays as it is.
FAULTS_NL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is required$"), "ontbreekt"),
    (re.compile(r"^is not a field of the contract$"), "is geen veld van het gegevensformaat"),
    (re.compile(r"^Input should be greater than or equal to (\S+)$"), r"moet minstens \1 zijn"),
    (re.compile(r"^Input should be greater than (\S+)$"), r"moet groter zijn dan \1"),
    (re.compile(r"^Input should be less than or equal to (\S+)$"), r"mag hoogstens \1 zijn"),
    (re.compile(r"^Input should be a valid integer.*$"), "moet een geheel getal zijn"),
    (re.compile(r"^Input should be a valid number.*$"), "moet een getal zijn"),
    (re.compile(r"^Input should be a valid boolean.*$"), "moet ja (true) of nee (false) zijn"),
    (re.compile(r"^Input should be a valid string.*$"), "moet tekst zijn"),
    (re.compile(r"^Input should be a valid list.*$"), "moet een lijst zijn"),
)
UNKNOWN_NL = re.compile(r"^unknown (\w+) '(.*)'$")

ORDINALS: tuple[tuple[str, str], ...] = (
    ("eerste", "first"),
    ("tweede", "second"),
    ("derde", "third"),
    ("vierde", "fourth"),
    ("vijfde", "fifth"),
    ("zesde", "sixth"),
    ("zevende", "seventh"),
)

STATUSES: dict[str, tuple[str, str]] = {
    "optimal": ("optimaal", "optimal"),
    "feasible": ("haalbaar, niet bewezen optimaal", "feasible, not proven optimal"),
    "infeasible": ("onhaalbaar", "infeasible"),
    "unknown": ("onbekend", "unknown"),
}
JOB_STATES: dict[str, tuple[str, str]] = {
    "queued": ("in de wachtrij", "queued"),
    "running": ("wordt gemaakt", "being made"),
    "done": ("klaar", "done"),
    "failed": ("mislukt", "failed"),
    "cancelled": ("afgebroken", "cancelled"),
    "interrupted": ("onderbroken", "interrupted"),
}
ROLES: dict[str, tuple[str, str]] = {
    "planner": ("planner", "planner"),
    "system": ("systeem", "system"),
    "viewer": ("meekijker", "viewer"),
}

TEXT: dict[str, tuple[str, str]] = {
    "app": ("Gezinsrooster", "Family roster"),
    "tagline": ("weekrooster gezinsbenadering", "weekly roster, family approach"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "signin": ("Aanmelden", "Sign in"),
    "signin_intro": (
        "Meld u aan met uw sleutel. Nog geen sleutel? Vraag die aan bij de functioneel "
        "beheerder van het gezinsrooster in uw inrichting; die geeft planners en meekijkers "
        "elk een eigen sleutel.",
        "Sign in with your key. No key yet? Ask the roster's functional administrator at "
        "your institution; they give planners and viewers a key of their own.",
    ),
    "key": ("Sleutel", "Key"),
    "signin_wrong": ("Deze sleutel is onbekend of ingetrokken.", "This key is unknown or revoked."),
    "signin_wait": (
        "Te veel mislukte pogingen vanaf dit adres; probeer het over {seconds} s opnieuw.",
        "Too many failed attempts from this address; try again in {seconds} s.",
    ),
    "signin_expired": (
        "Uw sessie is verlopen of de sleutel is ingetrokken; meld u opnieuw aan.",
        "Your session ended or the key was revoked; please sign in again.",
    ),
    "signout": ("Afmelden", "Sign out"),
    "signed_in_as": ("Aangemeld als", "Signed in as"),
    "language_switch": ("English", "Nederlands"),
    "weeks": ("Weken", "Weeks"),
    "choose": ("Kies inrichting en week", "Choose institution and week"),
    "institution": ("Inrichting", "Institution"),
    "week": ("Week", "Week"),
    "open": ("Openen", "Open"),
    "dataset": ("Weekgegevens", "Week data"),
    "fathers_n": ("vaders", "fathers"),
    "sessions_n": ("bijeenkomsten", "sessions"),
    "revision": ("versie", "revision"),
    "no_weeks": (
        "Er zijn nog geen weken binnen uw inrichtingen. Een planner laadt hieronder een week.",
        "There are no weeks within your institutions yet. A planner uploads one below.",
    ),
    "upload": ("Week inladen (JSON)", "Upload a week (JSON)"),
    "upload_file": ("Bestand", "File"),
    "upload_button": ("Inladen", "Upload"),
    "upload_not_json": (
        "{name} is geen geldig JSON-bestand (regel {line}, kolom {column}): {error}",
        "{name} is not valid JSON (line {line}, column {column}): {error}",
    ),
    "upload_faults": (
        "{name} is niet ingeladen; {count} fout(en) in het bestand:",
        "{name} was not uploaded; {count} fault(s) in the file:",
    ),
    "upload_exists": (
        "{name}: week {id} bestaat al. Vink „Bestaande week vervangen” aan (naast Inladen) "
        "en laad het bestand opnieuw in om hem te vervangen.",
        "{name}: week {id} exists already. Tick “Replace an existing week” (beside Upload) "
        "and upload the file again to replace it.",
    ),
    "uploaded": ("Week ingeladen", "Week uploaded"),
    "replace": ("Bestaande week vervangen", "Replace an existing week"),
    "tab_grid": ("Rooster", "Roster"),
    "tab_fathers": ("Vaders", "Fathers"),
    "tab_staff": ("Personeel", "Staff"),
    "tab_print": ("Afdrukken", "Print"),
    "tab_whatif": ("Wat als", "What if"),
    "tab_events": ("Gebeurtenissen", "Events"),
    "events_record": ("Gebeurtenis vastleggen", "Record an event"),
    "event_kind": ("Wat gebeurde er", "What happened"),
    "event_time_out": (
        "Time-out van een vader (vanaf die dag)",
        "A father's time-out (from that day)",
    ),
    "event_volunteer_absent": ("Vrijwilliger ziek of afwezig", "A volunteer sick or away"),
    "event_room_closure": ("Ruimte gesloten", "A room closed"),
    "event_father_unavailable": ("Vader naar de rechtbank", "A father at court"),
    "event_who": (
        "Wie of wat (vader, vrijwilliger, ruimte)",
        "Who or what (father, volunteer, room)",
    ),
    "event_from": ("Vanaf", "From"),
    "event_until": ("Tot (niet bij een time-out)", "Until (not for a time-out)"),
    "event_reason": ("Toelichting (geen namen)", "Note (no names)"),
    "event_recorded": (
        "Vastgelegd; {flagged} afspraken zijn nu gemarkeerd",
        "Recorded; {flagged} appointments are now flagged",
    ),
    "events_none": ("Nog geen gebeurtenissen in deze week.", "No events in this week yet."),
    "events_list": ("Vastgelegde gebeurtenissen", "Recorded events"),
    "flagged_title": ("Gemarkeerde afspraken", "Flagged appointments"),
    "flagged_none": (
        "Geen gepubliceerde afspraak breekt een regel.",
        "No published appointment breaks a rule.",
    ),
    "flagged_tag": ("gemarkeerd", "flagged"),
    "flag_cause": ("oorzaak", "cause"),
    "repair_propose": ("Herstel voorstellen", "Propose a repair"),
    "repair_title": ("Herstelvoorstel", "Repair proposal"),
    "repair_running": ("Het herstel wordt berekend…", "The repair is being worked out…"),
    "repair_since": (
        "Herplant vanaf {since}; daarvoor blijft alles staan.",
        "Re-planned from {since}; everything before stays.",
    ),
    "generate": ("Rooster maken", "Generate roster"),
    "seconds": ("seconden", "seconds"),
    "time_limit": ("Rekentijd", "Time limit"),
    "replan": ("Herplannen, zo min mogelijk wijzigen", "Re-plan with fewest changes"),
    "publish": ("Publiceren", "Publish"),
    "cancel_job": ("Stoppen", "Stop"),
    "export": ("Exporteren", "Export"),
    "planner_only": ("Alleen voor planners", "Planners only"),
    "no_roster": (
        "Voor deze week is nog geen rooster gemaakt.",
        "No roster has been made for this week yet.",
    ),
    "being_made": (
        "Het rooster wordt gemaakt; het eerste rooster verschijnt zo.",
        "The roster is being made; the first one appears shortly.",
    ),
    "progress": ("Voortgang", "Progress"),
    "phase_warm_start": (
        "eerste rooster (op volgorde van voorrang)",
        "first roster (in order of priority)",
    ),
    "phase_solving": ("verbeteren", "improving"),
    "solutions": ("oplossingen", "solutions"),
    "job_failed": ("Het maken van het rooster is mislukt", "Making the roster failed"),
    "roster": ("Rooster", "Roster"),
    "state": ("Stand", "State"),
    "status": ("Kwaliteit", "Quality"),
    "published": ("Gepubliceerd", "Published"),
    "published_version": ("gepubliceerd, versie", "published, version"),
    "draft": ("concept, niet gepubliceerd", "draft, not published"),
    "published_other": (
        "Gepubliceerd is een ander rooster (versie {version}).",
        "A different roster is published (version {version}).",
    ),
    "show_published": ("Toon het gepubliceerde rooster", "Show the published roster"),
    "published_done": (
        "Gepubliceerd: {institution} week {week}, versie {version}",
        "Published: {institution} week {week}, version {version}",
    ),
    "generate_started": ("Het rooster wordt gemaakt", "The roster is being made"),
    "cancelled": (
        "Gestopt; het beste rooster tot nu toe blijft bewaard",
        "Stopped; the best roster so far is kept",
    ),
    "changes": (
        "Tegenover het vorige rooster: {kept} ongewijzigd, {added} nieuw, {removed} vervallen",
        "Against the previous roster: {kept} unchanged, {added} new, {removed} dropped",
    ),
    "new": ("nieuw", "new"),
    "rosters": ("Eerdere roosters", "Earlier rosters"),
    "made_at": ("gemaakt", "made"),
    "kpi_fulfilment": ("Toegekend van recht", "Granted of entitled"),
    "kpi_legal": ("Onder wettelijk minimum", "Below legal minimum"),
    "kpi_volunteer": ("Vrijwilligersuren", "Volunteer hours"),
    "kpi_floor": ("Laagste per vader", "Lowest per father"),
    "kpi_nothing_beyond": ("Alleen wettelijk bezoek", "Only the legal visit"),
    "kpi_assignments": ("Afspraken", "Assignments"),
    "filters": ("Filters", "Filters"),
    "shell": ("Schil", "Shell"),
    "ward": ("Afdeling", "Ward"),
    "all": ("alle", "all"),
    "apply": ("Toepassen", "Apply"),
    "room": ("Ruimte", "Room"),
    "capacity": ("capaciteit", "capacity"),
    "closed": ("gesloten", "closed"),
    "open_hours": ("open", "open"),
    "not_open": ("niet open", "not open"),
    "volunteers": ("Vrijwilligers", "Volunteers"),
    "officers": ("PIW'ers", "Officers"),
    "volunteer_short": ("vrijw.", "vol."),
    "officer_short": ("PIW", "off."),
    "pinned": ("vastgezet", "pinned"),
    "calendar": ("agenda (.ics)", "calendar (.ics)"),
    "father": ("Vader", "Father"),
    "visit_time": ("Bezoektijd", "Visit time"),
    "granted_of": ("Toegekend / recht", "Granted / entitled"),
    "shortfalls": ("Tekorten en redenen", "Shortfalls and reasons"),
    "below_legal": ("onder wettelijk minimum", "below legal minimum"),
    "legal_banner": (
        "{count} vader(s) krijgen deze week minder dan {minutes} minuten bezoek (Pbw art. 38).",
        "{count} father(s) get less than {minutes} minutes of visit this week (Pbw art. 38).",
    ),
    "no_fathers": ("Geen vaders bij deze filters.", "No fathers match these filters."),
    "activity": ("Activiteit", "Activity"),
    "entitled": ("Recht", "Entitled"),
    "granted": ("Toegekend", "Granted"),
    "reasons": ("Redenen", "Reasons"),
    "complete": ("volledig", "complete"),
    "why": ("Waarom niet?", "Why not?"),
    "tried": ("Geprobeerde tijden", "Times tried"),
    "of_candidates": ("van {count} mogelijke tijden", "of {count} possible times"),
    "fits": ("past", "fits"),
    "blocked_by": ("bezet door", "taken by"),
    "this_week": ("Deze week", "This week"),
    "nothing_this_week": ("Geen afspraken deze week.", "No assignments this week."),
    "back_fathers": ("Terug naar alle vaders", "Back to all fathers"),
    "timeout_from": ("time-out vanaf {day}", "time-out from {day}"),
    "effective_shell": ("geldt als schil {shell}", "counts as shell {shell}"),
    "linked_volunteer": ("Vaste vrijwilliger", "Linked volunteer"),
    "partner_cap": ("Partnerplafond", "Partner cap"),
    "partner_cap_note": (
        "Alle vrijwilligers samen, hele week{region}: {used} van {cap} uur",
        "All volunteers together, whole week{region}: {used} of {cap} hours",
    ),
    "region": (" (hele regio)", " (whole region)"),
    "hours": ("uur", "hours"),
    "hours_used": ("Uren", "Hours"),
    "max_hours": ("max.", "max."),
    "organisation": ("Organisatie", "Organisation"),
    "assignments": ("Afspraken", "Assignments"),
    "shift_hours": ("dienst", "shift"),
    "load": ("Belasting", "Load"),
    "print_title": ("Weekrooster", "Weekly roster"),
    "print_button": ("Afdrukken (A4 liggend)", "Print (A4 landscape)"),
    "print_footer": (
        "Alleen pseudoniemen. Stand van {when}.",
        "Pseudonyms only. As of {when}.",
    ),
    "skip_grid": ("Sla het rooster over", "Skip past the roster"),
    "after_grid": ("Einde van het rooster.", "End of the roster."),
    "offline": (
        "De server is niet bereikbaar. Wat u nu doet, wordt niet bewaard; "
        "deze melding verdwijnt zodra hij weer antwoordt.",
        "The server cannot be reached. What you do now is not saved; "
        "this notice goes away as soon as it answers again.",
    ),
    "search": ("Zoeken", "Search"),
    "sort": ("Volgorde", "Order"),
    "sort_legal": ("wettelijk minimum eerst", "legal minimum first"),
    "sort_shortfall": ("grootste tekort eerst", "largest shortfall first"),
    "sort_id": ("op code", "by code"),
    "only_below": ("onder minimum", "below minimum"),
    "only_no_consent": ("zonder toestemming", "without consent"),
    "badge_no_consent_other": ("geen toestemming andere ouder", "no consent other parent"),
    "badge_no_consent_info": ("geen informatiedeling", "no information sharing"),
    "missing_n": ("{count} tekort", "{count} short"),
    "consent_other": ("Toestemming andere ouder", "Other parent's consent"),
    "consent_info": ("Toestemming informatiedeling", "Consent to share information"),
    "consent_given": ("gegeven", "given"),
    "consent_missing": ("ontbreekt", "missing"),
    "no_consent_other": (
        "geen toestemming van de andere ouder",
        "no consent of the other parent",
    ),
    "no_consent_info": (
        "geen toestemming voor informatiedeling (telt als schil 1)",
        "no consent to share information (counts as shell 1)",
    ),
    "decisive_blocks": (
        "bij {blocked} van de {candidates} mogelijke tijden",
        "at {blocked} of the {candidates} possible times",
    ),
    "decisive_cap": (
        "de vrijwilligersuren van de week zijn op: {used} van {cap} uur gebruikt, "
        "en dit vraagt {needed} uur",
        "the week's volunteer hours are used up: {used} of {cap} hours, "
        "and this needs {needed} hours",
    ),
    "decisive": ("Doorslaggevend", "Decisive"),
    "more": ("meer", "more"),
    "unblock": ("Wat zou helpen", "What would help"),
    "unblock_give_way": (
        "als {other} zijn {nth} {activity} afstaat, kan {father} {when}",
        "if {other} gives up his {nth} {activity}, {father} can have it {when}",
    ),
    "unblock_partner_cap_hours": (
        "met {hours} vrijwilligersuur extra op het partnerplafond kan {father} {when}",
        "with {hours} more volunteer hours on the partner cap, {father} can have it {when}",
    ),
    "unblock_volunteer_hours": (
        "met {hours} uur extra voor vrijwilliger {volunteer} kan {father} {when}",
        "with {hours} more hours for volunteer {volunteer}, {father} can have it {when}",
    ),
    "unblock_officer_shift": (
        "met een PIW'er {day} {start}–{end} extra in dienst ({officer}) kan {father} {when}",
        "with an officer on shift {day} {start}–{end} ({officer}), {father} can have it {when}",
    ),
    "unblock_none": (
        "Geen wijziging van één afspraak of één capaciteit maakt ruimte.",
        "No change of one assignment or one capacity makes room.",
    ),
    "print_week": ("weekrooster afdrukken", "print the week"),
    "day": ("Dag", "Day"),
    "time": ("Tijd", "Time"),
    "fathers": ("Vaders", "Fathers"),
    "colleagues": ("Samen met", "Together with"),
    "free_day": ("vrij", "free"),
    "total_hours": ("Totaal deze week: {hours} uur", "Total this week: {hours} hours"),
    "whatif_title": ("Wat-als-analyse", "What-if analysis"),
    "whatif_intro": (
        "Wat levert extra capaciteit op, en voor wie? Standaard: een tweede familiekamer, "
        "en het partnerplafond van 18 tot 72 uur in stappen van 9.",
        "What does extra capacity gain, and for whom? By default: a second family room, "
        "and the partner cap from 18 to 72 hours in steps of 9.",
    ),
    "whatif_start": ("Wat-als-analyse starten", "Start what-if analysis"),
    "whatif_started": ("De wat-als-analyse is gestart", "The what-if analysis has started"),
    "whatif_per_solve": ("per berekening", "per solve"),
    "whatif_none": (
        "Voor deze week is nog geen wat-als-analyse gedaan.",
        "No what-if analysis of this week yet.",
    ),
    "whatif_solves": ("berekeningen", "solves"),
    "whatif_levels_off": (
        "{sweep}: boven {value} levert nauwelijks nog iets op",
        "{sweep}: beyond {value} hardly gains anything",
    ),
    "whatif_still_rising": ("{sweep}: blijft stijgen", "{sweep}: still rising"),
    "whatif_earlier": ("Eerdere analyses", "Earlier analyses"),
    "scenario": ("Scenario", "Scenario"),
    "col_fulfilment": ("Toegekend van recht", "Granted of entitled"),
    "col_fulfilment_gain": ("Winst", "Gain"),
    "col_fulfilment_shell_1": ("Schil 1", "Shell 1"),
    "col_fulfilment_shell_2": ("Schil 2", "Shell 2"),
    "col_fulfilment_shell_3": ("Schil 3", "Shell 3"),
    "col_fathers_below_legal_minimum": ("Onder wettelijk minimum", "Below legal minimum"),
    "col_fairness_floor": ("Laagste per vader", "Lowest per father"),
    "col_fathers_nothing_beyond_legal": ("Alleen wettelijk bezoek", "Only the legal visit"),
    "col_escorts_short_of_partner_cap": (
        "Begeleiding wacht op partneruren",
        "Escorts waiting for partner hours",
    ),
    "col_volunteer_hours": ("Vrijwilligersuren", "Volunteer hours"),
    "col_partner_cap_hours": ("Partnerplafond (uur)", "Partner cap (hours)"),
    "col_utilisation_family_room": ("Bezetting familiekamer", "Family room in use"),
    "error": ("Er ging iets mis", "Something went wrong"),
    "not_found": ("Niet gevonden", "Not found"),
    "forbidden": ("Geen toegang", "No access"),
    "csrf": (
        "Het formulier is verlopen; laad de pagina opnieuw.",
        "The form has expired; reload the page.",
    ),
    "home": ("Naar het overzicht", "Back to the overview"),
    "minutes": ("min", "min"),
    "tab_horizon": ("Weken", "Weeks"),
    "horizon_title": ("Deze week en de weken erna", "This week and the weeks after it"),
    "horizon_none": ("geen week opgeslagen", "no week stored"),
    "horizon_plan": ("Weken vooruit plannen", "Plan weeks ahead"),
    "horizon_weeks": ("Aantal weken", "Number of weeks"),
    "horizon_started": (
        "Planning van {weeks} weken gestart; elke week wordt een eigen concept.",
        "Planning {weeks} weeks started; each week becomes a draft of its own.",
    ),
    "horizon_job": ("Laatste planning vooruit", "Latest plan ahead"),
    "horizon_solves": ("weken opgelost", "weeks solved"),
    "horizon_pass_held": ("week voor week", "week by week"),
    "horizon_pass_together": ("samen", "together"),
    "horizon_gap": ("afstand tot de grens", "gap to the bound"),
    "horizon_no_gap": ("geen grens bewezen", "no bound proven"),
    "four_weeks": ("Over vier weken ({weeks})", "Over four weeks ({weeks})"),
    "four_floor": ("Laagste vervulling per vader", "Lowest fulfilment per father"),
    "four_below_twice": ("2 of meer weken onder minimum", "Below the minimum 2 weeks or more"),
    "four_nothing": ("Elke week alleen het wettelijk bezoek", "Only the legal visit every week"),
    "four_contact": ("Minste contacttijd van een kind", "Least contact time of a child"),
    "horizon_to_grid": ("Naar het rooster van week {week}", "To the roster of week {week}"),
    "horizon_below": ("Onder wettelijk minimum", "Below the legal minimum"),
    "father_weeks": ("Zijn laatste vier weken", "His last four weeks"),
    "father_weeks_loud": (
        "{n} van de 4 weken onder het wettelijk minimum",
        "below the legal minimum in {n} of the 4 weeks",
    ),
    "not_published": ("niet gepubliceerd", "not published"),
    "outcomes": ("Uitkomsten", "Outcomes"),
    "outcome_took_place": ("heeft plaatsgevonden", "took place"),
    "outcome_no_show": ("gezin niet gekomen", "family did not come"),
    "outcome_cancelled_by_institution": (
        "geannuleerd door de inrichting",
        "cancelled by the institution",
    ),
    "outcome_not_recorded": ("nog niet vastgelegd", "not yet recorded"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    **WEEK_TEXT,
    **VERSION_TEXT,
}
TEXT.update(EDIT_TEXT)


@dataclass(frozen=True)
class Labels:
    """The words of one language; templates call its methods (``t('publish')``)."""

    language: str = DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        """Give the text under a key, with ``{name}`` placeholders filled in."""
        text = pick(TEXT[key], self.language)
        return text.format(**values) if values else text

    def reason(self, reason: str) -> str:
        """Give a shortfall reason in plain words (``capacity:family_room``: family room full)."""
        return reason_words(reason, self.language)

    def activity(self, activity: Activity | None, activity_id: str = "") -> str:
        """Give an activity's name: the week's own (Dutch) name, or the English one."""
        return activity_words(activity, activity_id, self.language)

    def room_kind(self, kind: str | None) -> str:
        """Give a room kind's name (no kind: in the cell)."""
        return room_kind_words(kind, self.language)

    def resource(self, text: str) -> str:
        """Give what an assignment takes (``room VH-FK``, as explain names it) in words."""
        kind, _, name = text.partition(" ")
        pair = RESOURCES.get(kind)
        return f"{pick(pair, self.language)} {name}" if pair else text

    def status(self, status: str) -> str:
        """Give a roster status (optimal, feasible, ...) in words."""
        pair = STATUSES.get(status)
        return pick(pair, self.language) if pair else status

    def job_state(self, state: str) -> str:
        """Give a solve job's state (queued, running, done, ...) in words."""
        pair = JOB_STATES.get(state)
        return pick(pair, self.language) if pair else state

    def role(self, role: str) -> str:
        """Give a key's role in words."""
        pair = ROLES.get(role)
        return pick(pair, self.language) if pair else role

    def fault(self, message: str) -> str:
        """Give a check's message about a field (``path: what is wrong``) in the language.

        The path is the contract's and stays; what is wrong is said in Dutch
        where the check is a known one, and as the check said it otherwise.
        """
        if self.language != "nl":
            return message
        path, colon, what = message.rpartition(": ")
        if not colon:
            path, what = "", message
        unknown = UNKNOWN_NL.match(what)
        if unknown:
            word = RESOURCES.get(unknown[1])
            what = f"onbekende {pick(word, 'nl') if word else unknown[1]} '{unknown[2]}'"
        else:
            for pattern, dutch in FAULTS_NL:
                if pattern.match(what):
                    what = pattern.sub(dutch, what)
                    break
        return f"{path}: {what}" if path else what

    def ordinal(self, number: int) -> str:
        """Give an ordinal word (``tweede`` / ``second``), or the number with a mark past seven."""
        if 1 <= number <= len(ORDINALS):
            return pick(ORDINALS[number - 1], self.language)
        return f"{number}e" if self.language == "nl" else f"{number}th"

    def day_code(self, code: str) -> str:
        """Give the short name of a day given by its code (``tue``: ``di``)."""
        return self.day(DAYS.index(code)) if code in DAYS else code

    def day(self, index: int) -> str:
        """Give the short name of a day (0 is Monday)."""
        return pick(DAY_NAMES[index], self.language)

    def date(self, value: date) -> str:
        """Give a short date: ``1 feb`` / ``1 Feb``."""
        return f"{value.day} {pick(MONTHS[value.month - 1], self.language)}"

    def moment(self, value: datetime) -> str:
        """Give a moment in Amsterdam time: ``di 2 feb 15:00``."""
        local = value.astimezone(TZ)
        return f"{self.day(local.weekday())} {self.date(local.date())} {local:%H:%M}"

    def moment_text(self, text: str) -> str:
        """Give an ISO 8601 moment (as the API writes it) the way ``moment`` does."""
        return self.moment(datetime.fromisoformat(text))

    def number(self, value: float, digits: int = 1) -> str:
        """Give a number with the language's decimal mark (``24,5`` in Dutch)."""
        text = f"{value:.{digits}f}"
        if digits and text.endswith("0" * digits):
            text = text[: -(digits + 1)]
        return text.replace(".", ",") if self.language == "nl" else text

    def percent(self, ratio: float) -> str:
        """Give a ratio as a whole percentage."""
        # Half a percent rounds up, as a planner rounds, not to the even neighbour.
        return f"{math.floor(ratio * 100 + 0.5)}%"
