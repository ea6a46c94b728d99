"""The planner's page served in-process: sign-in, the three views, filters, actions, refusals."""

from __future__ import annotations

import base64
import html as markup
import io
import json
import re
import uuid
from urllib.parse import urlencode

import openpyxl
import pytest

from api.keys import revoke_key
from api.tables import ApiKey, JobRow, Publication, utcnow
from tests.kit.web import Web, baseline_roster, seed_roster, tiny_data

WEEK = "/weeks/tiny-2027-W05"
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode("ascii")


def room_ids(html: str) -> list[str]:
    """Give the room ids of the grid's rows, top to bottom."""
    return re.findall(r'class="room-id">([^<]+)<', html)


def father_order(html: str) -> list[str]:
    """Give the fathers of the fathers table, top to bottom."""
    return re.findall(r'<th scope="row">\s*<a href="[^"]+">(F-\d+)</a>', html)


def cards(html: str) -> int:
    """Give how many assignments the grid shows."""
    return len(re.findall(r'<div class="card ', html))


def button(html: str, label: str) -> str:
    """Give the opening tag of the button with this label."""
    found = re.search(r"(<button[^>]*>)" + re.escape(label) + "</button>", html)
    assert found is not None, label
    return found[1]


def flashes(html: str) -> list[str]:
    """Give the messages a page shows."""
    return [markup.unescape(m) for m in re.findall(r'<p class="flash flash-\w+">([^<]+)</p>', html)]


def test_a_browser_without_a_session_is_sent_to_the_sign_in_form(web: Web) -> None:
    """Every page redirects to /signin (303) until a key has signed in, saying where it was."""
    answer = web.api.client.get("/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/signin")
    for path in (WEEK, f"{WEEK}/fathers?sort=id", f"/rosters/{web.roster_id}/export"):
        answer = web.api.client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/signin?{urlencode({'next': path})}"
    form = web.api.client.get("/signin")
    assert form.status_code == 200 and 'name="key" type="password"' in form.text


def test_an_unknown_key_is_refused_with_401_and_no_cookie(web: Web) -> None:
    """Signing in with a key the service does not know shows the form again, 401."""
    answer = web.api.client.post(
        "/signin", data={"key": "gzr_not-a-key", "csrf": web.signin_csrf()}
    )
    assert answer.status_code == 401
    assert "Deze sleutel is onbekend of ingetrokken." in answer.text
    assert "set-cookie" not in answer.headers


def test_signing_in_keeps_only_an_opaque_token_in_a_strict_httponly_secure_cookie(
    web: Web,
) -> None:
    """The cookie is HttpOnly, Secure, SameSite=Strict; neither it nor the URL holds the key."""
    answer = web.sign_in("planner")
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert cookie.startswith("gzr_session=")
    assert {"HttpOnly", "Secure", "SameSite=strict"} <= {p.strip() for p in cookie.split(";")}
    assert web.api.keys["planner"] not in cookie + answer.headers["location"]


def test_revoking_the_key_ends_its_page_sessions(web: Web) -> None:
    """After the key is revoked, the next page sends the browser to sign in again."""
    web.sign_in("viewer")
    assert web.api.client.get("/").status_code == 200
    with web.api.services.database.write() as session:
        key = session.query(ApiKey).filter_by(name="viewer").one()
        revoke_key(session, key.id)
    answer = web.api.client.get("/", follow_redirects=False)
    assert answer.headers["location"] == "/signin?expired=1"


def test_signing_out_ends_the_session(web: Web) -> None:
    """Sign-out (with the form's token) ends the session; the old cookie opens nothing."""
    web.sign_in("planner")
    answer = web.api.client.post("/signout", data={"csrf": web.csrf()}, follow_redirects=False)
    assert answer.headers["location"] == "/signin"
    assert web.api.client.get("/", follow_redirects=False).status_code == 303


def test_the_grid_shows_every_room_by_day_with_fathers_and_staff(web: Web) -> None:
    """The grid lists the institution's rooms in the planner's order and all 7 assignments."""
    web.sign_in("planner")
    html = web.api.client.get(WEEK).text
    assert room_ids(html) == ["VH-FK", "VH-BB1", "VH-BZ", "VH-KK"]
    assert cards(html) == 7
    assert html.count(">regulier bezoek<") == 2
    # The headline counts the fathers who could have more than the legal visit and have none.
    assert re.search(r"Alleen wettelijk bezoek</dt><dd>\d+<small>", html)
    assert "V-EX1, V-HU1" in html and "V-HU1, V-GN1" in html
    assert re.findall(r"<th scope=\"col\" class=\"day-col[^\"]*\">(\w+) ", html) == [
        "ma", "di", "wo", "do", "vr", "za", "zo",
    ]  # fmt: skip


def test_fathers_below_the_legal_minimum_come_first_with_reasons_in_plain_dutch(web: Web) -> None:
    """F-004 (no visit: kept apart from F-003) heads the list, marked, with his reasons in words."""
    web.sign_in("planner")
    html = web.api.client.get(f"{WEEK}/fathers").text
    assert father_order(html) == ["F-004", "F-001", "F-002", "F-003"]
    assert "1 vader(s) krijgen deze week minder dan 60 minuten bezoek" in html
    first = html.split('<tr class="row-alarm">', 1)[1].split("</tr>", 1)[0]
    assert "onder wettelijk minimum" in first
    assert "bezoekzaal vol; moet gescheiden blijven van een andere vader" in first


def test_the_english_switch_gives_the_same_page_in_english_and_stays_on_the_site(
    web: Web,
) -> None:
    """The switch sets a language cookie and returns to the page; a foreign address is ignored."""
    web.sign_in("planner")
    answer = web.api.client.get(f"/language/en?next={WEEK}/fathers", follow_redirects=False)
    assert answer.headers["location"] == f"{WEEK}/fathers"
    html = web.api.client.get(f"{WEEK}/fathers").text
    assert '<html lang="en">' in html
    assert "visit hall full; must be kept apart from another father" in html
    away = web.api.client.get("/language/nl?next=//evil.example/", follow_redirects=False)
    assert away.headers["location"] == "/"


@pytest.mark.parametrize(
    ("query", "fathers", "grid_cards"),
    [
        ("shell=3", ["F-001", "F-002"], 6),
        ("shell=2", ["F-003"], 1),
        ("ward=C-vleugel", ["F-004"], 0),
        ("shell=3&ward=B-vleugel", [], 0),
    ],
)
def test_filters_by_shell_and_ward_narrow_the_fathers_and_the_grid(
    web: Web, query: str, fathers: list[str], grid_cards: int
) -> None:
    """A filter keeps the fathers that pass it and the assignments holding one of them."""
    web.sign_in("planner")
    assert father_order(web.api.client.get(f"{WEEK}/fathers?{query}").text) == fathers
    assert cards(web.api.client.get(f"{WEEK}?{query}").text) == grid_cards


def test_a_viewer_sees_the_planner_buttons_disabled_and_cannot_post_them(web: Web) -> None:
    """Generate, re-plan, publish, upload are disabled for a viewer; a forced publish is refused."""
    web.sign_in("viewer")
    html = web.api.client.get(WEEK).text
    for label in ("Rooster maken", "Herplannen, zo min mogelijk wijzigen", "Publiceren"):
        assert "disabled" in button(html, label)
    assert "disabled" in button(web.api.client.get("/").text, "Inladen")
    answer = web.api.client.post(
        f"/rosters/{web.roster_id}/publish", data={"csrf": web.csrf(), "confirm": "yes"}
    )
    assert flashes(answer.text) == [f"a viewer key may not plan (roster '{web.roster_id}')"]
    with web.api.services.database.read() as session:
        assert session.query(Publication).count() == 0


def test_publishing_from_the_page_makes_version_one_and_disables_the_button(web: Web) -> None:
    """A planner publishes the roster: the message names the version, the badge shows it."""
    web.sign_in("planner")
    answer = web.api.client.post(
        f"/rosters/{web.roster_id}/publish",
        data={"csrf": web.csrf(), "institution": "PI-VH", "confirm": "yes"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"{WEEK}?institution=PI-VH&roster={web.roster_id}"
    html = web.api.client.get(answer.headers["location"]).text
    assert "Gepubliceerd: PI-VH week 2027-W05, versie 1" in html
    assert "gepubliceerd, versie 1" in html
    assert "disabled" in button(html, "Publiceren")


def test_a_form_without_its_session_token_is_refused(web: Web) -> None:
    """A post with a wrong CSRF token changes nothing and says the form has expired (403)."""
    web.sign_in("planner")
    answer = web.api.client.post(f"/rosters/{web.roster_id}/publish", data={"csrf": "forged"})
    assert answer.status_code == 403
    assert "Het formulier is verlopen; laad de pagina opnieuw." in answer.text
    with web.api.services.database.read() as session:
        assert session.query(Publication).count() == 0


def words_of(html: str) -> str:
    """Give a page's text without its tags, spaces folded, entities read."""
    return " ".join(markup.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_fathers_page_explains_each_shortfall_with_the_times_tried(web: Web) -> None:
    """F-003's two shortfalls each give reasons in words and the times tried, with blockers."""
    web.sign_in("planner")
    html = web.api.client.get(f"{WEEK}/fathers/F-003").text
    assert html.count('<tr class="row-short">') == 2
    assert html.count("Waarom niet?") == 2
    assert "<code>" not in html and "no_consent" not in words_of(html)
    assert "bezet door bezoek in de familiekamer di 2 feb 15:00 (ruimte VH-FK" in html
    assert "za 6 feb 14:00–15:00" in html


def test_a_fathers_page_gives_one_decisive_reason_and_what_would_make_room(web: Web) -> None:
    """F-002: the cap decides with its hours; giving way and 1,5 cap hours are the checked fixes."""
    web.sign_in("planner")
    text = words_of(web.api.client.get(f"{WEEK}/fathers/F-002").text)
    visit = "bezoek in de familiekamer 2 0 Doorslaggevend"
    assert (
        f"{visit} de vrijwilligersuren van de week zijn op: 5,5 van 6 uur gebruikt, "
        "en dit vraagt 1,5 uur Wat zou helpen: "
        "als F-001 zijn eerste bezoek in de familiekamer afstaat, kan F-002 di 2 feb 15:00 "
        "met 1,5 vrijwilligersuur extra op het partnerplafond kan F-002 za 6 feb 10:00 "
        "meer familiekamer vol geen PIW'er in dienst geen vrijwilliger beschikbaar Waarom niet?"
    ) in text
    consent = words_of(web.api.client.get(f"{WEEK}/fathers/F-003").text)
    assert "Toestemming andere ouder ontbreekt Toestemming informatiedeling gegeven" in consent
    assert (
        "Doorslaggevend geen toestemming van de andere ouder , bij 14 van de 14 mogelijke tijden "
        "Wat zou helpen: Geen wijziging van één afspraak of één capaciteit maakt ruimte."
    ) in consent


def test_explain_answers_the_decisive_reason_and_the_checked_changes_in_codes(web: Web) -> None:
    """The API gives the same decisive reason and changes as codes and figures, for a system."""
    answer = web.api.client.get(
        f"/v1/rosters/{web.roster_id}/explain",
        params={"father": "F-002", "activity": "family_room_visit"},
        headers=web.api.headers("viewer"),
    ).json()
    assert answer["decisive"] == {
        "reason": "partner_cap",
        "blocked": 14,
        "candidates": 14,
        "used_hours": 5.5,
        "cap_hours": 6.0,
        "needed_hours": 1.5,
    }
    assert answer["unblock"] == [
        {
            "change": "give_way",
            "start": "2027-02-02T15:00:00+01:00",
            "session": None,
            "father": "F-001",
            "assignment": "F-001-family_room_visit-tue1500",
            "activity": "family_room_visit",
            "nth": 1,
        },
        {
            "change": "partner_cap_hours",
            "start": "2027-02-06T10:00:00+01:00",
            "session": None,
            "hours": 1.5,
        },
    ]
    complete = web.api.client.get(
        f"/v1/rosters/{web.roster_id}/explain",
        params={"father": "F-001", "activity": "regular_visit"},
        headers=web.api.headers("viewer"),
    ).json()
    assert (complete["shortfall"], complete["decisive"], complete["unblock"]) == (False, None, [])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/weeks/nope", "problem &#39;nope&#39; does not exist"),
        (f"{WEEK}/fathers/F-999", "father &#39;F-999&#39; is not in this week"),
        (f"{WEEK}?roster=nope", "roster &#39;nope&#39; does not exist"),
        ("/static/nothing.css", "no file &#39;nothing.css&#39;"),
    ],
)
def test_what_does_not_exist_gives_a_404_page(web: Web, path: str, message: str) -> None:
    """Unknown weeks, fathers, rosters and files answer 404 with a page naming the culprit."""
    web.sign_in("planner")
    answer = web.api.client.get(path)
    assert answer.status_code == 404 and message in answer.text


def test_a_key_of_another_institution_gets_a_403_page(web: Web) -> None:
    """A Leeuwarden planner may not open a Veenhuizen week."""
    web.sign_in("leeuwarden")
    answer = web.api.client.get(WEEK)
    assert answer.status_code == 403
    assert "belongs to PI-VH, outside this key&#39;s institutions" in answer.text


def test_exports_are_the_service_files(web: Web) -> None:
    """JSON, CSV, XLSX and a father's iCalendar download as the API gives them."""
    web.sign_in("viewer")
    base = f"/rosters/{web.roster_id}/export"
    roster = web.api.client.get(f"{base}?format=json")
    assert roster.headers["content-type"] == "application/json"
    assert json.loads(roster.text)["problem_id"] == "tiny-2027-W05"
    calendar = web.api.client.get(f"{base}?format=ics&kind=father&subject=F-003")
    assert calendar.text.startswith("BEGIN:VCALENDAR")
    assert calendar.text.count("BEGIN:VEVENT") == 1
    assert "X-WR-CALNAME:2027-W05 vader F-003" in calendar.text
    assert "activity:" not in calendar.text and "vrijwilligers:" in calendar.text
    assert "LOCATION:bezoekzaal VH-BZ" in calendar.text
    sheet = web.api.client.get(f"{base}?format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert openpyxl.load_workbook(io.BytesIO(sheet.content)).sheetnames[:2] == ["Week", "Dagen"]
    table = web.api.client.get(f"{base}?format=csv")
    assert table.status_code == 200 and "F-003" in table.text
    assert table.content.startswith("\ufeffDag;Datum;Begin;".encode())
    english = web.api.client.get(f"{base}?format=csv&language=en")
    assert english.content.startswith(b"Day,Date,Start,")
    unknown = web.api.client.get(f"{base}?format=csv&language=fr")
    assert unknown.status_code == 422 and "language" in unknown.text
    wrong = web.api.client.get(f"{base}?format=ics&kind=father&subject=F-999")
    assert wrong.status_code == 422 and "subject: unknown father &#39;F-999&#39;" in wrong.text


def test_uploading_a_week_names_every_fault_of_the_file(web: Web) -> None:
    """Bad JSON, a broken week and a duplicate are refused by name; a good file opens its week."""
    web.sign_in("planner")
    token = web.csrf()

    def upload(name: str, content: bytes, replace: bool = False) -> tuple[str, list[str]]:
        data = {"csrf": token, **({"replace": "true"} if replace else {})}
        files = {"file": (name, content, "application/json")}
        answer = web.api.client.post("/weeks", data=data, files=files)
        return answer.url.path, flashes(answer.text)

    where, said = upload("broken.json", b"{")
    assert (where, said) == (
        "/",
        [
            "broken.json is geen geldig JSON-bestand (regel 1, kolom 2): "
            "Expecting property name enclosed in double quotes"
        ],
    )
    where, said = upload("empty.json", b"{}")
    assert where == "/" and said == [
        "empty.json is niet ingeladen; 5 fout(en) in het bestand:",
        "id: ontbreekt",
        "week: ontbreekt",
        "institutions: ontbreekt",
        "activities: ontbreekt",
        "entitlements: ontbreekt",
    ]
    bad = tiny_data()
    bad["fathers"][0]["linked_volunteer"] = "V-99"
    bad["rooms"][0]["capacity"] = 0
    where, said = upload("bad.json", json.dumps(bad).encode())
    assert said == [
        "bad.json is niet ingeladen; 1 fout(en) in het bestand:",
        "rooms[0].capacity: moet minstens 1 zijn",
    ]
    del bad["rooms"][0]["capacity"]
    where, said = upload("bad.json", json.dumps(bad).encode())
    assert said == [
        "bad.json is niet ingeladen; 1 fout(en) in het bestand:",
        "fathers[0].linked_volunteer: onbekende vrijwilliger 'V-99'",
    ]
    data = json.dumps(tiny_data()).encode()
    assert upload("tiny.json", data) == (
        "/",
        [
            "tiny.json: week tiny-2027-W05 bestaat al. Vink „Bestaande week vervangen” aan "
            "(naast Inladen) en laad het bestand opnieuw in om hem te vervangen."
        ],
    )
    where, said = upload("tiny.json", data, replace=True)
    assert (where, said) == (WEEK, ["Week ingeladen: tiny-2027-W05"])
    assert "(versie 2)" in web.api.client.get(WEEK).text


@pytest.mark.parametrize(
    ("time_limit", "message"),
    [
        ("0", "time_limit: Input should be greater than 0"),
        ("soon", "time_limit: 'soon' is not a number of seconds"),
    ],
)
def test_generate_refuses_a_time_limit_that_is_not_a_positive_number(
    web: Web, time_limit: str, message: str
) -> None:
    """A bad time limit starts no job and says what is wrong with it."""
    web.sign_in("planner")
    answer = web.api.client.post(
        f"{WEEK}/generate", data={"csrf": web.csrf(), "time_limit": time_limit}
    )
    assert flashes(answer.text) == [message]
    with web.api.services.database.read() as session:
        assert session.query(JobRow).count() == 1


def test_generate_on_a_full_job_queue_says_so_on_the_page(web: Web) -> None:
    """With every place taken, generate starts nothing and the page says the queue is full."""
    web.api.services.runner.max_queued = 0
    web.sign_in("planner")
    form = {"csrf": web.csrf(), "time_limit": "30"}
    web.api.client.post(f"{WEEK}/generate", data=form)
    answer = web.api.client.post(f"{WEEK}/generate", data=form)
    assert flashes(answer.text) == ["the job queue is full (1 running, 0 waiting); try again later"]
    with web.api.services.database.read() as session:
        assert session.query(JobRow).count() == 2


def test_the_print_view_is_the_grid_for_a4_landscape_without_actions(web: Web) -> None:
    """The print view links the A4 landscape sheet, shows the grid and offers no plan buttons."""
    web.sign_in("planner")
    html = web.api.client.get(f"{WEEK}/print").text
    assert '<link rel="stylesheet" href="/static/print.css">' in html
    assert room_ids(html) == ["VH-FK", "VH-BB1", "VH-BZ", "VH-KK"] and cards(html) == 7
    assert "Rooster maken" not in html and "Alleen pseudoniemen." in html
    sheet = web.api.client.get("/static/print.css").text
    assert "@page { size: A4 landscape;" in sheet


def test_the_whatif_tab_shows_the_table_where_sweeps_level_off_and_the_charts(web: Web) -> None:
    """A finished what-if analysis of the week shows its figures, its verdict and its chart."""
    job_id = str(uuid.uuid4())
    with web.api.services.database.write() as session:
        session.add(
            JobRow(
                id=job_id,
                kind="whatif",
                problem_id="tiny-2027-W05",
                institutions=["PI-VH"],
                state="done",
                params={},
                progress={"done": 2, "total": 2},
                result={
                    "columns": ["scenario", "fulfilment", "fulfilment_gain", "volunteer_hours"],
                    "table": [
                        {
                            "scenario": "base",
                            "fulfilment": 0.5,
                            "fulfilment_gain": 0.0,
                            "volunteer_hours": 5.5,
                        },
                        {
                            "scenario": "partner-cap=18",
                            "sweep": "partner-cap",
                            "parameter": "partner_cap_hours",
                            "value": 18.0,
                            "fulfilment": 0.625,
                            "fulfilment_gain": 0.125,
                            "volunteer_hours": 12.0,
                        },
                    ],  # fmt: skip
                    "levels_off": {"partner-cap": 18.0, "other-cap": None},
                    "conclusions": {
                        "partner-cap": "boven 18 uur partnertijd levert meer weinig op: +0 pp"
                    },
                    "charts": {"whatif-partner_cap_hours.png": PNG},
                    "purchases": [
                        {
                            "purchase": "partner_hour",
                            "gain": 630,
                            "text": "1 extra uur partnertijd: +420 waarde, ≈ 0,4 extra toegekende "
                            "activiteiten; nagerekend: +630 waarde (geschat 420), "
                            "+1 activiteiten",
                        },
                        {
                            "purchase": "visit_seat",
                            "gain": None,
                            "text": "1 plaats extra in regulier bezoek (wo 14:00–15:00): "
                            "+0 waarde, ≈ 0 extra toegekende activiteiten",
                        },
                    ],  # fmt: skip
                },
                created_at=utcnow(),
                finished_at=utcnow(),
            )
        )
    web.sign_in("planner")
    html = web.api.client.get(f"{WEEK}/whatif").text
    assert "<strong>Boven 18 uur partnertijd levert meer weinig op: +0 pp.</strong>" in html
    assert "other-cap: blijft stijgen" in html
    assert re.findall(r'<th scope="row">([^<]+)</th>', html)[-2:] == [
        "huidige week", "partnertijd 18 uur",
    ]  # fmt: skip
    assert re.findall(r'<td class="num">([^<]+)</td>', html) == [
        "50%", "0 pp", "5,5", "63%", "+12,5 pp", "12",
    ]  # fmt: skip
    chart = web.api.client.get(f"/whatif/{job_id}/charts/whatif-partner_cap_hours.png")
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    assert f'src="/whatif/{job_id}/charts/whatif-partner_cap_hours.png"' in html
    assert 'alt="Wat levert meer partnertijd op? Boven 18 uur partnertijd levert meer' in html
    # What to buy next: ranked as the job gave it, the confirmed ones marked.
    assert "Wat nu kopen?" in html
    bought = re.findall(r'<li data-purchase="(\w+)"( class="confirmed")?>([^<]+)', html)
    assert [(kind, bool(mark)) for kind, mark, _ in bought] == [
        ("partner_hour", True), ("visit_seat", False),
    ]  # fmt: skip
    assert markup.unescape(bought[0][2]).startswith("1 extra uur partnertijd: +420 waarde")


def test_a_volunteer_and_an_officer_each_get_a_printable_week(web: Web) -> None:
    """The staff tab links each person's A4 week; it lists every day, free or with his work."""
    web.sign_in("viewer")
    staff = web.api.client.get(f"{WEEK}/staff").text
    links = re.findall(r'href="(/weeks/[^"]*/print/[^"?]*)', staff)
    assert links == [
        f"{WEEK}/print/volunteer/V-EX1", f"{WEEK}/print/volunteer/V-GN1",
        f"{WEEK}/print/volunteer/V-HU1", f"{WEEK}/print/officer/O-01",
        f"{WEEK}/print/officer/O-02",
    ]  # fmt: skip
    page = web.api.client.get(f"{WEEK}/print/volunteer/V-EX1")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "Weekrooster vrijwilliger V-EX1 week 5, ma 1 feb – zo 7 feb 2027" in text
    assert "ma 1 feb vrij di 2 feb 15:00–16:30 bezoek in de familiekamer familiekamer VH-FK" in text
    assert "wo 3 feb 14:00–15:00 regulier bezoek bezoekzaal VH-BZ F-001, F-002" in text
    assert "V-HU1, O-01" in text and "Totaal deze week: 2,5 uur" in text
    assert '<link rel="stylesheet" href="/static/print.css">' in page.text
    officer = web.api.client.get(f"{WEEK}/print/officer/O-02")
    officer_text = " ".join(re.sub(r"<[^>]+>", " ", officer.text).split())
    assert "za 6 feb 14:00–15:00" in officer_text and "Totaal deze week: 1 uur" in officer_text
    wrong = web.api.client.get(f"{WEEK}/print/officer/V-EX1")
    assert wrong.status_code == 404
    assert "officer &#39;V-EX1&#39; does not work at this institution" in wrong.text
    unknown_kind = web.api.client.get(f"{WEEK}/print/father/F-001")
    assert unknown_kind.status_code == 422


def listed(web: Web, query: str) -> list[str]:
    """Give the fathers the fathers' tab lists for a query string, in order."""
    return re.findall(
        r'href="/weeks/[^"]*/fathers/(F-\d+)', web.api.client.get(f"{WEEK}/fathers{query}").text
    )


def test_the_fathers_list_searches_sorts_and_filters(web: Web) -> None:
    """Search by pseudonym, sort by shortfall, keep those below the minimum or without consent."""
    web.sign_in("viewer")
    assert listed(web, "") == ["F-004", "F-001", "F-002", "F-003"]
    assert listed(web, "?sort=shortfall") == ["F-002", "F-001", "F-003", "F-004"]
    assert listed(web, "?sort=id") == ["F-001", "F-002", "F-003", "F-004"]
    assert listed(web, "?q=f-003") == ["F-003"]
    assert listed(web, "?below=1") == ["F-004"]
    assert listed(web, "?no_consent=1") == ["F-003"]
    assert listed(web, "?q=zz") == []
    assert listed(web, "?sort=nonsense") == ["F-004", "F-001", "F-002", "F-003"]
    text = words_of(web.api.client.get(f"{WEEK}/fathers").text)
    assert "F-004 onder wettelijk minimum 1 C-vleugel 0 min 0 / 2 · 2 tekort" in text
    assert "F-003 geen toestemming andere ouder 2 B-vleugel" in text
    assert "F-002 3 time-out vanaf wo" in text
    assert "Geen vaders bij deze filters." in web.api.client.get(f"{WEEK}/fathers?q=zz").text


def test_signing_in_returns_to_the_page_asked_for(web: Web) -> None:
    """A page asked for before signing in is where the sign-in lands; a foreign next is ignored."""
    form = web.api.client.get(f"/signin?{urlencode({'next': f'{WEEK}/fathers?sort=id'})}")
    assert f'name="next" value="{WEEK}/fathers?sort=id"' in form.text
    assert "functioneel beheerder" in form.text and "keys create" not in form.text
    answer = web.api.client.post(
        "/signin",
        data={"key": web.api.keys["planner"], "csrf": web.signin_csrf(), "next": f"{WEEK}/staff"},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, f"{WEEK}/staff")
    web.api.client.post("/signout", data={"csrf": web.csrf()})
    answer = web.api.client.post(
        "/signin",
        data={"key": web.api.keys["planner"], "csrf": web.signin_csrf(), "next": "//evil.example"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_a_viewer_opens_the_published_roster_and_a_planner_the_newest(web: Web) -> None:
    """With a newer draft beside the published roster, a viewer sees the published one first."""
    published = web.api.client.post(
        f"/v1/rosters/{web.roster_id}/publish", headers=web.api.headers("planner")
    )
    assert published.status_code == 200
    data = tiny_data()
    newer = seed_roster(web.api.services, data, baseline_roster(data))
    web.sign_in("viewer")
    assert f'name="roster" value="{web.roster_id}"' in web.api.client.get(WEEK).text
    web.api.client.post("/signout", data={"csrf": web.csrf()})
    web.sign_in("planner")
    assert f'name="roster" value="{newer}"' in web.api.client.get(WEEK).text


def test_the_grid_has_a_skip_link_to_past_its_end(web: Web) -> None:
    """The week grid starts with a link that jumps past it, to a target after the table."""
    web.sign_in("viewer")
    html = web.api.client.get(WEEK).text
    assert '<a class="skip skip-grid" href="#after-grid">Sla het rooster over</a>' in html
    assert (
        html.index('href="#after-grid"')
        < html.index('<table class="grid')
        < html.index('id="after-grid"')
    )
    assert '<p class="offline" role="alert" data-offline hidden>' in html


def test_publishing_needs_the_previews_tick_and_the_preview_lists_the_changes(web: Web) -> None:
    """Publish without the tick opens the preview; against version 1 it lists every change."""
    web.sign_in("planner")
    answer = web.api.client.post(
        f"/rosters/{web.roster_id}/publish",
        data={"csrf": web.csrf(), "institution": "PI-VH"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == f"{WEEK}/publish?institution=PI-VH&roster={web.roster_id}"
    preview = web.api.client.get(answer.headers["location"]).text
    assert "Vink eerst aan dat u alle wijzigingen heeft gezien." in flashes(preview)
    assert "dit wordt versie 1" in preview
    with web.api.services.database.read() as session:
        assert session.query(Publication).count() == 0
    web.api.client.post(
        f"/rosters/{web.roster_id}/publish", data={"csrf": web.csrf(), "confirm": "yes"}
    )
    again = web.api.client.get(f"{WEEK}/publish?roster={web.roster_id}").text
    assert "vervangt gepubliceerde versie 1" in again
    assert "Dit rooster is al gepubliceerd." in again
    assert "0 ongewijzigd" not in again and "data-summary" in again
