"""Every write of notifications: notify people, mark notifications read, deliver the e-mail outbox and
retry a failed e-mail.

`notify` writes in the caller's transaction and only queues the sending (`transaction.on_commit`):
a request never talks to the mail server, and an e-mail exists exactly when its notification does.

Delivery (`outbox_deliver`, run by the tasks of cbrnet.notifications.tasks) takes one e-mail at a
time through three conditional updates, each of which only one worker can win:

    claim    pending and due (or "sending" whose lease ran out)  ->  sending, lease, attempts + 1
    mark     sending with our claim token                          ->  sent
    failure  sending with our claim token                          ->  pending (back off) or failed

docs/notifications.md explains what this guarantees and the one window it cannot close.
"""

import datetime
import logging
import secrets
import smtplib
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.notifications.choices import OutboxStatus
from cbrnet.notifications.models import Notification, OutboxMessage

logger = logging.getLogger(__name__)

# A claim lasts far longer than any conversation with the mail server (each network operation gives
# up after CBRNET_EMAIL_TIMEOUT, 30 s by default): an e-mail is reclaimed only when its worker died.
LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 10  # with the back-off below: retried for about 8 hours before it is marked failed
BACKOFF_FIRST = datetime.timedelta(minutes=1)
BACKOFF_MAX = datetime.timedelta(hours=4)
BATCH_LIMIT = 200  # e-mails one task sends at most; the rest wait for the next task
STOP_AFTER_FAILURES = 3  # failures in a row: the mail server is down, leave the rest for later
ERROR_LENGTH = 2000


# --- notify --------------------------------------------------------------------------------------


def notify(
    recipients,
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    obj=None,
    email: bool = True,
    key: str = "",
) -> list[Notification]:
    """Write a notification for each recipient and, with `email`, its e-mail in the outbox; the
    e-mails are queued once the caller's transaction commits. Returns the notifications written.

    Recipients are users (each counted once; inactive accounts are skipped). With a `key` (e.g.
    "surveillance-signal:42") a person already notified under that key is not notified again, so a
    task that is retried may call this again safely. Raises ValidationError naming the field
    (unknown kind, title too long, a link that is neither a site path nor an http(s) address).
    """
    users = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in users:
            users[user.pk] = user
    content_type, object_id = None, ""
    if obj is not None:
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        object_id = str(obj.pk)
    values = {
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "content_type": content_type,
        "object_id": object_id,
        "key": key,
    }
    # Checked once, whoever the recipients are (the same values go to each of them).
    Notification(**values).full_clean(
        exclude=["recipient"], validate_unique=False, validate_constraints=False
    )
    subject, text = _subject(title), _email_text(body, url)
    written: list[Notification] = []
    queued: list[int] = []
    with transaction.atomic():
        for user in users.values():
            notification = Notification(recipient=user, **values)
            if key and Notification.objects.filter(recipient=user, key=key).exists():
                continue
            try:
                with transaction.atomic():  # a concurrent call with the same key: skip, keep the rest
                    notification.save()
            except IntegrityError:
                if key and Notification.objects.filter(recipient=user, key=key).exists():
                    continue
                raise
            written.append(notification)
            address = _usable_address(user)
            if email and address:
                message = OutboxMessage(
                    notification=notification,
                    address=address,
                    subject=subject,
                    body=text,
                    # Stored once: every attempt carries the same Message-ID (see OutboxMessage.message_id).
                    idempotency_key=f"cbrnet-n{notification.pk}.{secrets.token_hex(8)}",
                )
                message.save()
                queued.append(message.pk)
        if queued:
            transaction.on_commit(partial(enqueue_delivery, queued), robust=True)
    return written


def _usable_address(user) -> str:
    address = (user.email or "").strip()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        # One bad account must not stop an alert to everyone else: the in-app notification stays.
        logger.warning("user %s has an invalid e-mail address; notified in the application only", user.pk)
        return ""
    return address


def _subject(title: str) -> str:
    subject = f"[{settings.SITE_NAME}] {' '.join(title.split())}"
    return subject if len(subject) <= 250 else subject[:249] + "…"


def _email_text(body: str, url: str) -> str:
    parts = [body.strip()] if body.strip() else []
    if url:
        parts.append(absolute_url(url))
    parts.append(
        "-- \n"
        + _("You receive this because of your role on %(site)s. All your notifications: %(inbox)s")
        % {"site": settings.SITE_NAME, "inbox": absolute_url("/notifications/")}
    )
    return "\n\n".join(parts) + "\n"


def absolute_url(url: str) -> str:
    """A site path made absolute with CBRNET_SITE_URL (e-mails and CAP alerts have no request)."""
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def enqueue_delivery(message_ids: list[int]) -> None:
    """Queue the sending of these e-mails. If the queue cannot be reached they stay pending and the
    periodic retry (cbrnet.core.periodic) sends them: nothing is lost."""
    from cbrnet.notifications import tasks

    try:
        tasks.outbox_deliver.enqueue(message_ids)
    except Exception:
        logger.exception(
            "could not queue %d e-mail(s); the periodic outbox retry will send them", len(message_ids)
        )


# --- reading ------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (a second time changes nothing). 404 for others'."""
    notification = access.get_object_for(user, Notification.objects.all(), "change", pk=notification.pk)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    unread = access.restrict(Notification.objects.filter(read_at__isnull=True), user, "change")
    return unread.update(read_at=timezone.now())


# --- delivery -----------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def _due(now) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lt=now
    )


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4… minutes, at most BACKOFF_MAX."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def outbox_claim(*, message_ids: list[int] | None = None) -> tuple[OutboxMessage, str] | None:
    """Claim the next due e-mail for this worker: (message, claim token), or None when none is due.

    PostgreSQL skips rows other workers hold (SELECT … FOR UPDATE SKIP LOCKED), so workers never wait
    on each other; SQLite runs one writing transaction at a time (immediate transactions). On any
    database, the conditional update decides: a row another worker claimed first is not updated.
    """
    while True:
        now = timezone.now()
        due = OutboxMessage.objects.filter(_due(now))
        if message_ids is not None:
            due = due.filter(pk__in=message_ids)
        with transaction.atomic():
            candidates = due.order_by("next_attempt_at", "pk")
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            message = candidates.first()
            if message is None:
                return None
            if message.status == OutboxStatus.SENDING and message.attempts >= MAX_ATTEMPTS:
                # Its worker died with it every time (a message that crashes the worker): give up.
                OutboxMessage.objects.filter(_due(now), pk=message.pk).update(
                    status=OutboxStatus.FAILED,
                    lease_until=None,
                    claim_token="",
                    last_error=f"The worker stopped while sending it, {message.attempts} times.",
                    updated=now,
                )
                continue
            token = secrets.token_hex(16)
            claimed = OutboxMessage.objects.filter(_due(now), pk=message.pk).update(
                status=OutboxStatus.SENDING,
                lease_until=now + LEASE,
                claim_token=token,
                attempts=F("attempts") + 1,
                updated=now,
            )
        if claimed:
            message.refresh_from_db()
            return message, token


def outbox_deliver(*, message_ids: list[int] | None = None, limit: int = BATCH_LIMIT) -> DeliveryReport:
    """Send due e-mails (only `message_ids`, when given) one at a time; see the module docstring."""
    report = DeliveryReport()
    backend = None
    failures_in_a_row = 0
    try:
        while report.tried < limit:
            claim = outbox_claim(message_ids=message_ids)
            if claim is None:
                break
            message, token = claim
            try:
                if backend is None:
                    backend = mailers.default
                    backend.open()
                if not backend.send_messages([_email(message)]):
                    raise RuntimeError("The mail backend accepted nothing.")
            except Exception as error:
                _close(backend)
                backend = None
                if _record_failure(message, token, error) == OutboxStatus.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
                failures_in_a_row += 1
                if failures_in_a_row >= STOP_AFTER_FAILURES:
                    break
            else:
                _mark_sent(message, token)
                report.sent += 1
                failures_in_a_row = 0
    finally:
        _close(backend)
    return report


def _email(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={
            "Message-ID": message.message_id,
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies to the platform
            "X-Auto-Response-Suppress": "All",
        },
    )


def _mark_sent(message: OutboxMessage, token: str) -> None:
    now = timezone.now()
    marked = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, claim_token=token
    ).update(status=OutboxStatus.SENT, sent_at=now, lease_until=None, last_error="", updated=now)
    if not marked:
        # Our lease ran out before the mail server answered and another worker reclaimed it: it may
        # send a second copy (with the same Message-ID). LEASE is meant to make this impossible.
        logger.warning("outbox message %s was sent after its claim expired", message.pk)


def _record_failure(message: OutboxMessage, token: str, error: Exception) -> str:
    """Back off, or give up after MAX_ATTEMPTS (or at once when the server refused the address for good)."""
    now = timezone.now()
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _text in error.recipients.values()
    )
    status = OutboxStatus.FAILED if permanent or message.attempts >= MAX_ATTEMPTS else OutboxStatus.PENDING
    text = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING, claim_token=token).update(
        status=status,
        next_attempt_at=now + backoff(message.attempts),
        lease_until=None,
        claim_token="",
        last_error=text,
        updated=now,
    )
    logger.warning("outbox message %s, attempt %s: %s", message.pk, message.attempts, text)
    return status


def _close(backend) -> None:
    if backend is None:
        return
    try:
        backend.close()
    except Exception:  # a connection that already broke: nothing more to do with it
        logger.debug("closing the mail connection failed", exc_info=True)


def outbox_message_retry(*, user, message: OutboxMessage) -> OutboxMessage:
    """Send a failed or waiting e-mail again now, with a fresh set of attempts (platform administrators).
    An e-mail being sent or already sent is refused: sending it again is what the outbox prevents."""
    with transaction.atomic():
        message = access.get_object_for(
            user, OutboxMessage.objects.select_for_update(), "change", pk=message.pk
        )
        if message.status not in (OutboxStatus.FAILED, OutboxStatus.PENDING):
            raise ValidationError(
                {
                    "status": _("Only a failed or waiting e-mail can be sent again; this one is %(status)s.")
                    % {"status": message.get_status_display().lower()}
                }
            )
        message.status = OutboxStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.lease_until = None
        message.claim_token = ""
        message.save()
        transaction.on_commit(partial(enqueue_delivery, [message.pk]), robust=True)
    return message
