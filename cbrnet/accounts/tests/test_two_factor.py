"""Two-factor authentication: who must enrol, enrolment with a QR code, verification at every
sign-in, and the API's refusal of an unverified session."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbrnet.accounts.models import ApiToken
from cbrnet.core.testing import PASSWORD

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA = True


def sign_in(username, **extra) -> tuple[Client, object]:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD, **extra})
    return client, response


def code_for(device) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


@pytest.mark.parametrize("persona", ["nfp_kz", "admin"])
def test_nfps_and_administrators_are_sent_to_enrolment_and_enrol(world, required, persona):
    user = getattr(world, persona)
    client, response = sign_in(user.username, next="/registry/networks/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == TWO_FACTOR and parse_qs(location.query)["next"] == ["/registry/networks/"]

    # Nothing else is reachable before the second factor, not even the account page.
    for path in ("/", "/registry/networks/", "/accounts/me/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and urlsplit(blocked["Location"]).path == TWO_FACTOR, path

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="totp-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"] in html and device.config_url == page.context["secret_uri"]

    done = client.post(TWO_FACTOR, {"token": code_for(device), "next": "/registry/networks/"})
    assert done.status_code == 302 and done["Location"] == "/registry/networks/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert verified(client)
    assert client.get("/registry/networks/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message(world, required):
    client, response = sign_in("nfp-kz")
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=world.nfp_kz, confirmed=False)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    refused = client.post(TWO_FACTOR, {"token": wrong})
    assert refused.status_code == 400
    assert "That code is not valid" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed and not verified(client)
    assert client.get("/").status_code == 302


def test_a_malformed_code_is_named(world, required):
    client, response = sign_in("nfp-kz")
    refused = client.post(TWO_FACTOR, {"token": "12ab"})
    assert refused.status_code == 400
    assert "Enter the six digits shown by your authenticator app." in refused.content.decode()


@pytest.mark.parametrize("persona", ["viewer_my", "sec_ca", "jrc_user"])
def test_other_roles_are_not_forced(world, required, persona):
    client, response = sign_in(getattr(world, persona).username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.filter(user=getattr(world, persona)).exists()


def test_without_the_setting_nfps_are_not_forced(world, settings):
    settings.REQUIRE_2FA = False
    client, response = sign_in("nfp-kz")
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("require", [True, False])
def test_once_enrolled_anyone_verifies_at_every_new_sign_in(world, settings, require):
    settings.REQUIRE_2FA = require
    device = confirmed_device(world.viewer_my)
    for _sign_in in range(2):
        client, response = sign_in("viewer-my")
        assert urlsplit(response["Location"]).path == TWO_FACTOR
        page = client.get(response["Location"])
        assert "<svg" not in page.content.decode()  # no new secret is shown to a verified device owner
        assert client.get("/").status_code == 302
        assert client.post(TWO_FACTOR, {"token": code_for(device)}).status_code == 302
        assert client.get("/").status_code == 200
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # next sign-in within the same 30 s
    assert TOTPDevice.objects.filter(user=world.viewer_my).count() == 1


def test_a_used_code_cannot_be_replayed(world):
    device = confirmed_device(world.viewer_my)
    code = code_for(device)
    first, response = sign_in("viewer-my")
    assert first.post(TWO_FACTOR, {"token": code}).status_code == 302
    second, response = sign_in("viewer-my")
    assert second.post(TWO_FACTOR, {"token": code}).status_code == 400
    assert not verified(second)


def test_the_two_factor_page_needs_a_signed_in_user(world):
    response = Client().get(TWO_FACTOR)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_api_refuses_an_unverified_session_that_needs_two_factor(world, required):
    client, _response = sign_in("nfp-kz")
    assert SESSION_KEY in client.session
    response = client.get("/api/registry/networks/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "Two-factor verification is required" in response.json()["detail"]


def test_the_api_accepts_a_verified_session(world, required):
    device = confirmed_device(world.nfp_kz)
    client, _response = sign_in("nfp-kz")
    client.post(TWO_FACTOR, {"token": code_for(device)})
    assert client.get("/api/registry/networks/").status_code == 200


def test_an_unverified_user_cannot_create_an_api_token_to_skip_the_second_factor(world, required):
    client, _response = sign_in("nfp-kz")
    response = client.post("/accounts/me/", {"name": "sneaky", "scope": "write", "days": 30})
    assert response.status_code == 302 and urlsplit(response["Location"]).path == TWO_FACTOR
    assert not ApiToken.objects.filter(user=world.nfp_kz).exists()
