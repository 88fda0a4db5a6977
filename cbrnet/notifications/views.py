"""Web UI of notifications: the inbox, one notification, the unread badge, and the outbox (platform
administrators). Objects come through the access engine (others' notifications: 404); writes go
through cbrnet.notifications.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.notifications import selectors, services
from cbrnet.notifications.choices import OutboxStatus
from cbrnet.notifications.filters import NotificationFilterSet, OutboxMessageFilterSet
from cbrnet.notifications.models import Notification, OutboxMessage, validate_link

PAGE_SIZE = 25
BADGES = {
    OutboxStatus.PENDING: "muted",
    OutboxStatus.SENDING: "info",
    OutboxStatus.SENT: "success",
    OutboxStatus.FAILED: "danger",
}


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def notification_list_view(request):
    filterset = NotificationFilterSet(
        request.GET, queryset=selectors.notification_inbox(user=request.user), request=request
    )
    notifications = filterset.qs if filterset.is_valid() else Notification.objects.none()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "notifications": page.object_list,
        "query": _query_without_page(request),
        "unread": selectors.notification_unread_count(user=request.user),
    }
    return render(request, "notifications/notification_list.html", context)


@login_required
def notification_detail_view(request, pk):
    notification = access.get_object_for(request.user, Notification.objects.all(), "view", pk=pk)
    return render(request, "notifications/notification_detail.html", {"notification": notification})


@login_required
@require_POST
def notification_mark_read_view(request, pk):
    notification = access.get_object_for(request.user, Notification.objects.all(), "view", pk=pk)
    notification = services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return render(request, "notifications/_notification_row.html", {"notification": notification})
    return redirect(_next(request) or "notifications:notification_list")


@login_required
@require_POST
def notification_mark_all_read_view(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notification(s) marked read.") % {"count": count})
    return redirect("notifications:notification_list")


@login_required
@require_POST
def notification_open_view(request, pk):
    """Mark read and go to what it is about. A POST with its CSRF token, so no other site can use it
    as a redirector; the link was checked when the notification was written (validate_link)."""
    notification = access.get_object_for(request.user, Notification.objects.all(), "view", pk=pk)
    notification = services.notification_mark_read(user=request.user, notification=notification)
    try:
        validate_link(notification.url)
    except ValidationError:
        return redirect(notification.get_absolute_url())
    return redirect(notification.url or notification.get_absolute_url())


def _next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
@never_cache
def notification_badge_view(request):
    """The unread count in the page header, fetched by htmx after the page loaded: ordinary pages
    pay no query for it."""
    count = selectors.notification_unread_count(user=request.user)
    return render(request, "notifications/_badge.html", {"count": count})


# --- the outbox (platform administrators) ---------------------------------------------------------


@login_required
def outboxmessage_list_view(request):
    queryset = access.restrict(OutboxMessage.objects.all(), request.user, "view").order_by("-created", "-pk")
    filterset = OutboxMessageFilterSet(request.GET, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_valid() else OutboxMessage.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "rows": page.object_list,
        "query": _query_without_page(request),
    }
    return render(request, "notifications/outboxmessage_list.html", context)


@login_required
def outboxmessage_detail_view(request, pk):
    message = access.get_object_for(request.user, OutboxMessage.objects.all(), "view", pk=pk)
    context = {
        "message": message,
        "badge": BADGES.get(message.status, "muted"),
        "can_retry": message.status in (OutboxStatus.FAILED, OutboxStatus.PENDING),
    }
    return render(request, "notifications/outboxmessage_detail.html", context)


@login_required
@require_POST
def outboxmessage_retry_view(request, pk):
    message = access.get_object_for(request.user, OutboxMessage.objects.all(), "change", pk=pk)
    try:
        services.outbox_message_retry(user=request.user, message=message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The e-mail will be sent again now."))
    return redirect(_next(request) or message.get_absolute_url())
