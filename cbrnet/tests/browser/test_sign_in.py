"""Signing in with a browser: password then TOTP enrolment for a focal point; keyboard-only use."""

import base64

import pytest
from playwright.sync_api import expect

from cbrnet.core.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_focal_point_signs_in_with_a_password_then_enrols_a_totp_device(page, world, settings, live_server):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")

    page.get_by_label("Username").fill("nfp-kz")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert secret, "the enrolment page shows no key to type in by hand"
    # Showing the key enrols nothing: the device counts only once a code from it is checked.
    assert not TOTPDevice.objects.filter(user=world.nfp_kz, confirmed=True).exists()

    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    page.get_by_label("Six-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Verify").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Two-factor authentication is on for your account.")).to_be_visible()
    expect(page.get_by_role("link", name="nfp-kz")).to_be_visible()
    assert TOTPDevice.objects.filter(user=world.nfp_kz, confirmed=True).count() == 1


def test_a_wrong_totp_code_is_refused_with_a_message_and_the_dashboard_stays_closed(page, world, settings):
    settings.REQUIRE_2FA = True
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nfp-kz")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("totp-secret")).to_be_visible()

    page.get_by_label("Six-digit code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not valid")

    page.goto("/")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)


def test_the_sign_in_form_works_with_the_keyboard_alone(page, world):
    page.goto("/accounts/login/")
    username = page.get_by_label("Username")
    expect(username).to_be_focused()  # autofocus: typing can start at once

    page.keyboard.type("nfp-kz")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="nfp-kz")).to_be_visible()


def test_enter_in_the_password_field_submits_and_a_wrong_password_is_announced(page, world):
    page.goto("/accounts/login/")
    page.keyboard.type("nfp-kz")
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert")).to_contain_text("The username or password is wrong.")
    expect(page.get_by_label("Username")).to_have_value("nfp-kz")
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
