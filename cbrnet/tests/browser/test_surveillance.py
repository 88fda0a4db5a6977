"""From upload to alert in a browser: a veterinary surveillance officer uploads weekly anthrax counts
with an outbreak in the last week, detection finds it, the officer verifies the signal in the triage
inbox and raises an alert, and the Ministry of Health — the human-health authority of the same
country, alerted because anthrax is a zoonosis — reads it."""

import csv
import datetime
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# EARS C1 (judges from the 8th week): no alarm in the first 19 weeks, 25 cases in the last one.
COUNTS = [1, 2, 1, 3, 2, 1, 2, 2, 1, 3, 2, 1, 2, 1, 2, 3, 1, 2, 1, 25]


def _last_monday() -> datetime.date:
    today = datetime.date.today()
    return today - datetime.timedelta(days=today.weekday() + 7)


def _counts_csv(dataset_id: int) -> bytes:
    last = _last_monday()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["dataset", "disease", "admin_area", "week", "count"])
    for index, count in enumerate(COUNTS):
        week = last - datetime.timedelta(weeks=len(COUNTS) - 1 - index)
        writer.writerow([dataset_id, "anthrax", "", week.isoformat(), count])
    return text.getvalue().encode("utf-8")


@pytest.fixture
def outbreak(world):
    """The veterinary service of Kazakhstan with its surveillance officer (an editor) and its draft
    dataset of animal diseases; the sector authorities of Kazakhstan; anthrax, a zoonosis."""
    from cbrnet.accounts.models import User
    from cbrnet.core.audit import audit_actor
    from cbrnet.core.testing import PASSWORD
    from cbrnet.registry.choices import OrganisationKind, Role
    from cbrnet.registry.models import Organisation, Person, RoleAssignment
    from cbrnet.sharing.choices import TLP
    from cbrnet.surveillance.choices import Method, Sector
    from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority

    w = world
    with audit_actor(None, source="command"):
        w.kz_vet = Organisation.objects.create(name="KZ Veterinary Control Committee", kind=OrganisationKind.AGENCY,
                                               country=w.kz)
        w.kz_vet.networks.set([w.coe])
        w.p_officer = Person.objects.create(given_name="Askar", family_name="Vetofficer", organisation=w.kz_vet,
                                            country=w.kz, email="askar@example.org")
        RoleAssignment.objects.create(person=w.p_officer, role=Role.EDITOR, organisation=w.kz_vet,
                                      start_date=datetime.date(2020, 1, 1))
        w.officer = User.objects.create_user(username="officer-kz", password=PASSWORD, email="askar@example.org")
        w.p_officer.user_account = w.officer
        w.p_officer.save()
        SectorAuthority.objects.create(country=w.kz, sector=Sector.ANIMAL, organisation=w.kz_vet)
        SectorAuthority.objects.create(country=w.kz, sector=Sector.HUMAN, organisation=w.kz_ministry)
        w.anthrax = Disease.objects.create(code="anthrax", name="Anthrax", zoonotic=True, human=True, animal=True)
        w.dataset = Dataset.objects.create(title="KZ notifiable animal diseases", country=w.kz, sector=Sector.ANIMAL,
                                           method=Method.EARS_C1, owner_organisation=w.kz_vet, author=w.officer,
                                           tlp=TLP.AMBER)
    return w


def test_an_uploaded_outbreak_becomes_a_signal_is_verified_and_alerts_the_health_ministry(
    page, context, browser, live_server, outbreak, sign_in, settings, tmp_path, console_messages
):
    import cbrnet.surveillance.services.detection  # noqa: F401 - scipy: seconds, once per process
    import cbrnet.urls  # noqa: F401 - the live server runs in this process: its first page need not load them
    from cbrnet.surveillance.models import Alert, Signal

    w = outbreak
    settings.MEDIA_ROOT = tmp_path  # the uploaded file is kept with its job
    # Detection runs when the import commits (the live server runs in this process).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    # 1. The officer opens the surveillance dashboard from the main navigation: nothing open yet.
    sign_in(w.officer)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveillance").click()
    expect(page.get_by_role("heading", name="Surveillance", level=1)).to_be_visible()
    expect(page.get_by_test_id("open-signal-count")).to_have_text("0")

    # 2. Upload the weekly counts to the dataset: checked first, then imported.
    page.goto(w.dataset.get_absolute_url())
    page.get_by_role("link", name="Upload weekly counts").click()
    expect(page.get_by_role("heading", name=re.compile("^Import Weekly counts"), level=1)).to_be_visible()
    page.get_by_label("File (CSV UTF-8 or XLSX)").set_input_files(
        {"name": "kz-anthrax.csv", "mimeType": "text/csv", "buffer": _counts_csv(w.dataset.pk)}
    )
    page.get_by_role("button", name="Upload and check").click()
    status = page.locator("#job-status")
    status.get_by_role("button", name=re.compile("^Import")).click()
    expect(page.locator("#job-status")).to_contain_text(re.compile("imported", re.IGNORECASE))

    # 3. Detection ran on the new data: one signal, in the last week.
    signal = Signal.objects.get()
    assert (signal.week, signal.count, signal.status) == (_last_monday(), 25, "new")

    # 4. The dashboard counts it on the map and in the table, which leads to the triage inbox.
    page.goto("/surveillance/")
    expect(page.get_by_test_id("open-signal-count")).to_have_text("1")
    expect(page.locator('svg.world-map [data-country="KZ"]')).to_have_class("signals-1")
    row = page.locator("#signal-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kazakhstan")
    expect(row).to_contain_text("Anthrax")
    row.get_by_role("link", name=re.compile("^Signals")).click()
    expect(page).to_have_url(re.compile(rf"/surveillance/signals/\?country={w.kz.pk}&disease={w.anthrax.pk}$"))
    inbox = page.locator("#object-table tbody tr")
    expect(inbox).to_have_count(1)
    inbox.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/surveillance/signals/{signal.pk}/$"))

    # 5. The chart of the series shows the alarm and the signal waiting for triage.
    page.get_by_role("link", name="Chart of counts, thresholds and alarms").click()
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    expect(chart.locator(".chart-bars rect")).to_have_count(len(COUNTS))
    expect(chart.locator(".chart-bars rect.alarm")).to_have_count(1)
    expect(chart.locator(".chart-threshold")).to_have_count(1)
    expect(chart.locator(".chart-signals a.mark-new")).to_have_count(1)
    page.get_by_role("link", name="All years").click()
    expect(page.get_by_role("link", name="All years")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"\?chart_range=all$"))  # htmx swapped the chart and kept the URL
    chart.locator(".chart-signals a.mark-new").click()
    expect(page).to_have_url(re.compile(rf"/surveillance/signals/{signal.pk}/$"))

    # 6. The officer verifies the signal and raises an alert from it.
    page.get_by_label("Reason").first.fill("Confirmed by the district veterinary laboratory.")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Signal verified.")).to_be_visible()
    page.get_by_role("link", name="Raise an alert").click()
    expect(page.get_by_label("Headline")).to_have_value(re.compile("^Anthrax above the expected level"))
    page.get_by_label("Description").fill("25 cases of anthrax in cattle last week, against 1 to 3 before.")
    page.get_by_role("button", name=re.compile("^(Save|Raise)")).click()
    alert = Alert.objects.get()
    expect(page).to_have_url(re.compile(rf"/surveillance/alerts/{alert.pk}/$"))
    assert alert.status == "published" and alert.sector_list == ["animal", "human"]

    # 7. The Ministry of Health (human health) reads the alert, but not the veterinary data behind it.
    ministry = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="UTC")
    try:
        from django.conf import settings as django_settings
        from django.test import Client

        client = Client()
        client.force_login(w.team_kz)
        ministry.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
        reader = ministry.new_page()
        reader.goto("/surveillance/alerts/")
        reader.get_by_role("link", name=alert.headline).click()
        expect(reader.get_by_role("heading", name=alert.headline, level=1)).to_be_visible()
        assert reader.goto(signal.get_absolute_url()).status == 404
        reader.goto("/surveillance/")
        expect(reader.get_by_test_id("alert-count")).to_have_text("1")
        expect(reader.get_by_test_id("open-signal-count")).to_have_text("0")  # the dataset is not shared
    finally:
        ministry.close()
    assert console_messages == []
