import django_filters
from django.utils.translation import gettext_lazy as _

from cbrnet.core.filters import BaseFilterSet
from cbrnet.notifications import models


class NotificationFilterSet(BaseFilterSet):
    """The inbox (UI and API): unread only, by kind, by words of the title or text."""

    search_fields = ("title", "body")
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))
    unfiltered = {
        "recipient": "always the signed-in user (the access engine shows nobody else's)",
        "url": "a link, not a filter target",
        "content_type": "the record it is about: followed through its link",
        "object_id": "the record it is about: followed through its link",
        "key": "the sender's deduplication key, internal",
        "read_at": "filtered as `unread`",
    }

    class Meta:
        model = models.Notification
        fields = ["kind"]


class OutboxMessageFilterSet(BaseFilterSet):
    """The outbox (platform administrators): by status, by address or subject."""

    search_fields = ("address", "subject")
    unfiltered = {
        "notification": "reached from the message",
        "body": "prose",
        "next_attempt_at": "shown; the list is ordered by it",
        "lease_until": "internal to the workers",
        "claim_token": "internal to the workers",
        "last_error": "shown; searching errors is rarely useful",
        "sent_at": "shown",
        "idempotency_key": "internal; shown on the message page",
    }

    class Meta:
        model = models.OutboxMessage
        fields = ["status", "attempts"]
