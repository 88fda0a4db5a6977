"""Notifications: what a user finds in their inbox, the e-mails that carry it, and the scheduler's log.

A notification is written for each person concerned, in the transaction of whatever caused it; its
e-mail waits in the outbox until a worker has handed it to the mail server (docs/notifications.md).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail.utils import DNS_NAME
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy, UserRecordPolicy
from cbrnet.core.models import BaseModel
from cbrnet.notifications.choices import NotificationKind, OutboxStatus


def validate_link(value: str) -> None:
    """A path on this site ("/surveillance/signals/4/") or an http(s) address; nothing else is linked
    from a page or an e-mail (no javascript:, no protocol-relative "//host")."""
    if not value:
        return
    if value.startswith("/") and not value.startswith("//"):
        return
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return
    raise ValidationError(_("Enter a path on this site (starting with /) or an http(s) address."))


class Notification(BaseModel):
    """A message in one user's inbox: something that concerns them happened (an alert, an incident…).

    Reading it (`read_at`) is the user's own state, not a change of the platform's records: it is
    left out of the audit trail.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_link])
    # The record it is about, when there is one (a signal, an incident…); ids as text, as in the audit trail.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("record type"),
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    key = models.CharField(
        _("key"),
        max_length=150,
        blank=True,
        help_text=_(
            "Set by the sender: notifying the same person twice with one key writes one notification."
        ),
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    access_policy = UserRecordPolicy(path="recipient")
    ui_elsewhere = "the inbox (/notifications/) and the notifications API"
    audit_exclude = ("read_at",)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_unique"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("notifications:notification_detail", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(BaseModel):
    """One e-mail of a notification: waiting, being sent, sent, or given up on after many attempts.

    Workers move it through its states with conditional updates (docs/notifications.md); those
    transitions are bookkeeping recorded on the row itself (attempts, last error, sent at), not in
    the audit trail, which would otherwise lock its chain for every conversation with the mail
    server. Its creation and an administrator's retry are audited.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="emails", verbose_name=_("notification")
    )
    address = models.EmailField(_("recipient address"))
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True, editable=False)

    access_policy = ScopedPolicy(public_read=False, managers=())  # platform administrators only
    ui_elsewhere = "the outbox page (/notifications/outbox/) and API, for platform administrators"
    audit_exclude = ("lease_until", "claim_token")

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.subject} → {self.address}"

    def get_absolute_url(self):
        return reverse("notifications:outboxmessage_detail", args=[self.pk])

    @property
    def message_id(self) -> str:
        """The Message-ID header: the same for every attempt, so that a receiver can drop a copy sent
        twice (docs/notifications.md, "the one window left")."""
        address = str(settings.DEFAULT_FROM_EMAIL).rsplit("<", 1)[-1].rstrip(">").strip()
        domain = address.rpartition("@")[2] or str(DNS_NAME)
        return f"<{self.idempotency_key}@{domain}>"


class PeriodicTaskRun(models.Model):
    """When the scheduler (cbrnet.core.periodic) last queued one periodic task.

    Kept here rather than in core so that core's migrations stay untouched; any app could hold it.
    The row is the lock two schedulers share: only the one whose conditional update moves
    `last_enqueued_at` queues the task. Not audited: it changes every minute and records no decision.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)

    access_policy = ScopedPolicy(public_read=False, managers=())  # platform administrators only

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self):
        return self.name
