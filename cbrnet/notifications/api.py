"""JSON API of notifications.

    GET  /api/notifications/                  your notifications, unread first (filters: unread, kind, q)
    GET  /api/notifications/unread-count      how many are unread
    GET  /api/notifications/{id}              one of yours
    GET  /api/notifications/{id}/cap          it as an OASIS CAP 1.2 alert (application/cap+xml)
    POST /api/notifications/{id}/read         mark it read
    POST /api/notifications/read-all          mark all read
    GET  /api/notifications/outbox/           the e-mail outbox (platform administrators; filter: status)
    GET  /api/notifications/outbox/{id}       one e-mail
    POST /api/notifications/outbox/{id}/retry send a failed or waiting e-mail again now

Others' notifications answer 404, as do outbox e-mails to anyone but platform administrators.
Errors are problem details (cbrnet.api).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Schema

from cbrnet import access
from cbrnet.api import Page, list_parameters, page_params, problem
from cbrnet.notifications import cap, selectors, services
from cbrnet.notifications.filters import NotificationFilterSet, OutboxMessageFilterSet
from cbrnet.notifications.models import Notification, OutboxMessage

router = Router(tags=["Notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    object_type: str | None
    object_id: str
    read: bool
    read_at: datetime | None
    created: datetime
    links: dict[str, str]


class OutboxMessageOut(Schema):
    id: int
    notification: int
    address: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    message_id: str
    created: datetime
    links: dict[str, str]


class CountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def notification_out(notification: Notification) -> dict:
    content_type = notification.content_type if notification.content_type_id else None
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": services.absolute_url(notification.url) if notification.url else "",
        "object_type": f"{content_type.app_label}.{content_type.model}" if content_type else None,
        "object_id": notification.object_id,
        "read": notification.read_at is not None,
        "read_at": notification.read_at,
        "created": notification.created,
        "links": {
            "self": reverse("api:notification_read", args=[notification.pk]),
            "page": notification.get_absolute_url(),
            "cap": reverse("api:notification_cap", args=[notification.pk]),
            "mark_read": reverse("api:notification_mark_read", args=[notification.pk]),
        },
    }


def outbox_message_out(message: OutboxMessage) -> dict:
    return {
        "id": message.pk,
        "notification": message.notification_id,
        "address": message.address,
        "subject": message.subject,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": message.next_attempt_at,
        "last_error": message.last_error,
        "sent_at": message.sent_at,
        "message_id": message.message_id,
        "created": message.created,
        "links": {
            "self": reverse("api:outboxmessage_read", args=[message.pk]),
            "page": message.get_absolute_url(),
            "retry": reverse("api:outboxmessage_retry", args=[message.pk]),
        },
    }


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError({name: [str(m) for m in errors] for name, errors in filterset.errors.items()})
    return filterset.qs


def _notification(request, pk, action="view") -> Notification:
    return access.get_object_for(
        request.user, Notification.objects.select_related("content_type"), action, pk=pk
    )


@router.get(
    "/",
    response=Page,
    operation_id="notification_list",
    url_name="notification_list",
    summary="Your notifications, unread first",
    openapi_extra={"parameters": list_parameters(NotificationFilterSet, ())},
)
def notification_list(request):
    rows = _filtered(NotificationFilterSet, request, selectors.notification_inbox(user=request.user))
    limit, offset = page_params(request)
    page = rows.select_related("content_type")[offset : offset + limit]
    return {
        "count": rows.count(),
        "limit": limit,
        "offset": offset,
        "results": [notification_out(n) for n in page],
    }


@router.get(
    "/unread-count",
    response=CountOut,
    operation_id="notification_unread_count",
    url_name="notification_unread_count",
    summary="How many of your notifications are unread",
)
def notification_unread_count(request):
    return {"unread": selectors.notification_unread_count(user=request.user)}


@router.post(
    "/read-all",
    response=MarkedOut,
    operation_id="notification_mark_all_read",
    url_name="notification_mark_all_read",
    summary="Mark all your notifications read",
)
def notification_mark_all_read(request):
    return {"marked": services.notification_mark_all_read(user=request.user)}


@router.get(
    "/{int:pk}",
    response=NotificationOut,
    operation_id="notification_read",
    url_name="notification_read",
    summary="Read one of your notifications",
)
def notification_read(request, pk: int):
    return notification_out(_notification(request, pk))


@router.post(
    "/{int:pk}/read",
    response=NotificationOut,
    operation_id="notification_mark_read",
    url_name="notification_mark_read",
    summary="Mark one of your notifications read",
)
def notification_mark_read(request, pk: int):
    notification = services.notification_mark_read(user=request.user, notification=_notification(request, pk))
    return notification_out(notification)


@router.get(
    "/{int:pk}/cap",
    operation_id="notification_cap",
    url_name="notification_cap",
    summary="One of your notifications as an OASIS CAP 1.2 alert",
    openapi_extra={
        "responses": {
            "200": {"description": "CAP 1.2 XML", "content": {cap.MIME_TYPE: {"schema": {"type": "string"}}}}
        }
    },
)
def notification_cap(request, pk: int):
    notification = _notification(request, pk)
    try:
        xml = cap.build_cap(selectors.notification_cap_alert(notification))
    except cap.CapError as error:  # e.g. a sender address CAP cannot carry: say so, never a 500
        return problem(request, 422, "Not representable as CAP", "; ".join(error.problems))
    return HttpResponse(xml, content_type=f"{cap.MIME_TYPE}; charset=utf-8")


@router.get(
    "/outbox/",
    response=Page,
    operation_id="outboxmessage_list",
    url_name="outboxmessage_list",
    summary="The e-mail outbox (platform administrators)",
    openapi_extra={"parameters": list_parameters(OutboxMessageFilterSet, ())},
)
def outboxmessage_list(request):
    queryset = access.restrict(OutboxMessage.objects.all(), request.user, "view").order_by("-created", "-pk")
    rows = _filtered(OutboxMessageFilterSet, request, queryset)
    limit, offset = page_params(request)
    page = rows[offset : offset + limit]
    return {
        "count": rows.count(),
        "limit": limit,
        "offset": offset,
        "results": [outbox_message_out(m) for m in page],
    }


@router.get(
    "/outbox/{int:pk}",
    response=OutboxMessageOut,
    operation_id="outboxmessage_read",
    url_name="outboxmessage_read",
    summary="One e-mail of the outbox (platform administrators)",
)
def outboxmessage_read(request, pk: int):
    return outbox_message_out(access.get_object_for(request.user, OutboxMessage.objects.all(), "view", pk=pk))


@router.post(
    "/outbox/{int:pk}/retry",
    response=OutboxMessageOut,
    operation_id="outboxmessage_retry",
    url_name="outboxmessage_retry",
    summary="Send a failed or waiting e-mail again now",
)
def outboxmessage_retry(request, pk: int):
    message = access.get_object_for(request.user, OutboxMessage.objects.all(), "change", pk=pk)
    try:
        message = services.outbox_message_retry(user=request.user, message=message)
    except ValidationError as error:
        return problem(request, 409, "Conflict", " ".join(error.messages))
    return outbox_message_out(message)
