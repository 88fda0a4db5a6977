"""Reads of notifications: the inbox, its unread count, whom to notify, and a notification as CAP."""

import datetime

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When

from cbrnet import access
from cbrnet.notifications import cap
from cbrnet.notifications.choices import NotificationKind
from cbrnet.notifications.models import Notification
from cbrnet.notifications.services import absolute_url


def notification_inbox(*, user) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return access.restrict(Notification.objects.all(), user, "view").order_by(unread_first, "-created", "-pk")


def notification_unread_count(*, user) -> int:
    return access.restrict(Notification.objects.filter(read_at__isnull=True), user, "view").count()


def notification_recipients(*, roles, country_ids=(), region_ids=(), visible=None) -> list:
    """The active users whose active role is one of `roles` for one of these countries or regions
    ("the focal points and secretariat concerned by an alert in Kazakhstan"). A secretariat is
    concerned by the countries of its region. With `visible` (a record), only those who may view it:
    a notification never tells anyone about a record they cannot open (R12)."""
    from django.contrib.auth import get_user_model

    from cbrnet.registry.models import Membership, RoleAssignment

    regions = set(region_ids)
    if country_ids:
        regions |= set(
            Membership.objects.current()
            .filter(country_id__in=list(country_ids))
            .values_list("region_id", flat=True)
        )
    assignments = RoleAssignment.objects.active().filter(role__in=list(roles))
    scoped = assignments.filter(country_id__in=list(country_ids)) | assignments.filter(
        region_id__in=list(regions)
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True, person__roles__in=scoped.values("pk"))
        .distinct()
        .order_by("pk")
    )
    if visible is None:
        return list(users)
    return [user for user in users if access.can(user, "view", visible)]


# CAP category of each kind of notification.
CAP_CATEGORIES = {
    NotificationKind.SURVEILLANCE_ALERT: "Health",
    NotificationKind.INCIDENT: "CBRNE",
    NotificationKind.SHARED_ITEM: "Other",
    NotificationKind.SYSTEM: "Other",
}


def notification_cap_alert(notification: Notification) -> cap.Alert:
    """A notification as a CAP 1.2 alert for other systems: Private, addressed to its recipient.
    Urgency, severity and certainty are Unknown: the notification does not say; a module that knows
    them (an outbreak signal, an incident) builds its own alert with cbrnet.notifications.cap."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    sender = str(settings.DEFAULT_FROM_EMAIL).rsplit("<", 1)[-1].rstrip(">").strip()
    return cap.Alert(
        identifier=f"{host}.notification.{notification.pk}",
        sender=sender.replace(" ", "") or host,
        sent=notification.created.astimezone(datetime.UTC),
        status="Actual",
        msg_type="Alert",
        scope="Private",
        addresses=[notification.recipient.get_username()],
        infos=[
            cap.Info(
                language=settings.LANGUAGE_CODE,
                categories=[CAP_CATEGORIES.get(notification.kind, "Other")],
                event=notification.get_kind_display(),
                urgency="Unknown",
                severity="Unknown",
                certainty="Unknown",
                sender_name=settings.SITE_NAME,
                headline=notification.title,
                description=notification.body,
                web=absolute_url(notification.url) if notification.url else "",
            )
        ],
    )
