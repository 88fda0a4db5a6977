"""Closing and reopening action items: who may (the owner, the meeting's managers), through the
service, the web UI and the API; the to-do list and its count on the dashboard."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.meetings import selectors, services
from cbrnet.meetings.choices import ActionItemStatus
from cbrnet.meetings.models import ActionItem
from cbrnet.meetings.tests.helpers import make_action_item, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def ca_item(world):
    """An open action item of a Central Asia round table, owned by the Uzbek focal point."""
    return make_action_item(make_meeting(world, region="ca"), world.p_nfp_uz, title="Send the UZ national report")


def test_the_owner_closes_their_item_with_a_note_and_it_is_audited(world, ca_item):
    with audit_actor(world.nfp_uz, source="command"):
        services.actionitem_close(user=world.nfp_uz, item=ca_item, note="Sent on 3 April.")
    ca_item.refresh_from_db()
    assert ca_item.status == ActionItemStatus.CLOSED
    assert ca_item.closing_note == "Sent on 3 April." and ca_item.closed_by == world.nfp_uz
    assert abs((timezone.now() - ca_item.closed_at).total_seconds()) < 60
    entry = audit_entries_for(ca_item, AuditEntry.Action.UPDATE).order_by("-pk").first()
    assert entry.actor_id == world.nfp_uz.pk and entry.after["status"] == "closed"


def test_a_manager_of_the_meeting_closes_someone_elses_item(world, ca_item):
    services.actionitem_close(user=world.sec_ca, item=ca_item)
    ca_item.refresh_from_db()
    assert ca_item.status == ActionItemStatus.CLOSED and ca_item.closed_by == world.sec_ca


@pytest.mark.parametrize("persona", ["nfp_kz", "team_kz", "nfp_ph"])
def test_readers_who_neither_own_nor_manage_it_may_not_close_it(world, ca_item, persona):
    user = getattr(world, persona)
    assert services.actionitem_may_close(user=user, item=ca_item) is False
    with pytest.raises(PermissionDenied):
        services.actionitem_close(user=user, item=ca_item)
    ca_item.refresh_from_db()
    assert ca_item.status == ActionItemStatus.OPEN
    assert not audit_entries_for(ca_item, AuditEntry.Action.UPDATE).exists()


def test_closing_a_closed_item_names_the_status_and_changes_nothing(world, ca_item):
    services.actionitem_close(user=world.nfp_uz, item=ca_item, note="Done.")
    with pytest.raises(ValidationError) as error:
        services.actionitem_close(user=world.nfp_uz, item=ca_item, note="Again.")
    assert "status" in error.value.message_dict
    ca_item.refresh_from_db()
    assert ca_item.closing_note == "Done."


def test_a_too_long_note_is_refused_by_name(world, ca_item):
    with pytest.raises(ValidationError) as error:
        services.actionitem_close(user=world.nfp_uz, item=ca_item, note="x" * 2001)
    assert "note" in error.value.message_dict
    assert ActionItem.objects.get(pk=ca_item.pk).status == ActionItemStatus.OPEN


def test_the_owner_and_a_manager_reopen_but_others_may_not(world, ca_item):
    services.actionitem_close(user=world.nfp_uz, item=ca_item, note="Done.")
    with pytest.raises(PermissionDenied):
        services.actionitem_reopen(user=world.nfp_kz, item=ca_item)
    services.actionitem_reopen(user=world.nfp_uz, item=ca_item)
    ca_item.refresh_from_db()
    assert ca_item.status == ActionItemStatus.OPEN and ca_item.closed_at is None and ca_item.closing_note == ""
    services.actionitem_close(user=world.sec_ca, item=ca_item)
    services.actionitem_reopen(user=world.sec_ca, item=ca_item)
    with pytest.raises(ValidationError) as error:
        services.actionitem_reopen(user=world.sec_ca, item=ca_item)
    assert "status" in error.value.message_dict


def test_an_owner_outside_the_network_still_sees_and_closes_their_item(world):
    """The JRC partner has no network: the meeting is invisible to them, their own item is not."""
    meeting = make_meeting(world, region="ca")
    item = make_action_item(meeting, world.p_jrc, title="Send the JRC guidance")
    client = client_for(world.jrc_user)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(item.get_absolute_url()).status_code == 200
    response = client.post(reverse("meetings:actionitem_close", args=[item.pk]), {"note": "Sent."})
    assert response.status_code == 302
    assert ActionItem.objects.get(pk=item.pk).status == ActionItemStatus.CLOSED


# --- the web UI -------------------------------------------------------------------------------------
def test_the_close_form_answers_403_to_a_reader_404_to_an_outsider_and_login_to_anonymous(world, ca_item, client):
    url = reverse("meetings:actionitem_close", args=[ca_item.pk])
    assert client_for(world.nfp_kz).post(url, {"note": "x"}).status_code == 403
    assert client_for(world.viewer_my).post(url, {"note": "x"}).status_code == 404  # not in the network
    response = client.post(url, {"note": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(world.nfp_uz).get(url).status_code == 405  # POST only
    assert ActionItem.objects.get(pk=ca_item.pk).status == ActionItemStatus.OPEN


def test_closing_in_the_ui_goes_back_to_the_page_it_came_from_but_never_off_site(world, ca_item):
    client = client_for(world.nfp_uz)
    url = reverse("meetings:actionitem_close", args=[ca_item.pk])
    response = client.post(url, {"note": "Done", "next": "https://evil.example/"})
    assert response["Location"] == ca_item.get_absolute_url()
    services.actionitem_reopen(user=world.nfp_uz, item=ca_item)
    mine = reverse("meetings:actionitem_mine")
    response = client.post(url, {"note": "Done", "next": mine}, follow=True)
    assert response.redirect_chain[-1][0] == mine
    assert "closed" in response.content.decode()


def test_closing_twice_in_the_ui_shows_the_reason(world, ca_item):
    client = client_for(world.nfp_uz)
    url = reverse("meetings:actionitem_close", args=[ca_item.pk])
    client.post(url, {"note": "Done"})
    response = client.post(url, {"note": "Again"}, follow=True)
    assert "already closed" in response.content.decode()
    assert ActionItem.objects.get(pk=ca_item.pk).closing_note == "Done"


# --- the API ----------------------------------------------------------------------------------------
def test_the_api_closes_and_reopens_for_the_owner_and_refuses_others(world, ca_item):
    close = f"/api/meetings/action-items/{ca_item.pk}/close"
    reopen = f"/api/meetings/action-items/{ca_item.pk}/reopen"
    response = client_for(world.nfp_kz).post(close, {"note": "x"}, content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert client_for(world.viewer_my).post(close, {}, content_type="application/json").status_code == 404
    owner = client_for(world.nfp_uz)
    response = owner.post(close, {"note": "Sent."}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["closing_note"] == "Sent."
    response = owner.post(close, {"note": "Again"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    assert owner.post(reopen).status_code == 200
    item = ActionItem.objects.get(pk=ca_item.pk)
    assert item.status == ActionItemStatus.OPEN
    assert audit_entries_for(item, AuditEntry.Action.UPDATE).filter(source="api").count() == 2


def test_a_read_only_token_may_not_close(world, ca_item):
    from django.test import Client

    from cbrnet.accounts.services import api_token_create

    _token, key = api_token_create(user=world.nfp_uz, name="read", scope="read")
    response = Client(headers={"Authorization": f"Bearer {key}"}).post(
        f"/api/meetings/action-items/{ca_item.pk}/close", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert ActionItem.objects.get(pk=ca_item.pk).status == ActionItemStatus.OPEN


def test_the_api_to_do_list_is_the_callers_own_open_items(world, ca_item):
    other = make_action_item(ca_item.meeting, world.p_nfp_kz, title="KZ item")
    overdue = make_action_item(ca_item.meeting, world.p_nfp_uz, title="Late", due=datetime.date(2020, 1, 1))
    rows = client_for(world.nfp_uz).get("/api/meetings/action-items/mine").json()
    assert [row["id"] for row in rows] == [overdue.pk, ca_item.pk]
    assert rows[0]["overdue"] is True and rows[1]["overdue"] is False
    assert other.pk not in [row["id"] for row in rows]


# --- to-do list ---------------------------------------------------------------------------------------
def test_my_action_items_lists_open_items_of_my_person_and_marks_the_overdue(world, ca_item):
    late = make_action_item(ca_item.meeting, world.p_nfp_uz, title="Late report", due=datetime.date(2020, 1, 1))
    done = make_action_item(ca_item.meeting, world.p_nfp_uz, title="Finished item", closed=True)
    someone_elses = make_action_item(ca_item.meeting, world.p_nfp_kz, title="Kazakh item")
    page = client_for(world.nfp_uz).get(reverse("meetings:actionitem_mine")).content.decode()
    assert ca_item.title in page and late.title in page
    assert done.title not in page and someone_elses.title not in page
    assert f'class="overdue" id="action-item-{late.pk}"' in page
    assert f'class="" id="action-item-{ca_item.pk}"' in page
    with_closed = client_for(world.nfp_uz).get(reverse("meetings:actionitem_mine"), {"closed": "1"}).content.decode()
    assert done.title in with_closed


def test_a_user_without_a_person_gets_an_explanation(world):
    page = client_for(world.outsider).get(reverse("meetings:actionitem_mine")).content.decode()
    assert "not linked to a person" in page


def test_the_dashboard_counts_my_open_items_in_one_query(world, ca_item, django_assert_num_queries):
    from cbrnet.access import user_context

    make_action_item(ca_item.meeting, world.p_nfp_uz, title="Closed", closed=True)
    make_action_item(ca_item.meeting, world.p_nfp_kz, title="Not mine")
    user_context(world.nfp_uz), user_context(world.outsider)  # computed once per request anyway
    with django_assert_num_queries(1):
        assert selectors.open_action_item_count(user=world.nfp_uz) == 1
    # The shortcut agrees with the engine: the owner may read every item they own.
    assert selectors.actionitem_todo(user=world.nfp_uz).count() == 1
    with django_assert_num_queries(0):
        assert selectors.open_action_item_count(user=world.outsider) == 0
    page = client_for(world.nfp_uz).get(reverse("core:home")).content.decode()
    assert reverse("meetings:actionitem_mine") in page
    assert "<strong>1</strong> To do" in page
