"""The inbox, one notification, the header badge and the outbox page: each user sees only their own
notifications (others' answer 404), the outbox only platform administrators."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cbrnet.core.testing import audit_entries_for
from cbrnet.notifications import services
from cbrnet.notifications.choices import OutboxStatus
from cbrnet.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


def notify(user, title="Anthrax signal in Kazakhstan", **extra):
    values = {"kind": "surveillance_alert", "body": "Week 12.\nThree cases.", "url": "/surveillance/"}
    return services.notify([user], title=title, **(values | extra))[0]


def url(name, *args):
    return reverse(f"notifications:{name}", args=args)


def test_the_inbox_needs_a_signed_in_user(client):
    for path in (url("notification_list"), url("notification_badge"), url("outboxmessage_list")):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_inbox_lists_only_the_users_own_notifications_unread_first(world, client_as):
    old = notify(world.nfp_kz, title="Old and read")
    services.notification_mark_read(user=world.nfp_kz, notification=old)
    new = notify(world.nfp_kz, title="Fresh alert")
    theirs = notify(world.sec_ca, title="For the secretariat only")
    page = client_as(world.nfp_kz).get(url("notification_list")).content.decode()
    assert page.index("Fresh alert") < page.index("Old and read")
    assert f'href="{new.get_absolute_url()}"' in page and f'href="{old.get_absolute_url()}"' in page
    assert "For the secretariat only" not in page and theirs.get_absolute_url() not in page
    assert "Mark 1 unread notification read" in page

    only_unread = client_as(world.nfp_kz).get(url("notification_list"), {"unread": "true"}).content.decode()
    assert "Fresh alert" in only_unread and "Old and read" not in only_unread


@pytest.mark.parametrize("name", ["notification_detail", "notification_mark_read", "notification_open"])
def test_another_users_notification_is_404_and_stays_unread(world, client_as, name):
    theirs = notify(world.sec_ca)
    client = client_as(world.nfp_kz)
    response = (
        client.get(url(name, theirs.pk))
        if name == "notification_detail"
        else client.post(url(name, theirs.pk))
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert (
        client_as(world.admin).get(url("notification_detail", theirs.pk)).status_code == 404
    )  # not even admins


def test_the_detail_page_shows_the_text_and_marking_read_works_with_and_without_htmx(world, client_as):
    notification = notify(world.nfp_kz)
    client = client_as(world.nfp_kz)
    page = client.get(url("notification_detail", notification.pk)).content.decode()
    assert "Three cases." in page and "Not yet" in page
    notification.refresh_from_db()
    assert notification.read_at is None  # looking does not mark it read

    row = client.post(url("notification_mark_read", notification.pk), headers={"HX-Request": "true"})
    assert row.status_code == 200 and f'id="notification-{notification.pk}"' in row.content.decode()
    assert "New" not in row.content.decode() and "Mark read" not in row.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None

    other = notify(world.nfp_kz, title="Second")
    response = client.post(
        url("notification_mark_read", other.pk), {"next": url("notification_detail", other.pk)}
    )
    assert response.status_code == 302 and response["Location"] == url("notification_detail", other.pk)
    response = client.post(url("notification_mark_read", other.pk), {"next": "https://evil.example/"})
    assert response["Location"] == url("notification_list")
    assert client.get(url("notification_mark_read", other.pk)).status_code == 405


def test_opening_marks_read_and_goes_to_the_record(world, client_as):
    notification = notify(world.nfp_kz)
    response = client_as(world.nfp_kz).post(url("notification_open", notification.pk))
    assert response.status_code == 302 and response["Location"] == "/surveillance/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    without_link = notify(world.nfp_kz, url="")
    response = client_as(world.nfp_kz).post(url("notification_open", without_link.pk))
    assert response["Location"] == without_link.get_absolute_url()


def test_mark_all_read_marks_only_the_users_own(world, client_as):
    notify(world.nfp_kz)
    notify(world.nfp_kz, title="Second")
    theirs = notify(world.sec_ca)
    response = client_as(world.nfp_kz).post(url("notification_mark_all_read"), follow=True)
    assert "2 notification(s) marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=world.nfp_kz, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_badge_counts_unread_and_is_empty_at_zero(world, client_as):
    client = client_as(world.nfp_kz)
    assert client.get(url("notification_badge")).content.decode().strip() == ""
    notify(world.nfp_kz)
    notify(world.nfp_kz, title="Second")
    notify(world.sec_ca)
    response = client.get(url("notification_badge"))
    assert ">2<" in response.content.decode() and "no-cache" in response["Cache-Control"]


def test_ordinary_pages_load_the_badge_lazily_without_a_query(world, client_as):
    notify(world.nfp_kz)
    client = client_as(world.nfp_kz)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:network_list"))
    assert page.status_code == 200
    assert f'hx-get="{url("notification_badge")}" hx-trigger="load"' in page.content.decode()
    assert not [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_the_inbox_costs_the_same_queries_for_3_or_30_notifications(world, client_as):
    client = client_as(world.nfp_kz)
    for index in range(3):
        notify(world.nfp_kz, title=f"Alert {index}", obj=world.kz)
    client.get(url("notification_list"))  # warm the caches (access context, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(url("notification_list"))
    for index in range(27):
        notify(world.nfp_kz, title=f"More {index}", obj=world.kz)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("notification_list"))
    assert response.content.decode().count('id="notification-') == 25  # one page
    assert len(many) == len(few)


# --- the outbox -----------------------------------------------------------------------------------


def test_the_outbox_is_for_platform_administrators_only(world, client_as):
    notify(world.nfp_kz)
    message = OutboxMessage.objects.get()
    page = client_as(world.admin).get(url("outboxmessage_list"))
    assert (
        message.address in page.content.decode()
        and f'href="{message.get_absolute_url()}"' in page.content.decode()
    )
    assert client_as(world.admin).get(url("outboxmessage_detail", message.pk)).status_code == 200

    for user in (world.nfp_kz, world.sec_ca):  # not even the e-mail's own recipient
        client = client_as(user)
        listing = client.get(url("outboxmessage_list"))
        assert listing.status_code == 200 and message.get_absolute_url() not in listing.content.decode()
        assert client.get(url("outboxmessage_detail", message.pk)).status_code == 404
        assert client.post(url("outboxmessage_retry", message.pk)).status_code == 404
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and not audit_entries_for(message, "update").exists()


def test_an_administrator_sends_a_failed_email_again_from_the_outbox(world, client_as, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notify(world.nfp_kz)
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.update(
        status=OutboxStatus.FAILED, attempts=10, last_error="SMTPServerDisconnected: gone"
    )
    client = client_as(world.admin)
    page = client.get(url("outboxmessage_list"), {"status": "failed"}).content.decode()
    assert "SMTPServerDisconnected: gone" in page and "Send again" in page

    response = client.post(url("outboxmessage_retry", message.pk), follow=True)
    assert "The e-mail will be sent again now." in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    entry = audit_entries_for(message, "update").get()
    assert (entry.actor_id, entry.source) == (world.admin.pk, "ui")

    OutboxMessage.objects.update(status=OutboxStatus.SENT)
    response = client.post(url("outboxmessage_retry", message.pk), follow=True)
    assert "Only a failed or waiting e-mail can be sent again" in response.content.decode()
