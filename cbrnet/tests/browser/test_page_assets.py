"""Every main page loads its stylesheet and scripts and runs under the strict CSP without errors."""

import pytest
from playwright.sync_api import expect

from cbrnet.core.testing import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ASSET_TYPES = {"stylesheet", "script", "image", "font"}


def _visit(page, path: str) -> list[str]:
    """Open a page; return the problems a user would suffer: failed assets, missing CSP, no htmx."""
    failed_assets = []

    def note_failure(response):
        if response.request.resource_type in ASSET_TYPES and response.status >= 400:
            failed_assets.append(f"{response.status} {response.url}")

    page.on("response", note_failure)
    response = page.goto(path)
    page.wait_for_load_state("load")
    page.remove_listener("response", note_failure)
    problems = list(failed_assets)
    if response.status != 200:
        problems.append(f"{path} answered {response.status}")
    if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
        problems.append(f"{path} is served without the strict CSP")
    if not page.evaluate("() => typeof window.htmx === 'object'"):
        problems.append(f"{path}: htmx did not load")
    if page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).position") == "static":
        problems.append(f"{path}: the stylesheet is not applied (the skip link is not positioned)")
    return problems


def test_the_sign_in_page_loads_its_stylesheet_and_scripts(page, world, console_messages):
    assert _visit(page, "/accounts/login/") == []
    assert console_messages == []


def test_the_main_pages_load_without_console_errors_or_csp_violations(page, world, sign_in, console_messages):
    sign_in(world.nfp_kz)
    paths = [
        "/",
        f"/registry/countries/{world.kz.pk}/",
        f"/registry/regions/{world.ca.pk}/",
        "/registry/organisations/",
        f"/registry/organisations/{world.kz_ministry.pk}/edit/",
        "/registry/people/",
        "/registry/experts/",
        "/search/?q=focal",
        "/accounts/me/",
    ]
    problems = [problem for path in paths for problem in _visit(page, path)]
    assert problems == []
    assert console_messages == []


def test_the_two_factor_enrolment_page_shows_its_qr_code_within_the_csp(
    page, world, settings, console_messages
):
    settings.REQUIRE_2FA = True
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("nfp-kz")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("totp-secret")).to_be_visible()
    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and box["height"] >= 100, f"the QR code is too small to scan: {box}"
    assert console_messages == []
