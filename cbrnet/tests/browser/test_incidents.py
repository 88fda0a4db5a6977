"""A whole exercise in a browser: Kazakhstan reports an exercise incident and asks for two
capabilities; Uzbekistan and the Philippines offer; Kazakhstan accepts both, publishes a situation
report and closes the incident. Every step through the pages a person would use."""

import re

import pytest
from playwright.sync_api import expect

from cbrnet.incidents.tests.helpers import MANILA, TASHKENT, make_capability

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _offer(page, request_url, *, code, capability, text, quantity=1):
    page.goto(request_url)
    page.get_by_role("link", name="Offer assistance").click()
    page.get_by_label("For the requested capability").select_option(code)
    page.get_by_label("Registered capability").select_option(label=capability)
    page.get_by_label("What is offered").fill(text)
    page.get_by_label("Quantity").fill(str(quantity))
    page.get_by_label("Available from").fill("2030-03-01T06:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")


def test_a_whole_exercise_from_report_to_closure(page, world, sign_in, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    make_capability(world.uz_fp, ["UCPM-CBRNDET"], name="UZ detection team", base=TASHKENT, languages=("ru",))
    make_capability(
        world.ph_fp, ["RANET-DECON"], name="PH decontamination unit", base=MANILA, languages=("en",)
    )
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of closing

    # 1. Kazakhstan's focal point reports the incident (an exercise) and publishes it.
    sign_in(world.nfp_kz)
    page.goto("/incidents/")
    page.get_by_role("link", name="Add incident").click()
    page.get_by_label("Title").fill("Chlorine tank car derailment")
    page.get_by_label("CBRN type").select_option("chemical")
    page.get_by_label("Agent or substance").fill("chlorine")
    page.get_by_label("Affected country").select_option(label="Kazakhstan")
    page.get_by_label("Place").fill("Almaty rail yard")
    page.get_by_label("Latitude").fill("43.238")
    page.get_by_label("Longitude").fill("76.945")
    page.get_by_label("Started").fill("2030-03-01T04:30")
    page.get_by_label("Severity").select_option("severe")
    page.get_by_label("Exercise").check()
    page.get_by_label(re.compile(r"^TLP:?$")).select_option("green")
    page.get_by_label("EU CBRN CoE").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EXERCISE — Chlorine tank car derailment")
    expect(page.get_by_role("note")).to_contain_text("This incident is an exercise")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published")
    incident_url = page.url

    # 2. It asks for two capabilities.
    page.get_by_role("link", name="Request assistance").click()
    page.get_by_label("Title").fill("Detection and decontamination")
    page.get_by_label("Where").fill("Almaty rail yard")
    page.get_by_label("Needed from").fill("2030-03-01T08:00")
    page.get_by_label("Contact point").fill("Emergency operations duty officer")
    page.get_by_label("Capability 1").select_option("UCPM-CBRNDET")
    page.get_by_label("Quantity 1").fill("1")
    page.get_by_label("Capability 2").select_option("GRP-DECON")
    page.get_by_label("Quantity 2").fill("2")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Detection and decontamination")
    items = page.get_by_role("region", name="Capabilities needed")
    expect(items.get_by_role("row")).to_have_count(3)  # header + the two lines
    request_url = page.url

    # 3. Uzbekistan and the Philippines offer.
    sign_in(world.nfp_uz)
    _offer(
        page,
        request_url,
        code="UCPM-CBRNDET",
        capability="UZ detection team",
        text="Detection team, 12 people.",
    )
    sign_in(world.nfp_ph)
    _offer(
        page,
        request_url,
        code="GRP-DECON",
        capability="PH decontamination unit",
        text="Two decontamination lines.",
        quantity=2,
    )

    # 4. Kazakhstan accepts both from the incident page.
    sign_in(world.nfp_kz)
    page.goto(incident_url)
    offers = page.get_by_role("region", name="Offers")
    expect(offers.get_by_role("row")).to_have_count(3)
    for organisation in ("UZ focal point office", "PH focal point office"):
        page.goto(incident_url)
        page.get_by_role("region", name="Offers").get_by_role("link", name=organisation).click()
        page.get_by_role("button", name="Accept").click()
        expect(page.get_by_role("status")).to_contain_text("Offer accepted")
    page.goto(request_url)
    expect(page.locator("main .badge.badge-info")).to_have_text("Met")

    # 5. It publishes a situation report.
    page.goto(incident_url)
    page.get_by_role("link", name="Write a situation report").click()
    page.get_by_label("Title").fill("Sitrep 1: leak stopped")
    page.get_by_label("Situation as of").fill("2030-03-01T12:00")
    page.get_by_label(re.compile(r"^Situation:?$")).fill(
        "The leak is stopped; decontamination of the yard under way."
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published")

    # 6. And closes the incident; the page shows the whole story.
    page.goto(incident_url)
    page.get_by_role("button", name="Close the incident").click()
    expect(page.get_by_role("status")).to_contain_text("Incident closed")
    expect(page.locator("main .badge.badge-info")).to_have_text("Closed")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Sitrep 1: leak stopped")
    expect(timeline).to_contain_text("Accepted: UZ focal point office")
    expect(timeline).to_contain_text("Incident closed")
    deployments = page.get_by_role("region", name="Deployments")
    expect(deployments.get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("button", name="Close the incident")).to_have_count(0)

    # The people concerned were told at each step, as an exercise.
    from cbrnet.notifications.models import Notification

    titles = list(Notification.objects.filter(recipient=world.nfp_uz).values_list("title", flat=True))
    assert any(title.startswith("EXERCISE — New incident") for title in titles)
    assert any("Your offer was accepted" in title for title in titles)
    assert re.search(r"/incidents/incidents/\d+/$", incident_url)
