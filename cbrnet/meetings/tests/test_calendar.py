"""The calendar: month grid boundaries (in each meeting's own time zone), navigation, the upcoming
list, project activities beside meetings, the access engine, bad input and query counts."""

import datetime

import pytest
from django.urls import reverse

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.meetings import selectors
from cbrnet.meetings.tests.helpers import at, make_meeting

pytestmark = pytest.mark.django_db

URL = "/meetings/calendar/"


def day_cell(page: str, day: str) -> str:
    return page.split(f'data-date="{day}"')[1].split("</td>")[0]


def make_activity(w, *, title, start, end=None, regions=("ca",)):
    from cbrnet.projects.models import Activity, Project

    with audit_actor(None, source="command"):
        code = "P-CAL-" + "-".join(regions).upper()
        project, _created = Project.objects.get_or_create(network=w.coe, code=code, defaults={"title": "Calendar project"})
        project.regions.set([getattr(w, region) for region in regions])
        return Activity.objects.create(project=project, kind="workshop", title=title, start_date=start, end_date=end,
                                       city="Almaty", country=w.kz)


def test_a_meeting_is_on_the_day_of_its_own_time_zone_at_month_boundaries(world):
    # 31 March 23:30 in Tashkent is 18:30 UTC; 1 April 00:30 in Tashkent is 31 March 19:30 UTC.
    late_march = make_meeting(world, title="Late March meeting", start=at(2026, 3, 31, 18, 30), hours=1,
                              timezone="Asia/Tashkent")
    early_april = make_meeting(world, title="Early April meeting", start=at(2026, 3, 31, 19, 30), hours=1,
                               timezone="Asia/Tashkent")
    client = client_for(world.nfp_kz)
    march = client.get(URL, {"month": "2026-03"}).content.decode()
    assert late_march.title in day_cell(march, "2026-03-31")
    assert early_april.title not in day_cell(march, "2026-03-31")
    assert early_april.title in day_cell(march, "2026-04-01")  # the grid's trailing days of April
    assert 'class="other-month"' in march.split('data-date="2026-04-01"')[0].rsplit("<td", 1)[1]
    april = client.get(URL, {"month": "2026-04"}).content.decode()
    assert early_april.title in day_cell(april, "2026-04-01")
    assert late_march.title in day_cell(april, "2026-03-31")  # April's grid starts on Monday 30 March
    assert "2026-03-29" not in april


def test_a_meeting_over_a_month_end_is_on_every_day_it_spans(world):
    meeting = make_meeting(world, title="Three-day round table", start=at(2026, 4, 29), hours=24 * 2 + 8)
    client = client_for(world.nfp_kz)
    april = client.get(URL, {"month": "2026-04"}).content.decode()
    may = client.get(URL, {"month": "2026-05"}).content.decode()
    for day in ("2026-04-29", "2026-04-30", "2026-05-01"):
        assert meeting.title in day_cell(april, day) and meeting.title in day_cell(may, day)
    assert meeting.title not in day_cell(may, "2026-05-02")


def test_previous_and_next_links_cross_years_and_keep_the_region(world):
    page = client_for(world.nfp_kz).get(URL, {"month": "2026-12", "region": world.ca.pk}).content.decode()
    assert f'href="?month=2026-11&amp;region={world.ca.pk}"' in page
    assert f'href="?month=2027-01&amp;region={world.ca.pk}"' in page
    page = client_for(world.nfp_kz).get(URL, {"month": "2026-01"}).content.decode()
    assert 'href="?month=2025-12"' in page


def test_the_month_grid_starts_on_monday_and_covers_whole_weeks():
    weeks = selectors.month_grid([], 2026, 3)
    assert weeks[0][0]["day"] == datetime.date(2026, 2, 23) and weeks[-1][-1]["day"] == datetime.date(2026, 4, 5)
    assert all(len(week) == 7 for week in weeks)
    assert [cell["in_month"] for cell in weeks[0]] == [False] * 6 + [True]


@pytest.mark.parametrize("month", ["2026-13", "March", "2026-3", "0000-01"])
def test_a_bad_month_is_named_and_the_page_still_answers(world, month):
    response = client_for(world.nfp_kz).get(URL, {"month": month})
    if month == "0000-01":
        assert response.status_code == 200  # a valid form, but no year 0: the current month is shown
        return
    assert response.status_code == 400
    assert "Month: Give the month as YYYY-MM" in response.content.decode()


def test_an_unknown_region_is_named(world):
    response = client_for(world.nfp_kz).get(URL, {"region": "999999"})
    assert response.status_code == 400 and "Region:" in response.content.decode()


def test_the_calendar_shows_only_what_the_engine_allows_and_filters_by_region(world):
    ca = make_meeting(world, region="ca", title="CA meeting", start=at(2026, 3, 10))
    sea = make_meeting(world, region="sea", title="SEA meeting", start=at(2026, 3, 11))
    asean = make_meeting(world, region="asean", title="ASEAN meeting", start=at(2026, 3, 12))
    page = client_for(world.nfp_kz).get(URL, {"month": "2026-03"}).content.decode()
    assert ca.title in page and sea.title in page and asean.title not in page
    page = client_for(world.nfp_kz).get(URL, {"month": "2026-03", "region": world.ca.pk}).content.decode()
    assert ca.title in page and sea.title not in page
    page = client_for(world.viewer_my).get(URL, {"month": "2026-03"}).content.decode()
    assert asean.title in page and ca.title not in page
    assert client_for(None).get(URL).status_code == 302


def test_activities_of_the_projects_appear_beside_meetings(world):
    meeting = make_meeting(world, region="ca", title="CA meeting", start=at(2026, 3, 10))
    workshop = make_activity(world, title="Biosafety workshop", start=datetime.date(2026, 3, 30),
                             end=datetime.date(2026, 4, 2))
    sea_training = make_activity(world, title="SEA training", start=datetime.date(2026, 3, 5), regions=("sea",))
    client = client_for(world.nfp_kz)
    march = client.get(URL, {"month": "2026-03"}).content.decode()
    assert workshop.title in day_cell(march, "2026-03-30") and workshop.title in day_cell(march, "2026-04-02")
    assert workshop.get_absolute_url() in march and meeting.title in march
    only_ca = client.get(URL, {"month": "2026-03", "region": world.ca.pk}).content.decode()
    assert workshop.title in only_ca and sea_training.title not in only_ca
    events = selectors.calendar_events(user=world.nfp_kz, first=datetime.date(2026, 3, 1), last=datetime.date(2026, 3, 31))
    assert [event.title for event in events] == ["SEA training", "CA meeting", "Biosafety workshop"]


def test_the_upcoming_list_starts_today(world):
    from django.utils import timezone

    today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    past = make_meeting(world, title="Past meeting", start=today - datetime.timedelta(days=3))
    soon = make_meeting(world, title="Soon meeting", start=today + datetime.timedelta(days=3))
    later = make_meeting(world, title="Later meeting", start=today + datetime.timedelta(days=40), status="cancelled")
    page = client_for(world.nfp_kz).get(reverse("meetings:calendar_upcoming")).content.decode()
    assert past.title not in page
    assert soon.title in page and later.title in page and page.index(soon.title) < page.index(later.title)
    assert "cancelled" in page


def test_the_month_query_count_does_not_grow_with_events(world, django_assert_max_num_queries):
    for day in range(1, 29):
        make_meeting(world, region="ca" if day % 2 else "sea", title=f"Meeting {day}", start=at(2026, 2, day))
    client = client_for(world.nfp_kz)
    client.get(URL, {"month": "2026-02"})
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"month": "2026-02"})
    assert response.content.decode().count('class="event event-meeting') == 28


def test_the_api_lists_events_between_two_dates_and_names_bad_input(world):
    make_meeting(world, region="ca", title="CA meeting", start=at(2026, 3, 10))
    client = client_for(world.nfp_kz)
    rows = client.get("/api/meetings/calendar/events", {"start": "2026-03-01", "end": "2026-03-31"}).json()
    assert [row["title"] for row in rows] == ["CA meeting"] and rows[0]["start"].startswith("2026-03-10T09:00")
    response = client.get("/api/meetings/calendar/events", {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "end"
    response = client.get("/api/meetings/calendar/events", {"start": "2026-01-01", "end": "2028-01-01"})
    assert response.status_code == 422
    response = client.get("/api/meetings/calendar/events", {"start": "soon", "end": "2026-03-01"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "start"
