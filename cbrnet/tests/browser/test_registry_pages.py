"""The registry in a browser: a focal point's own country, editing its records, and being refused others'."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _details_value(page, label: str):
    """The <dd> that follows the <dt> with this label on a detail page."""
    term = f"//dl[contains(@class, 'details')]/dt[normalize-space()='{label}']"
    return page.locator(f"xpath={term}/following-sibling::dd[1]")


def test_a_focal_point_sees_its_country_with_focal_point_and_national_team(page, world, sign_in):
    sign_in(world.nfp_kz)
    page.goto(f"/registry/countries/{world.kz.pk}/")

    expect(page.get_by_role("heading", name="Kazakhstan", level=1)).to_be_visible()
    focal_point = _details_value(page, "National Focal Point")
    expect(focal_point.get_by_role("link", name="Aru Kazfocal")).to_be_visible()
    expect(_details_value(page, "Membership")).to_contain_text("Central Asia")

    team = page.get_by_role("region", name="National team")
    row = team.get_by_role("row").filter(has_text="Dana Kazteam")
    expect(row).to_be_visible()
    expect(row).to_contain_text("KZ Ministry of Health")
    expect(team.get_by_role("row")).to_have_count(2)  # header + the one member

    organisations = page.get_by_role("region", name=re.compile(r"^Organisations"))
    expect(organisations.get_by_role("link", name="KZ Ministry of Health")).to_be_visible()
    expect(organisations.get_by_role("link", name="UZ focal point office")).to_have_count(0)


def test_a_focal_point_edits_an_organisation_of_its_country_and_the_change_is_in_the_history(
    page, world, sign_in
):
    sign_in(world.nfp_kz)
    page.goto(f"/registry/organisations/{world.kz_ministry.pk}/")
    page.get_by_role("link", name="Edit").click()

    expect(page.get_by_role("heading", name="Edit KZ Ministry of Health")).to_be_visible()
    page.get_by_label("Acronym").fill("MZ RK")
    page.get_by_label("Phone").fill("+7 7172 74 37 43")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/registry/organisations/{world.kz_ministry.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("KZ Ministry of Health (MZ RK) saved.")
    expect(page.get_by_role("heading", name="KZ Ministry of Health (MZ RK)", level=1)).to_be_visible()
    expect(_details_value(page, "Acronym")).to_have_text("MZ RK")
    expect(_details_value(page, "Phone")).to_have_text("+7 7172 74 37 43")

    history = page.get_by_role("region", name="History")
    latest = history.locator("tbody tr").first
    expect(latest).to_contain_text("nfp-kz")
    expect(latest).to_contain_text("Changed")
    expect(latest).to_contain_text("acronym")
    expect(latest).to_contain_text("MZ RK")

    world.kz_ministry.refresh_from_db()
    assert world.kz_ministry.acronym == "MZ RK"


def test_a_bad_value_in_the_edit_form_is_named_and_nothing_is_saved(page, world, sign_in):
    sign_in(world.nfp_kz)
    page.goto(f"/registry/organisations/{world.kz_ministry.pk}/edit/")
    page.get_by_label("Acronym").fill("MZ RK")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("E-mail")
    expect(page.get_by_label("Acronym")).to_have_value("MZ RK")  # what the user typed is kept
    world.kz_ministry.refresh_from_db()
    assert world.kz_ministry.acronym == ""


def test_another_countrys_focal_point_is_refused_the_edit_page_and_cannot_see_unlisted_people(
    page, world, sign_in
):
    sign_in(world.nfp_uz)

    page.goto(f"/registry/organisations/{world.kz_ministry.pk}/")  # reference data: visible to all members
    expect(page.get_by_role("heading", name="KZ Ministry of Health", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    response = page.goto(f"/registry/organisations/{world.kz_ministry.pk}/edit/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text(re.compile(r"403|Forbidden|may not", re.IGNORECASE))
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.locator("input[name=name]")).to_have_count(0)

    response = page.goto(f"/registry/people/{world.p_hidden_kz.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Kazperson")

    page.goto("/registry/people/?q=Kazperson")
    expect(page.get_by_text("Nothing matches these filters")).to_be_visible()
