"""Fact sheets in a browser: the Central Asia fact sheet page states its figures, and its PDF downloads
with the same figures; the dashboard's map and legend load under the strict CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_focal_point_downloads_the_regions_fact_sheet_as_pdf(page, world, sign_in, console_messages):
    from cbrnet.factsheets.tests.central_asia import build_central_asia
    from cbrnet.factsheets.tests.pdftext import pdf_words

    build_central_asia(world)
    sign_in(world.nfp_kz)
    page.goto(f"/factsheets/regions/{world.ca.pk}/")
    page.get_by_label("As of").fill("2023-05-31")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_role("heading", name="Fact sheet: Central Asia", level=1)).to_be_visible()
    methodology = page.locator("#methodology")
    expect(methodology).to_contain_text(
        "6 partner countries of the region appointed their CBRN National Focal Points"
    )
    expect(methodology).to_contain_text("1 National Action Plan developed")
    expect(page.locator("#projects-sentence")).to_have_text(
        "Since 2013, the region participated in 13 projects, of which 2 are ongoing in 2023."
    )

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "fact-sheet-central-asia-2023-05-31.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    words = pdf_words(data)
    assert (
        "5 partner countries are currently engaged in the preparation of their National CBRN Action Plans"
        in words
    )
    assert "Since 2013, the region participated in 13 projects, of which 2 are ongoing in 2023." in words
    assert not [message for message in console_messages if message.startswith(("error", "pageerror"))]


def test_the_dashboard_shows_the_stage_map_with_its_legend(page, world, sign_in, console_messages):
    sign_in(world.sec_ca)
    page.goto("/factsheets/")
    expect(page.get_by_role("heading", name="Network dashboard: EU CBRN CoE", level=1)).to_be_visible()
    expect(page.locator("svg.world-map")).to_be_visible()
    expect(page.locator(".map-legend").first).to_contain_text("National Focal Point appointed")
    fill = page.locator('svg.world-map [data-country="KZ"]').evaluate("node => getComputedStyle(node).fill")
    assert fill != page.locator('svg.world-map [data-country="PH"]').evaluate(
        "node => getComputedStyle(node).fill"
    )
    assert not [message for message in console_messages if message.startswith(("error", "pageerror"))]
