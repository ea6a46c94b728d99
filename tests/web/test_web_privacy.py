"""The page's guards: security headers on every page, CSRF on sign-in and every form post (403),
failed sign-ins limited per address (429), and ids in paths checked before any lookup."""

from __future__ import annotations

from pathlib import Path

import httpx

from api.web.session import SIGNIN_COOKIE
from tests.kit.web import Web, make_api

WEEK = "/weeks/tiny-2027-W05"
POLICY_PARTS = ("frame-ancestors 'none'", "default-src 'self'", "object-src 'none'")


def _guarded(answer: httpx.Response) -> None:
    policy = answer.headers["content-security-policy"]
    assert all(part in policy for part in POLICY_PARTS), policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"


def test_every_page_carries_the_security_headers_and_no_store(web: Web) -> None:
    """Sign-in, the week's views, a father's page and an error page: CSP, nosniff, no-store."""
    _guarded(web.api.client.get("/signin"))
    web.sign_in("planner")
    for path in ("/", WEEK, f"{WEEK}/fathers", f"{WEEK}/fathers/F-001", f"{WEEK}/staff"):
        answer = web.api.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        _guarded(answer)
        assert answer.headers["cache-control"] == "no-store"
    missing = web.api.client.get(f"{WEEK}/fathers/F-999")
    assert missing.status_code == 404
    _guarded(missing)
    style = web.api.client.get("/static/style.css")
    assert style.headers["cache-control"] == "max-age=3600"
    assert style.headers["x-content-type-options"] == "nosniff"


def test_the_sign_in_form_carries_a_csrf_token_bound_to_its_cookie(web: Web) -> None:
    """The form's hidden token equals its HttpOnly, Secure, SameSite=Strict cookie."""
    client = web.api.client
    client.cookies.clear()
    form = client.get("/signin")
    token = web.signin_csrf()
    assert f'name="csrf" value="{token}"' in form.text
    cookie = form.headers["set-cookie"]
    assert cookie.startswith(f"{SIGNIN_COOKIE}={token};")
    assert {"HttpOnly", "Secure", "SameSite=strict", "Path=/signin"} <= {
        part.strip() for part in cookie.split(";")
    }


def test_a_sign_in_without_or_with_a_wrong_csrf_token_is_403(web: Web) -> None:
    """Missing token, wrong token, or a token without its cookie: 403 and no session."""
    client = web.api.client
    key = web.api.keys["planner"]
    token = web.signin_csrf()
    for data in ({"key": key}, {"key": key, "csrf": "forged"}, {"key": key, "csrf": "ü"}):
        answer = client.post("/signin", data=data, follow_redirects=False)
        assert answer.status_code == 403, data
        assert "gzr_session" not in answer.headers.get("set-cookie", "")
    client.cookies.clear()
    answer = client.post("/signin", data={"key": key, "csrf": token}, follow_redirects=False)
    assert answer.status_code == 403
    assert web.sign_in("planner").status_code == 303


def test_every_state_changing_form_post_without_or_with_a_wrong_token_is_403(web: Web) -> None:
    """Sign-out, upload, generate, publish, cancel and what-if refuse a post without the token."""
    web.sign_in("planner")
    posts = {
        "/signout": {},
        "/weeks": {"files": {"file": ("week.json", b"{}", "application/json")}},
        f"{WEEK}/generate": {},
        f"/rosters/{web.roster_id}/publish": {},
        f"/rosters/{web.roster_id}/cancel": {},
        f"{WEEK}/whatif": {},
    }
    for path, extra in posts.items():
        for data in ({}, {"csrf": "forged"}):
            answer = web.api.client.post(path, data=data, follow_redirects=False, **extra)
            assert answer.status_code == 403, (path, data)
    assert web.api.client.get("/", follow_redirects=False).status_code == 200


def test_failed_sign_ins_are_limited_per_address(tmp_path: Path) -> None:
    """After 2 wrong keys, the sign-in form answers 429 with Retry-After, a right key too."""
    for api in make_api(f"sqlite:///{tmp_path / 'limit.db'}", key_failures=2):
        api.client.base_url = httpx.URL("https://testserver")
        web = Web(api, roster_id="")
        token = web.signin_csrf()
        for _ in range(2):
            wrong = api.client.post("/signin", data={"key": "gzr_guess", "csrf": token})
            assert wrong.status_code == 401
        for key in ("gzr_guess", api.keys["planner"]):
            answer = api.client.post("/signin", data={"key": key, "csrf": token})
            assert answer.status_code == 429
            assert 1 <= int(answer.headers["retry-after"]) <= 60
            assert "Te veel mislukte pogingen vanaf dit adres" in answer.text
            _guarded(answer)
        # The API shares the address's count: its keys wait too.
        assert api.client.get("/v1/problems", headers=api.headers("planner")).status_code == 429


def test_a_nul_byte_in_a_page_path_is_a_422_page(web: Web) -> None:
    """A NUL byte in a week's id is refused before any lookup: a 422 page naming the field."""
    web.sign_in("planner")
    answer = web.api.client.get("/weeks/tiny%00")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "path.problem_id: &#39;tiny\\x00&#39; is not an id" in answer.text
    assert web.api.client.get("/week?week=2027%00").status_code == 422
