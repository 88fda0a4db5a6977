"""Security headers and the strict Content-Security-Policy: no page relies on inline script or
style, forms need their CSRF token, pages cannot be framed, the session cookie is HttpOnly."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cbrnet.core.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db


class InlineCodeFinder(HTMLParser):
    """Collects what `script-src 'self'; style-src 'self'` would block in a page."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        kind = (dict(attrs).get("type") or "").lower()
        data_block = kind in ("application/json", "application/ld+json")  # data, never executed
        if tag == "script" and "src" not in names and not data_block:
            self._inline_script = True
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")
        if "style" in names:
            self.problems.append(f"style= attribute on <{tag}> at line {self.getpos()[0]}")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in <{tag} {name}> at line {self.getpos()[0]}")
        # Air-gapped networks: every script, style sheet, icon and image ships with cbrnet (no CDN).
        loaded = (
            dict(attrs).get("src")
            if tag in ("script", "img")
            else dict(attrs).get("href")
            if tag == "link"
            else None
        )
        if loaded is not None and not (
            loaded.startswith("/") and not loaded.startswith("//") or loaded.startswith("data:")
        ):
            self.problems.append(f"<{tag}> loads {loaded} from elsewhere at line {self.getpos()[0]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline_script = False


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def pages(world) -> dict[str, tuple[object, str]]:
    """Name -> (user, path): one page of each kind the base templates render."""
    network = world.coe
    return {
        "login": (None, reverse("accounts:login")),
        "home": (world.admin, reverse("core:home")),
        "list": (world.admin, reverse("registry:network_list")),
        "list with filters": (world.nfp_kz, reverse("registry:person_list") + "?q=a"),
        "detail": (world.admin, reverse("registry:network_detail", args=[network.pk])),
        "person detail": (world.nfp_kz, reverse("registry:person_detail", args=[world.p_nfp_kz.pk])),
        "edit": (world.admin, reverse("registry:network_edit", args=[network.pk])),
        "add": (world.nfp_kz, reverse("registry:organisation_add")),
        "delete": (world.admin, reverse("registry:network_delete", args=[network.pk])),
        "search": (world.admin, reverse("core:search") + "?q=kaz"),
        "account": (world.viewer_my, reverse("accounts:account")),
        "two-factor enrolment (QR code)": (world.viewer_my, reverse("accounts:two_factor")),
        "audit log": (world.admin, reverse("core:audit_list")),
        "API docs": (world.admin, "/api/docs"),
    }


PAGE_NAMES = [
    "login",
    "home",
    "list",
    "list with filters",
    "detail",
    "person detail",
    "edit",
    "add",
    "delete",
    "search",
    "account",
    "two-factor enrolment (QR code)",
    "audit log",
    "API docs",
]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_pages_need_no_inline_script_or_style_and_send_the_policy(world, name):
    user, path = pages(world)[name]
    response = client_for(user).get(path)
    assert response.status_code == 200, (name, response.status_code)
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    assert "<script" in html  # the parser does see the page's (external) scripts
    assert inline_code(html) == [], name


def test_the_inline_code_finder_catches_what_the_policy_blocks():
    inline = '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><style>p{}</style>'
    assert len(inline_code(inline + '<a href="javascript:x()">')) == 5
    cdn = '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="//cdn.example/a.css">'
    assert len(inline_code(cdn)) == 2
    assert inline_code('<script src="/static/app.js"></script><p class="x">a</p>') == []
    assert inline_code('<script type="application/json" id="settings">{"a": 1}</script>') == []


def test_pages_cannot_be_framed_and_send_the_other_headers(world):
    response = client_for(world.admin).get(reverse("core:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_the_api_sends_the_policy_too(world):
    response = client_for(world.admin).get("/api/registry/networks/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    url = reverse("registry:network_edit", args=[world.coe.pk])
    response = client.post(url, {"code": "eu-cbrn-coe", "name": "Forged", "short_name": "F"})
    assert response.status_code == 403
    world.coe.refresh_from_db()
    assert world.coe.name == "EU CBRN Centres of Excellence"


def test_a_post_with_the_csrf_token_is_accepted(world):
    """The counterpart of the refusal above: the token the page carries is enough."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    url = reverse("registry:network_edit", args=[world.coe.pk])
    token = client.get(url).context["csrf_token"]
    response = client.post(
        url,
        {"code": "eu-cbrn-coe", "name": "Renamed", "short_name": "CoE", "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    world.coe.refresh_from_db()
    assert world.coe.name == "Renamed"


def test_the_api_refuses_a_session_write_without_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.post(
        "/api/registry/networks/",
        {"code": "x-net", "name": "X", "short_name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_session_cookie_is_http_only_and_same_site(world):
    response = Client().post(reverse("accounts:login"), {"username": "viewer-my", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_the_login_rotates_the_session(world):
    client = Client()
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("accounts:login"), {"username": "viewer-my", "password": PASSWORD})
    assert client.session.session_key != before
