from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about. A module that sends a new kind adds it here (and a migration)."""

    SURVEILLANCE_ALERT = "surveillance_alert", _("Surveillance alert")
    INCIDENT = "incident", _("Incident")
    SHARED_ITEM = "shared_item", _("Shared item")
    SYSTEM = "system", _("System message")


class OutboxStatus(models.TextChoices):
    """Where an e-mail stands: see docs/notifications.md for the transitions and their guarantees."""

    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
