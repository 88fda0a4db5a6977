"""notify, the outbox's delivery and its guarantees: delivered once, never lost when the mail server
is down, reclaimed when a worker dies, failed (and retryable) after its attempts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import audit_entries_for
from cbrnet.notifications import services
from cbrnet.notifications.choices import NotificationKind, OutboxStatus
from cbrnet.notifications.models import Notification, OutboxMessage
from cbrnet.notifications.tests.mailers import WorkerKilled

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def mailer(settings, name):
    settings.MAILERS = {"default": {"BACKEND": f"cbrnet.notifications.tests.mailers.{name}"}}


def locmem(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def alert(recipients, **extra):
    values = {
        "kind": NotificationKind.SURVEILLANCE_ALERT,
        "title": "Anthrax signal in Kazakhstan",
        "body": "Three cases above the expected count in week 12.",
        "url": "/surveillance/signals/4/",
    }
    return services.notify(recipients, **(values | extra))


def statuses():
    return sorted(OutboxMessage.objects.values_list("status", flat=True))


def time_passes():
    """Everything waiting is due now (as if its back-off had run out)."""
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


# --- notify --------------------------------------------------------------------------------------


def test_notify_writes_a_notification_and_an_email_per_recipient_and_sends_only_after_commit(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        written = alert([world.nfp_kz, world.sec_ca], obj=world.kz)
    assert [n.recipient for n in written] == [world.nfp_kz, world.sec_ca]
    notification = Notification.objects.get(recipient=world.nfp_kz)
    assert (notification.target, notification.read_at, notification.kind) == (
        world.kz,
        None,
        "surveillance_alert",
    )
    message = OutboxMessage.objects.get(notification=notification)
    assert message.address == "nfp-kz@example.org" and message.status == OutboxStatus.PENDING
    assert message.subject == "[cbrnet] Anthrax signal in Kazakhstan"
    assert f"{settings.SITE_URL}/surveillance/signals/4/" in message.body
    assert len(callbacks) == 1 and not mail.outbox and not DBTaskResult.objects.exists()

    callbacks[0]()  # the commit: the delivery task is queued, nothing is sent in the request
    task = DBTaskResult.objects.get()
    assert task.task_path == "cbrnet.notifications.tasks.outbox_deliver"
    assert sorted(task.args_kwargs["args"][0]) == sorted(OutboxMessage.objects.values_list("pk", flat=True))
    assert not mail.outbox
    assert (
        audit_entries_for(notification, "create").exists() and audit_entries_for(message, "create").exists()
    )


def test_running_the_delivery_task_sends_each_email_once(world, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    locmem(settings)
    with django_capture_on_commit_callbacks(execute=True):
        alert([world.nfp_kz, world.sec_ca, world.nfp_kz])  # the same person twice: notified once
    assert sorted(m.to[0] for m in mail.outbox) == ["nfp-kz@example.org", "sec-ca@example.org"]
    assert statuses() == ["sent", "sent"]
    sent = OutboxMessage.objects.get(address="nfp-kz@example.org")
    assert sent.attempts == 1 and sent.sent_at is not None
    assert (
        mail.outbox[0].extra_headers["Message-ID"]
        == OutboxMessage.objects.get(address=mail.outbox[0].to[0]).message_id
    )
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"

    report = services.outbox_deliver()  # a second worker, or the task delivered twice
    assert report.tried == 0 and len(mail.outbox) == 2


def test_notify_skips_inactive_users_and_sends_no_email_without_an_address_or_when_asked_not_to(
    world, django_capture_on_commit_callbacks
):
    world.team_kz.is_active = False
    world.team_kz.save()
    world.outsider.email = ""
    world.outsider.save()
    world.nfp_uz.email = "not an address"
    world.nfp_uz.save()
    with django_capture_on_commit_callbacks(execute=False):
        written = alert([world.team_kz, world.outsider, world.nfp_uz])
        quiet = alert([world.nfp_kz], email=False, title="Quiet")
    assert {n.recipient for n in written} == {world.outsider, world.nfp_uz}
    assert quiet[0].recipient == world.nfp_kz
    assert not OutboxMessage.objects.exists()


def test_notify_with_a_key_notifies_each_person_once_however_often_it_is_called(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        first = alert([world.nfp_kz], key="signal:4")
        again = alert([world.nfp_kz, world.sec_ca], key="signal:4")
        other = alert([world.nfp_kz], key="signal:5")
    assert len(first) == 1 and [n.recipient for n in again] == [world.sec_ca] and len(other) == 1
    assert Notification.objects.filter(recipient=world.nfp_kz).count() == 2
    assert OutboxMessage.objects.count() == 3


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("kind", {"kind": "gossip"}),
        ("title", {"title": "x" * 201}),
        ("title", {"title": ""}),
        ("url", {"url": "javascript:alert(1)"}),
        ("url", {"url": "//evil.example/"}),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(world, field, extra):
    with pytest.raises(ValidationError) as error:
        alert([world.nfp_kz, world.sec_ca], **extra)
    assert field in error.value.message_dict
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_notify_writes_in_the_callers_transaction(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            alert([world.nfp_kz])
            raise RuntimeError("the caller fails after notifying")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists() and not callbacks


# --- the mail server is down ----------------------------------------------------------------------


def queued(world, *users):
    services.notify(
        users or [world.nfp_kz], kind="system", title="Test message", body="Body", url="/notifications/"
    )
    return OutboxMessage.objects.order_by("pk")


def test_when_the_mail_server_is_down_the_email_waits_with_back_off_and_its_error(world, settings):
    mailer(settings, "DownBackend")
    message = queued(world).get()
    before = timezone.now()
    report = services.outbox_deliver()
    message.refresh_from_db()
    assert report.as_dict() == {"sent": 0, "retrying": 1, "failed": 0}
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "ConnectionRefusedError" in message.last_error and "Connection refused" in message.last_error
    assert (
        before + datetime.timedelta(seconds=59)
        < message.next_attempt_at
        < timezone.now() + datetime.timedelta(seconds=61)
    )
    assert message.lease_until is None and not message.claim_token

    assert services.outbox_deliver().tried == 0  # not due yet: the back-off is respected
    time_passes()
    services.outbox_deliver()
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at > timezone.now() + datetime.timedelta(
        seconds=110
    )

    locmem(settings)  # the server is back
    time_passes()
    assert services.outbox_deliver().sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 3, "")
    assert len(mail.outbox) == 1
    assert services.outbox_deliver().tried == 0 and len(mail.outbox) == 1


def test_the_back_off_doubles_up_to_its_maximum():
    assert [services.backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert services.backoff(30) == services.BACKOFF_MAX


def test_a_down_server_is_given_up_on_for_this_round_after_a_few_failures(world, settings):
    mailer(settings, "DownBackend")
    queued(world, world.nfp_kz, world.nfp_uz, world.sec_ca, world.nfp_ph, world.nfp_th)
    report = services.outbox_deliver()
    assert report.retrying == services.STOP_AFTER_FAILURES
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1, 1, 1]
    assert statuses() == ["pending"] * 5  # none lost, none given up on


def test_after_its_last_attempt_an_email_is_failed_and_stays_visible(world, settings):
    mailer(settings, "DownBackend")
    message = queued(world).get()
    OutboxMessage.objects.update(attempts=services.MAX_ATTEMPTS - 1)
    assert services.outbox_deliver().failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, services.MAX_ATTEMPTS)
    time_passes()
    assert services.outbox_deliver().tried == 0  # a failed e-mail waits for an administrator


def test_an_address_refused_for_good_fails_at_once(world, settings):
    mailer(settings, "RefusingBackend")
    message = queued(world).get()
    services.outbox_deliver()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 1)
    assert "550" in message.last_error


def test_a_platform_administrator_retries_a_failed_email_which_is_then_sent_once(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    mailer(settings, "DownBackend")
    message = queued(world).get()
    OutboxMessage.objects.update(status=OutboxStatus.FAILED, attempts=services.MAX_ATTEMPTS)

    with pytest.raises(Http404):
        services.outbox_message_retry(user=world.nfp_kz, message=message)  # not even their own e-mail
    locmem(settings)
    with django_capture_on_commit_callbacks(execute=True), audit_actor(world.admin, source="ui"):
        services.outbox_message_retry(user=world.admin, message=message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 1) and len(mail.outbox) == 1
    entry = audit_entries_for(message, "update").get()
    assert entry.actor_id == world.admin.pk and entry.after["status"] == "pending"

    with pytest.raises(ValidationError) as error:
        services.outbox_message_retry(user=world.admin, message=message)  # sent: never twice
    assert "status" in error.value.message_dict and len(mail.outbox) == 1


# --- workers that die ------------------------------------------------------------------------------


def test_an_email_claimed_by_a_worker_that_died_is_sent_once_after_the_lease(world, settings):
    locmem(settings)
    queued(world, world.nfp_kz, world.sec_ca)
    claimed, token = services.outbox_claim()  # ... and the worker dies before sending
    assert claimed.status == OutboxStatus.SENDING and claimed.lease_until > timezone.now()

    assert services.outbox_deliver().sent == 1  # the other e-mail; the claimed one is left alone
    assert [m.to[0] for m in mail.outbox] != [claimed.address]

    OutboxMessage.objects.filter(pk=claimed.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.outbox_deliver().sent == 1
    claimed.refresh_from_db()
    assert (claimed.status, claimed.attempts) == (OutboxStatus.SENT, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["nfp-kz@example.org", "sec-ca@example.org"]
    # The dead worker's late answer cannot overwrite the new claim's outcome.
    services._record_failure(claimed, token, RuntimeError("late"))
    claimed.refresh_from_db()
    assert claimed.status == OutboxStatus.SENT


def test_two_workers_never_claim_the_same_email(world):
    queued(world, world.nfp_kz, world.sec_ca)
    first, _ = services.outbox_claim()
    second, _ = services.outbox_claim()
    assert first.pk != second.pk
    assert services.outbox_claim() is None


def test_a_worker_that_keeps_dying_on_an_email_gives_it_up(world, settings):
    message = queued(world).get()
    OutboxMessage.objects.update(
        status=OutboxStatus.SENDING,
        attempts=services.MAX_ATTEMPTS,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert services.outbox_claim() is None
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and "stopped while sending" in message.last_error


def test_the_one_window_left_a_worker_killed_after_the_server_accepted_sends_a_copy_with_the_same_message_id(
    world, settings
):
    """docs/notifications.md: between the server's acceptance and the update that records it, a dead
    worker cannot tell; the e-mail is sent again, with the same Message-ID, so receivers can drop it."""
    mailer(settings, "AcceptThenDieBackend")
    message = queued(world).get()
    with pytest.raises(WorkerKilled):
        services.outbox_deliver()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENDING and len(mail.outbox) == 1

    locmem(settings)
    OutboxMessage.objects.update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    services.outbox_deliver()
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    assert mail.outbox[1].extra_headers["Message-ID"] == message.message_id


# --- reading -------------------------------------------------------------------------------------


def test_marking_read_touches_only_the_users_own_notifications(world):
    mine = alert([world.nfp_kz], email=False)[0]
    alert([world.nfp_kz], email=False, title="Second")
    theirs = alert([world.sec_ca], email=False)[0]
    with pytest.raises(Http404):
        services.notification_mark_read(user=world.nfp_kz, notification=theirs)
    services.notification_mark_read(user=world.nfp_kz, notification=mine)
    mine.refresh_from_db()
    first_read = mine.read_at
    assert first_read is not None
    services.notification_mark_read(user=world.nfp_kz, notification=mine)
    mine.refresh_from_db()
    assert mine.read_at == first_read
    assert services.notification_mark_all_read(user=world.nfp_kz) == 1
    assert Notification.objects.filter(read_at__isnull=True).get() == theirs
    assert not audit_entries_for(mine, "update").exists()  # reading is not a change of the records


def test_notification_recipients_are_the_people_whose_role_and_scope_concern_them(world):
    from cbrnet.notifications.selectors import notification_recipients

    concerned = notification_recipients(roles=["focal_point", "secretariat"], country_ids=[world.kz.pk])
    assert concerned == sorted([world.nfp_kz, world.sec_ca], key=lambda user: user.pk)
    assert notification_recipients(roles=["focal_point"], region_ids=[world.ca.pk]) == []
    hidden = world.p_hidden_kz
    visible_to = notification_recipients(
        roles=["focal_point", "secretariat", "national_team"],
        country_ids=[world.kz.pk, world.ph.pk],
        visible=hidden,
    )
    assert set(visible_to) == {world.nfp_kz, world.sec_ca, world.team_kz}
