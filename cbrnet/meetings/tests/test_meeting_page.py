"""A meeting's page: its records, the open action items carried over from earlier meetings of the
same series (one query), time zones in the form, presentations' files and inviting focal points."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cbrnet.access import user_context
from cbrnet.core.testing import client_for
from cbrnet.meetings import models, selectors
from cbrnet.meetings.choices import MeetingKind
from cbrnet.meetings.tests.helpers import at, make_action_item, make_meeting, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(world):
    """Three Central Asia round tables, a CA steering committee and a SEA round table, with items."""
    first = make_meeting(world, region="ca", title="First CA round table", start=at(2025, 3, 1))
    second = make_meeting(world, region="ca", title="Second CA round table", start=at(2025, 9, 1))
    third = make_meeting(world, region="ca", title="Third CA round table", start=at(2026, 3, 1))
    committee = make_meeting(world, region="ca", kind=MeetingKind.STEERING_COMMITTEE, title="CA committee",
                             start=at(2025, 6, 1))
    sea = make_meeting(world, region="sea", title="SEA round table", start=at(2025, 6, 1))
    items = {
        "first_open": make_action_item(first, world.p_nfp_kz, title="Translate the guide", due=datetime.date(2025, 6, 1)),
        "first_closed": make_action_item(first, world.p_nfp_uz, title="Nominate trainers", closed=True),
        "second_open": make_action_item(second, world.p_nfp_uz, title="Host the exercise"),
        "third_open": make_action_item(third, world.p_nfp_kz, title="Report on the exercise"),
        "committee_open": make_action_item(committee, world.p_nfp_kz, title="Committee item"),
        "sea_open": make_action_item(sea, world.p_nfp_ph, title="SEA item"),
    }
    return {"first": first, "second": second, "third": third, "items": items}


def test_the_next_meeting_shows_the_open_items_of_the_earlier_ones_of_its_series(world, series):
    items = series["items"]
    found = selectors.meeting_previous_open_action_items(user=world.nfp_kz, meeting=series["third"])
    assert found == [items["first_open"], items["second_open"]]  # due first; closed, later, other series left out
    assert selectors.meeting_previous_open_action_items(user=world.nfp_kz, meeting=series["first"]) == []
    page = client_for(world.nfp_kz).get(series["third"].get_absolute_url()).content.decode()
    carried = page.split('id="previous-heading"')[1].split("</section>")[0]
    assert "Translate the guide" in carried and "Host the exercise" in carried
    assert "Nominate trainers" not in carried and "Committee item" not in carried and "SEA item" not in carried
    assert "overdue" in carried  # due 2025-06-01


def test_the_carried_over_items_cost_one_query(world, series, django_assert_num_queries):
    user_context(world.nfp_kz)
    with django_assert_num_queries(1):
        selectors.meeting_previous_open_action_items(user=world.nfp_kz, meeting=series["third"])


def test_the_carried_over_items_follow_the_engine(world, series):
    """A user who sees only their own item (no network) sees only that one carried over."""
    make_action_item(series["second"], world.p_jrc, title="JRC item")
    found = selectors.meeting_previous_open_action_items(user=world.jrc_user, meeting=series["third"])
    assert [item.title for item in found] == ["JRC item"]
    response = client_for(world.nfp_kz).get(f"/api/meetings/meetings/{series['third'].pk}/previous-open-action-items")
    assert [row["title"] for row in response.json()] == ["Translate the guide", "Host the exercise", "JRC item"]


def test_the_meeting_page_shows_its_records_and_the_close_buttons_to_whom_they_belong(world, series):
    meeting = series["second"]
    item = record(models.AgendaItem, meeting=meeting, order=1, title="Regional exercise", presenter=world.p_nfp_uz)
    record(models.Presentation, meeting=meeting, agenda_item=item, title="Exercise concept", link="https://example.org/x")
    record(models.Decision, meeting=meeting, agenda_item=item, text="Uzbekistan hosts the 2026 exercise.")
    models.Participant.objects.create(meeting=meeting, person=world.p_nfp_uz)
    close_url = reverse("meetings:actionitem_close", args=[series["items"]["second_open"].pk])
    owner_page = client_for(world.nfp_uz).get(meeting.get_absolute_url()).content.decode()
    for text in ("Regional exercise", "Exercise concept", "Uzbekistan hosts the 2026 exercise.", "Host the exercise",
                 "Bek Uzfocal"):
        assert text in owner_page
    assert close_url in owner_page
    assert reverse("meetings:agendaitem_add") not in owner_page  # not a manager
    reader_page = client_for(world.nfp_kz).get(meeting.get_absolute_url()).content.decode()
    assert "Host the exercise" in reader_page and close_url not in reader_page
    manager_page = client_for(world.sec_ca).get(meeting.get_absolute_url()).content.decode()
    assert close_url in manager_page and reverse("meetings:agendaitem_add") in manager_page


def test_the_meeting_page_query_count_does_not_grow_with_its_records(world, series, django_assert_max_num_queries):
    meeting = series["second"]
    for number in range(1, 6):
        agenda_item = record(models.AgendaItem, meeting=meeting, order=number, title=f"Item {number}",
                             presenter=world.p_nfp_kz)
        record(models.Presentation, meeting=meeting, agenda_item=agenda_item, title=f"Slides {number}",
               link="https://example.org/s")
        record(models.Decision, meeting=meeting, agenda_item=agenda_item, text=f"Decision {number}")
        make_action_item(meeting, world.p_nfp_kz, title=f"Action {number}")
    client = client_for(world.sec_ca)
    client.get(meeting.get_absolute_url())
    with django_assert_max_num_queries(22):
        assert client.get(meeting.get_absolute_url()).status_code == 200


def test_times_are_typed_in_the_meetings_time_zone_and_stored_in_utc(world):
    client = client_for(world.sec_ca)
    response = client.post(reverse("meetings:meeting_add"), {
        "network": world.coe.pk, "region": world.ca.pk, "kind": "round_table", "title": "Tashkent round table",
        "start": "2026-05-12T09:00", "end": "2026-05-12T17:30", "timezone": "Asia/Tashkent", "status": "planned",
    })
    assert response.status_code == 302
    meeting = models.Meeting.objects.get(title="Tashkent round table")
    assert meeting.start == datetime.datetime(2026, 5, 12, 4, 0, tzinfo=datetime.UTC)  # UTC+5
    assert meeting.when() == "2026-05-12 09:00–17:30 Asia/Tashkent"
    form = client.get(reverse("meetings:meeting_edit", args=[meeting.pk])).content.decode()
    assert 'value="2026-05-12T09:00"' in form
    # The API takes ISO 8601: with an offset it is kept; without one it is the meeting's local time.
    api = client.patch(f"/api/meetings/meetings/{meeting.pk}", {"start": "2026-05-12T08:00:00+05:00"},
                       content_type="application/json")
    assert api.status_code == 200, api.content
    assert api.json()["start"].startswith("2026-05-12T03:00:00")
    api = client.patch(f"/api/meetings/meetings/{meeting.pk}", {"start": "2026-05-12T10:00"},
                       content_type="application/json")
    assert models.Meeting.objects.get(pk=meeting.pk).start == datetime.datetime(2026, 5, 12, 5, 0, tzinfo=datetime.UTC)


def test_an_unknown_time_zone_and_a_region_of_another_network_are_named(world):
    response = client_for(world.admin).post(reverse("meetings:meeting_add"), {
        "network": world.coe.pk, "region": world.asean_region.pk, "kind": "round_table", "title": "Bad",
        "start": "2026-05-12T09:00", "end": "2026-05-12T17:30", "timezone": "Mars/Olympus", "status": "planned",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "Time zone:" in page and "Region: This region belongs to another network." in page
    assert not models.Meeting.objects.filter(title="Bad").exists()


def test_a_secretariat_may_not_file_a_meeting_under_another_region(world):
    response = client_for(world.sec_ca).post(reverse("meetings:meeting_add"), {
        "network": world.coe.pk, "region": world.sea.pk, "kind": "round_table", "title": "Not ours",
        "start": "2026-05-12T09:00", "end": "2026-05-12T17:30", "timezone": "UTC", "status": "planned",
    })
    assert response.status_code == 400
    assert not models.Meeting.objects.filter(title="Not ours").exists()


# --- presentations ----------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_manager_uploads_slides_and_only_the_meetings_readers_download_them(world, media):
    meeting = make_meeting(world, region="ca")
    response = client_for(world.sec_ca).post(reverse("meetings:presentation_add"), {
        "meeting": meeting.pk, "title": "KZ national report",
        "file": SimpleUploadedFile("kz-report.pdf", b"%PDF-1.4 slides", content_type="application/pdf"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    presentation = models.Presentation.objects.get(title="KZ national report")
    assert "kz-report" not in presentation.file.name.split("/")[2] and presentation.file_name == "kz-report.pdf"
    url = reverse("meetings:presentation_download", args=[presentation.pk])
    response = client_for(world.nfp_kz).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.viewer_my).get(url).status_code == 404  # not in the network
    assert client_for(world.nfp_kz).get(f"/api/meetings/presentations/{presentation.pk}/file").status_code == 200
    assert client_for(world.viewer_my).get(f"/api/meetings/presentations/{presentation.pk}/file").status_code == 404
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_file_of_a_refused_kind_or_size_is_named_and_nothing_is_saved(world, media, monkeypatch):
    meeting = make_meeting(world, region="ca")
    client = client_for(world.sec_ca)
    response = client.post(reverse("meetings:presentation_add"), {
        "meeting": meeting.pk, "title": "Macro slides",
        "file": SimpleUploadedFile("slides.pptm", b"macro", content_type="application/octet-stream"),
    })
    assert response.status_code == 400 and "File:" in response.content.decode()
    monkeypatch.setattr(models, "PRESENTATION_MAX_BYTES", 10)
    response = client.post(reverse("meetings:presentation_add"), {
        "meeting": meeting.pk, "title": "Big slides",
        "file": SimpleUploadedFile("big.pdf", b"%PDF-1.4 more than ten bytes", content_type="application/pdf"),
    })
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not models.Presentation.objects.exists()
    assert not any(media.rglob("*.p*"))


def test_the_api_uploads_a_file_to_an_existing_presentation(world, media):
    meeting = make_meeting(world, region="ca")
    client = client_for(world.sec_ca)
    created = client.post("/api/meetings/presentations/", {"meeting": meeting.pk, "title": "Slides",
                                                           "link": "https://example.org/slides"},
                          content_type="application/json").json()
    assert created["file"] is None
    url = f"/api/meetings/presentations/{created['id']}/file"
    response = client.post(url, {"file": SimpleUploadedFile("s.exe", b"MZ")})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    response = client.post(url, {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.4")})
    assert response.status_code == 200, response.content
    assert client.get(f"/api/meetings/presentations/{created['id']}").json()["file"] == url
    assert client_for(world.nfp_kz).post(url, {"file": SimpleUploadedFile("t.pdf", b"%PDF")}).status_code == 403


# --- inviting focal points --------------------------------------------------------------------------
def test_the_secretariat_invites_the_regions_focal_points_once(world):
    meeting = make_meeting(world, region="ca")
    client = client_for(world.sec_ca)
    url = reverse("meetings:meeting_invite_focal_points", args=[meeting.pk])
    assert client.post(url).status_code == 302
    assert set(meeting.participants.all()) == {world.p_nfp_kz, world.p_nfp_uz}
    client.post(url)
    assert meeting.participations.count() == 2
    assert client_for(world.nfp_kz).post(url).status_code == 403
    response = client_for(world.admin).post(f"/api/meetings/meetings/{meeting.pk}/invite-focal-points")
    assert response.status_code == 201 and response.json() == []


def test_a_replaced_or_deleted_presentations_file_leaves_the_storage(world, media, django_capture_on_commit_callbacks):
    meeting = make_meeting(world, region="ca")
    client = client_for(world.sec_ca)
    created = client.post("/api/meetings/presentations/", {"meeting": meeting.pk, "title": "Slides",
                                                           "link": "https://example.org/slides"},
                          content_type="application/json").json()
    url = f"/api/meetings/presentations/{created['id']}/file"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("first.pdf", b"%PDF-1")})
    first = models.Presentation.objects.get(pk=created["id"]).file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("second.pdf", b"%PDF-2")})
    second = models.Presentation.objects.get(pk=created["id"]).file.name
    assert not (media / first).exists() and (media / second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/meetings/presentations/{created['id']}").status_code == 204
    assert not (media / second).exists()


def test_a_manager_edits_a_record_whose_person_they_cannot_see_but_cannot_pick_such_a_person(world):
    """The JRC partner is not in the CA secretariat's directory view; an item they own stays editable."""
    meeting = make_meeting(world, region="ca")
    item = make_action_item(meeting, world.p_jrc, title="JRC guidance")
    client = client_for(world.sec_ca)
    assert client.get(world.p_jrc.get_absolute_url()).status_code == 404
    response = client.patch(f"/api/meetings/action-items/{item.pk}", {"due_date": "2031-01-31"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.due_date == datetime.date(2031, 1, 31) and item.owner == world.p_jrc
    other = make_action_item(meeting, world.p_nfp_kz, title="KZ item")
    response = client.patch(f"/api/meetings/action-items/{other.pk}", {"owner": world.p_jrc.pk},
                            content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "owner"
