"""The notifications API: own notifications only (404 otherwise), read marks, CAP, the outbox for
platform administrators; errors are problem details."""

import json

import pytest

from cbrnet.notifications import cap, services
from cbrnet.notifications.choices import OutboxStatus
from cbrnet.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db

API = "/api/notifications"


def notify(user, title="Anthrax signal", **extra):
    values = {"kind": "surveillance_alert", "body": "Week 12.", "url": "/surveillance/"}
    return services.notify([user], title=title, **(values | extra))[0]


def post(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_anonymous_callers_get_401_problem_details(client):
    response = client.get(f"{API}/")
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_the_list_has_only_own_notifications_unread_first_paginated_and_filtered(world, client_as):
    read = notify(world.nfp_kz, title="Read one", obj=world.kz)
    services.notification_mark_read(user=world.nfp_kz, notification=read)
    unread = [notify(world.nfp_kz, title=f"Unread {n}") for n in range(3)]
    notify(world.sec_ca, title="Someone else's")
    client = client_as(world.nfp_kz)

    body = client.get(f"{API}/", {"limit": 2}).json()
    assert body["count"] == 4 and body["limit"] == 2 and len(body["results"]) == 2
    everything = client.get(f"{API}/").json()["results"]
    assert [row["title"] for row in everything] == ["Unread 2", "Unread 1", "Unread 0", "Read one"]
    last = everything[-1]
    assert last["object_type"] == "registry.country" and last["object_id"] == str(world.kz.pk)
    assert last["read"] is True and last["url"].endswith("/surveillance/") and last["url"].startswith("http")

    only_unread = client.get(f"{API}/", {"unread": "true"}).json()
    assert {row["id"] for row in only_unread["results"]} == {n.pk for n in unread}
    assert client.get(f"{API}/unread-count").json() == {"unread": 3}

    bad = client.get(f"{API}/", {"kind": "gossip"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    assert client.get(f"{API}/", {"limit": "x"}).status_code == 400


def test_another_users_notification_is_404_for_every_operation(world, client_as):
    theirs = notify(world.sec_ca)
    client = client_as(world.nfp_kz)
    for response in (
        client.get(f"{API}/{theirs.pk}"),
        client.get(f"{API}/{theirs.pk}/cap"),
        post(client, f"{API}/{theirs.pk}/read"),
        client.get(f"{API}/{2**70}"),
    ):
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_one_and_all_read(world, client_as):
    first = notify(world.nfp_kz)
    notify(world.nfp_kz, title="Second")
    theirs = notify(world.sec_ca)
    client = client_as(world.nfp_kz)
    response = post(client, f"{API}/{first.pk}/read")
    assert response.status_code == 200 and response.json()["read"] is True
    assert post(client, f"{API}/read-all").json() == {"marked": 1}
    assert post(client, f"{API}/read-all").json() == {"marked": 0}
    assert Notification.objects.filter(read_at__isnull=True).get() == theirs


def test_a_read_token_cannot_mark_read(world):
    from django.test import Client

    from cbrnet.accounts.services import api_token_create

    notification = notify(world.nfp_kz)
    _token, key = api_token_create(user=world.nfp_kz, name="reader", scope="read")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(f"{API}/{notification.pk}").status_code == 200
    assert post(client, f"{API}/{notification.pk}/read").status_code == 403


def test_a_notification_as_cap(world, client_as):
    notification = notify(world.nfp_kz, title="Anthrax <signal> & more", body="Three cases.")
    response = client_as(world.nfp_kz).get(f"{API}/{notification.pk}/cap")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
    assert cap.validate_cap(response.content) == []
    alert = cap.parse_cap(response.content)
    assert (alert.scope, alert.addresses, alert.msg_type, alert.status) == (
        "Private",
        ["nfp-kz"],
        "Alert",
        "Actual",
    )
    info = alert.infos[0]
    assert (info.headline, info.description, info.categories) == (
        "Anthrax <signal> & more",
        "Three cases.",
        ["Health"],
    )
    assert info.web.endswith("/surveillance/") and alert.identifier.endswith(
        f".notification.{notification.pk}"
    )


def test_the_outbox_is_for_platform_administrators(world, client_as, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    notify(world.nfp_kz)
    message = OutboxMessage.objects.get()
    nfp = client_as(world.nfp_kz)
    assert nfp.get(f"{API}/outbox/").json()["count"] == 0
    assert nfp.get(f"{API}/outbox/{message.pk}").status_code == 404
    assert post(nfp, f"{API}/outbox/{message.pk}/retry").status_code == 404

    admin = client_as(world.admin)
    listing = admin.get(f"{API}/outbox/", {"status": "pending"}).json()
    assert [row["id"] for row in listing["results"]] == [message.pk]
    row = admin.get(f"{API}/outbox/{message.pk}").json()
    assert row["message_id"] == message.message_id and row["status"] == "pending"
    assert admin.get(f"{API}/outbox/", {"status": "sent"}).json()["count"] == 0

    OutboxMessage.objects.update(status=OutboxStatus.FAILED, attempts=10)
    response = post(admin, f"{API}/outbox/{message.pk}/retry")
    assert (
        response.status_code == 200
        and response.json()["status"] == "pending"
        and response.json()["attempts"] == 0
    )

    OutboxMessage.objects.update(status=OutboxStatus.SENT)
    conflict = post(admin, f"{API}/outbox/{message.pk}/retry")
    assert conflict.status_code == 409 and conflict["Content-Type"] == "application/problem+json"
    assert "Only a failed or waiting e-mail" in conflict.json()["detail"]
