"""iCalendar feeds: valid RFC 5545, stable UIDs, UTC times, what each feed holds through the access
engine, and the feed secret (stored hashed; wrong, revoked or inactive: 404)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from cbrnet.core.testing import client_for
from cbrnet.meetings import services
from cbrnet.meetings.models import CalendarFeedToken
from cbrnet.meetings.selectors import meeting_uid
from cbrnet.meetings.tests.helpers import at, make_action_item, make_meeting

pytestmark = pytest.mark.django_db


def personal_url(key):
    return reverse("meetings:feed_personal", args=[key])


def region_url(key, region):
    return reverse("meetings:feed_region", args=[key, region.pk])


def fetch(url) -> tuple[bytes, Calendar]:
    response = Client().get(url)  # no session: a calendar application
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    return body, Calendar.from_ical(body)


def check_rfc5545(body: bytes, calendar: Calendar) -> None:
    """What RFC 5545 requires of a published calendar and its events, and what cbrnet promises."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # folded (3.1)
        assert b"\n" not in line
    assert calendar.get("VERSION") == "2.0" and calendar.get("PRODID")
    uids = []
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            assert event.get(required) is not None, required
        uids.append(str(event["UID"]))
        start = event.decoded("DTSTART")
        if isinstance(start, datetime.datetime):
            assert start.utcoffset() == datetime.timedelta(0)
            assert event.decoded("DTEND") >= start
        else:
            assert event.decoded("DTEND") > start  # whole days: DTEND is exclusive
        assert event.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)
    assert len(uids) == len(set(uids))
    assert re.search(rb"DTSTART:\d{8}T\d{6}Z", body) or b"VEVENT" not in body or b"VALUE=DATE" in body


def summaries(calendar):
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


@pytest.fixture
def meetings(world):
    return {
        "ca": make_meeting(world, region="ca", title="CA round table", start=at(2026, 12, 3, 4),
                           timezone="Asia/Tashkent", participants=[world.p_nfp_kz], city="Almaty", country=world.kz),
        "ca_other": make_meeting(world, region="ca", title="CA technical meeting", start=at(2026, 12, 10),
                                 kind="regional_meeting"),
        "sea": make_meeting(world, region="sea", title="SEA round table", start=at(2026, 12, 5),
                            participants=[world.p_nfp_kz]),
        "asean": make_meeting(world, region="asean", title="ASEAN meeting", start=at(2026, 12, 6),
                              participants=[world.p_nfp_th]),
    }


def test_the_region_feed_is_valid_and_holds_that_regions_meetings(world, meetings):
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    body, calendar = fetch(region_url(key, world.ca))
    check_rfc5545(body, calendar)
    assert summaries(calendar) == {"CA round table", "CA technical meeting"}
    event = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "CA round table")
    assert b"DTSTART:20261203T040000Z" in body
    assert str(event["UID"]) == meeting_uid(meetings["ca"].pk) and str(event["UID"]).startswith("meeting-")
    assert str(event["URL"]).endswith(meetings["ca"].get_absolute_url())
    assert "Almaty" in str(event["LOCATION"])


def test_uids_and_stamps_are_stable_between_fetches(world, meetings):
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    first, _calendar = fetch(region_url(key, world.ca))
    second, _calendar = fetch(region_url(key, world.ca))
    assert first == second


def test_a_region_feed_shows_what_its_user_may_see(world, meetings):
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    _body, calendar = fetch(region_url(key, world.asean_region))
    assert summaries(calendar) == set()  # KZ's organisation is not in the ASEAN network
    _token, key = services.calendar_feed_token_create(user=world.viewer_my)
    _body, calendar = fetch(region_url(key, world.asean_region))
    assert summaries(calendar) == {"ASEAN meeting"}


def test_the_personal_feed_holds_my_meetings_activities_and_due_dates(world, meetings):
    from cbrnet.core.audit import audit_actor
    from cbrnet.projects.models import Activity, Participation, Project

    make_action_item(meetings["ca"], world.p_nfp_kz, title="Send the KZ report", due=datetime.date(2027, 1, 15))
    make_action_item(meetings["ca"], world.p_nfp_kz, title="Already done", closed=True)
    make_action_item(meetings["ca"], world.p_nfp_uz, title="Not mine")
    with audit_actor(None, source="command"):
        project = Project.objects.create(network=world.coe, code="P-FEED", title="Feed project")
        project.regions.set([world.ca])
        mine = Activity.objects.create(project=project, kind="training", title="Trainer course",
                                       start_date=datetime.date(2026, 12, 14), end_date=datetime.date(2026, 12, 16))
        Activity.objects.create(project=project, kind="workshop", title="Someone else's workshop",
                                start_date=datetime.date(2026, 12, 15))
        Participation.objects.create(activity=mine, person=world.p_nfp_kz)
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    body, calendar = fetch(personal_url(key))
    check_rfc5545(body, calendar)
    assert summaries(calendar) == {"CA round table", "SEA round table", "Trainer course", "Send the KZ report"}
    due = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Send the KZ report")
    assert due.decoded("DTSTART") == datetime.date(2027, 1, 15) and due.decoded("DTEND") == datetime.date(2027, 1, 16)
    course = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Trainer course")
    assert course.decoded("DTEND") == datetime.date(2026, 12, 17)


@pytest.mark.parametrize("key", ["cal_wrong", "nonsense", "cal_" + "x" * 200])
def test_a_wrong_key_is_404(world, meetings, key):
    services.calendar_feed_token_create(user=world.nfp_kz)
    assert Client().get(personal_url(key)).status_code == 404
    assert Client().get(region_url(key, world.ca)).status_code == 404


def test_a_revoked_or_replaced_key_is_404_and_only_a_hash_is_stored(world, meetings):
    _token, old = services.calendar_feed_token_create(user=world.nfp_kz)
    _token, new = services.calendar_feed_token_create(user=world.nfp_kz)  # replaces the old one
    assert Client().get(personal_url(old)).status_code == 404
    assert Client().get(personal_url(new)).status_code == 200
    stored = CalendarFeedToken.objects.filter(user=world.nfp_kz)
    assert all(new not in (token.key_hash, token.prefix) for token in stored)
    assert stored.filter(revoked=False).get().key_hash == services.hash_feed_key(new)
    assert services.calendar_feed_token_revoke(user=world.nfp_kz) == 1
    assert Client().get(personal_url(new)).status_code == 404


def test_a_deactivated_account_or_an_invisible_region_is_404(world, meetings):
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    assert Client().get(reverse("meetings:feed_region", args=[key, 999999])).status_code == 404
    world.nfp_kz.is_active = False
    world.nfp_kz.save()
    assert Client().get(personal_url(key)).status_code == 404


def test_the_feed_is_read_only(world, meetings):
    _token, key = services.calendar_feed_token_create(user=world.nfp_kz)
    assert Client().post(personal_url(key)).status_code == 405
    assert Client().head(personal_url(key)).status_code == 200


def test_the_feeds_page_creates_shows_once_and_revokes(world, meetings):
    client = client_for(world.nfp_kz)
    page = reverse("meetings:calendar_feeds")
    assert "no calendar feed addresses" in client.get(page).content.decode()
    response = client.post(page, {"action": "create"})
    text = response.content.decode()
    key = re.search(r"/meetings/feeds/(cal_[A-Za-z0-9_-]+)/mine\.ics", text).group(1)
    assert f"/meetings/feeds/{key}/regions/{world.ca.pk}.ics" in text
    assert key not in client.get(page).content.decode()  # shown once
    assert Client().get(personal_url(key)).status_code == 200
    client.post(page, {"action": "revoke"})
    assert Client().get(personal_url(key)).status_code == 404


def test_the_api_creates_and_revokes_the_feed_secret(world, meetings):
    client = client_for(world.nfp_kz)
    response = client.post("/api/meetings/calendar/feed-token")
    assert response.status_code == 201
    body = response.json()
    assert body["personal"].endswith(f"/meetings/feeds/{body['key']}/mine.ics")
    assert any(url.endswith(f"/regions/{world.ca.pk}.ics") for url in body["regions"].values())
    assert Client().get(personal_url(body["key"])).status_code == 200
    assert client.delete("/api/meetings/calendar/feed-token").status_code == 204
    assert Client().get(personal_url(body["key"])).status_code == 404
    assert Client().post("/api/meetings/calendar/feed-token").status_code == 401
