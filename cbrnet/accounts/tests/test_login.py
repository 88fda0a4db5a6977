"""Password sign-in: messages, account lockout, the per-address throttle, `next`, and sign-out."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cbrnet.accounts import services
from cbrnet.accounts.middleware import ProxyClientAddressMiddleware
from cbrnet.accounts.models import User
from cbrnet.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_the_login_url_is_named():
    assert reverse("accounts:login") == LOGIN


def test_the_right_password_signs_in_and_resets_the_failure_count(world):
    User.objects.filter(pk=world.viewer_my.pk).update(failed_logins=2)
    client = Client()
    response = sign_in(client, "viewer-my", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert signed_in(client)
    assert User.objects.get(pk=world.viewer_my.pk).failed_logins == 0


def test_the_username_is_not_case_sensitive(world):
    client = Client()
    assert sign_in(client, "Viewer-MY", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_wrong_password_shows_a_message_and_opens_no_session(world):
    client = Client()
    response = sign_in(client, "viewer-my", "not-the-password")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    assert not signed_in(client)
    assert User.objects.get(pk=world.viewer_my.pk).failed_logins == 1


def test_an_unknown_user_gets_the_same_message(world):
    response = sign_in(Client(), "nobody-here", "whatever-password")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()


def test_missing_fields_are_named(world):
    response = Client().post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Username: This field is required." in page and "Password: This field is required." in page


def test_the_account_locks_after_the_failure_limit_until_the_lock_expires(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    client = Client()
    for _attempt in range(3):
        assert sign_in(client, "viewer-my", "wrong-password").status_code == 400
    account = User.objects.get(pk=world.viewer_my.pk)
    assert account.is_locked()
    assert account.locked_until - timezone.now() > datetime.timedelta(minutes=14)

    response = sign_in(client, "viewer-my", PASSWORD)  # even the right password
    assert response.status_code == 400
    assert "This account is locked after repeated failed sign-ins" in response.content.decode()
    assert not signed_in(client)

    # The lock expires (simulated: its end moved into the past).
    User.objects.filter(pk=account.pk).update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert sign_in(client, "viewer-my", PASSWORD).status_code == 302
    assert signed_in(client)
    account.refresh_from_db()
    assert account.locked_until is None and account.failed_logins == 0


def test_one_address_is_throttled_after_many_failures_on_any_accounts(world, monkeypatch):
    monkeypatch.setattr(services, "IP_FAILURE_LIMIT", 4)
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(4):
        assert sign_in(attacker, f"guess-{number}", "guessed-password").status_code == 400
    response = sign_in(attacker, "viewer-my", PASSWORD)
    assert response.status_code == 400
    assert "Too many failed sign-ins from your address" in response.content.decode()
    assert not signed_in(attacker)
    assert not User.objects.get(pk=world.viewer_my.pk).is_locked()  # the account itself is not punished
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(other, "viewer-my", PASSWORD).status_code == 302


def test_behind_the_proxy_the_throttle_counts_the_client_address_not_the_proxys(world, monkeypatch, settings):
    monkeypatch.setattr(services, "IP_FAILURE_LIMIT", 2)
    settings.MIDDLEWARE = ["cbrnet.accounts.middleware.ProxyClientAddressMiddleware", *settings.MIDDLEWARE]
    # Every request reaches gunicorn from nginx on 127.0.0.1; nginx sets X-Real-IP.
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    for _attempt in range(2):
        sign_in(attacker, "nobody", "guessed-password")
    assert "Too many failed" in sign_in(attacker, "viewer-my", PASSWORD).content.decode()
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.20")
    assert sign_in(colleague, "viewer-my", PASSWORD).status_code == 302


def test_the_proxy_middleware_ignores_a_header_that_is_not_an_address(rf):
    seen = {}
    middleware = ProxyClientAddressMiddleware(
        lambda request: seen.setdefault("addr", request.META["REMOTE_ADDR"])
    )
    middleware(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="<script>"))
    assert seen["addr"] == "127.0.0.1"
    seen.clear()
    middleware(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=" 2001:DB8::7 "))
    assert seen["addr"] == "2001:db8::7"


def test_an_inactive_user_is_refused(world):
    User.objects.filter(pk=world.viewer_my.pk).update(is_active=False)
    client = Client()
    response = sign_in(client, "viewer-my", PASSWORD)
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    assert not signed_in(client)


def test_next_leads_back_to_a_page_of_this_site(world):
    target = reverse("registry:network_list") + "?q=coe&page=1"
    response = sign_in(Client(), "viewer-my", PASSWORD, next=target)
    assert response.status_code == 302 and response["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_pointing_elsewhere_is_ignored(world, target):
    response = sign_in(Client(), "viewer-my", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_the_login_page_keeps_next_for_the_form(world):
    response = Client().get(LOGIN, {"next": "/registry/networks/"})
    assert 'name="next" value="/registry/networks/"' in response.content.decode()


def test_pages_send_anonymous_visitors_to_sign_in_with_next(world):
    response = Client().get("/registry/networks/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/registry/networks/"


def test_logout_needs_post(world):
    client = Client()
    client.force_login(world.viewer_my)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)


def test_logout_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.viewer_my)
    assert client.post("/accounts/logout/").status_code == 403
    assert signed_in(client)
