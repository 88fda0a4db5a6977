"""The expert directory's filters update the table through htmx, under the strict CSP, without errors."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def experts(world):
    """Expert profiles of four people in the directory (two in Central Asia, one in South-East Asia)."""
    from cbrnet.core.audit import audit_actor
    from cbrnet.registry.models import Expertise, ExpertProfile

    with audit_actor(None, source="command"):
        profiles = {
            person.family_name: ExpertProfile.objects.create(person=person, summary=summary, deployable=True)
            for person, summary in [
                (world.p_nfp_kz, "Chemical detection and sampling"),
                (world.p_nfp_uz, "Border control of dual-use goods"),
                (world.p_sec_ca, "Regional coordination"),
                (world.p_nfp_ph, "Biosafety of laboratories"),
            ]
        }
        Expertise.objects.create(profile=profiles["Uzfocal"], domain="C", thematic_area=world.area, level=3)
    return profiles


def test_typing_in_the_search_box_filters_the_table_through_htmx(
    page, world, experts, sign_in, console_messages
):
    sign_in(world.nfp_kz)
    response = page.goto("/registry/experts/")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, "the strict CSP is not sent"
    rows = page.locator("#object-table table.data tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#object-table .summary")).to_contain_text("4 records")
    page.wait_for_function("() => window.htmx !== undefined")  # app scripts loaded despite the CSP

    filters = page.get_by_role("form", name="Filters")
    search_box = filters.get_by_role("searchbox", name="Search")
    with page.expect_request(lambda request: "q=Uzfocal" in request.url) as search:
        search_box.press_sequentially("Uzfocal", delay=30)
    assert search.value.headers.get("hx-request") == "true", "the table was not fetched by htmx"

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bek Uzfocal")
    expect(page.locator("#object-table .summary")).to_contain_text("1 record")
    expect(page).to_have_url(re.compile(r"[?&]q=Uzfocal"))  # hx-push-url: the filtered list can be bookmarked
    # The table was swapped in, not a whole page: still one heading.
    expect(page.get_by_role("heading", name="Expert directory", level=1)).to_have_count(1)

    search_box.fill("")
    search_box.press("End")  # htmx listens for keyup
    expect(rows).to_have_count(4)
    filters.get_by_label("CBRN domain").select_option("C")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bek Uzfocal")

    csp_errors = [message for message in console_messages if "Content Security Policy" in message]
    assert csp_errors == [], csp_errors
    errors = [message for message in console_messages if message.startswith(("error", "pageerror"))]
    assert errors == [], errors
