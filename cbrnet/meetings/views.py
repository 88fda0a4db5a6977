"""Web UI of meetings: the generic pages of each record, a meeting's page with its agenda, decisions
and action items, closing action items, the to-do list, the calendar and its iCalendar feeds.

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and
calls one service; refused input comes back as a message naming the field, with nothing changed.
"""

import calendar
import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cbrnet import access
from cbrnet.core.generic import ModelViews, ObjectDetailView, ObjectEditView
from cbrnet.core.tables import Column
from cbrnet.meetings import filters, ical, models, selectors, services
from cbrnet.meetings import forms as meeting_forms
from cbrnet.registry.models import Region

# --- generic pages ----------------------------------------------------------------------------------


class MeetingDetailView(ObjectDetailView):
    template_name = "meetings/meeting_detail.html"

    def extra_context(self, request, instance):
        return selectors.meeting_page(user=request.user, meeting=instance)


class ActionItemDetailView(ObjectDetailView):
    template_name = "meetings/actionitem_detail.html"

    def extra_context(self, request, instance):
        return {
            "may_close": services.actionitem_may_close(user=request.user, item=instance),
            "close_form": meeting_forms.CloseForm(),
        }


class PresentationDetailView(ObjectDetailView):
    template_name = "meetings/presentation_detail.html"


class PresentationEditView(ObjectEditView):
    model = models.Presentation
    form_class = meeting_forms.PresentationForm

    def save(self, request, form):
        return services.presentation_save(user=request.user, presentation=form.save(commit=False))


meeting = ModelViews(
    models.Meeting, form=meeting_forms.MeetingForm, filterset=filters.MeetingFilterSet,
    detail_class=MeetingDetailView,
    queryset=models.Meeting.objects.select_related("network", "region", "country", "chair"),
    columns=[Column("title", link=True, order_by="title"), Column("kind", order_by="kind"), Column("region"),
             Column("when", label=gettext_lazy("When"), order_by="start"), Column("place", label=gettext_lazy("Place")),
             Column("status", order_by="status")],
    fields=["network", "region", "kind", "chair", "status"],
    export_fields=[("title", "title"), ("kind", "kind"), ("network", "network.code"), ("region", "region.code"),
                   ("start", "start"), ("end", "end"), ("timezone", "timezone"), ("country", "country.iso2"),
                   ("city", "city"), ("venue", "venue"), ("chair", "chair"), ("status", "status")],
)

participant = ModelViews(
    models.Participant, form=meeting_forms.ParticipantForm, filterset=filters.ParticipantFilterSet,
    queryset=models.Participant.objects.select_related("meeting", "person__organisation"),
    columns=[Column("person", link=True, order_by="person__family_name"), Column("person.organisation"),
             Column("meeting", order_by="meeting__start"), Column("attendance", order_by="attendance")],
    fields=["meeting", "person", "attendance"],
    export_fields=[("meeting", "meeting.title"), ("meeting start", "meeting.start"), ("person", "person"),
                   ("organisation", "person.organisation"), ("attendance", "attendance")],
)

agenda_item = ModelViews(
    models.AgendaItem, form=meeting_forms.AgendaItemForm, filterset=filters.AgendaItemFilterSet,
    queryset=models.AgendaItem.objects.select_related("meeting", "presenter"),
    columns=[Column("title", link=True, order_by="title"), Column("order", order_by="order"),
             Column("meeting", order_by="meeting__start"), Column("presenter")],
    fields=["meeting", "order", "title", "presenter", "notes"],
    export_fields=[("meeting", "meeting.title"), ("meeting start", "meeting.start"), ("order", "order"),
                   ("title", "title"), ("presenter", "presenter"), ("notes", "notes")],
)

presentation = ModelViews(
    models.Presentation, form=meeting_forms.PresentationForm, filterset=filters.PresentationFilterSet,
    detail_class=PresentationDetailView,
    queryset=models.Presentation.objects.select_related("meeting", "agenda_item"),
    columns=[Column("title", link=True, order_by="title"), Column("meeting", order_by="meeting__start"),
             Column("agenda_item"), Column("file_name", label=gettext_lazy("File"))],
    fields=["meeting", "agenda_item", "title", "link"],
    export_fields=[("meeting", "meeting.title"), ("meeting start", "meeting.start"), ("agenda item", "agenda_item"),
                   ("title", "title"), ("file", "file_name"), ("link", "link")],
)

presentation.edit = PresentationEditView.as_view()

decision = ModelViews(
    models.Decision, form=meeting_forms.DecisionForm, filterset=filters.DecisionFilterSet,
    queryset=models.Decision.objects.select_related("meeting", "agenda_item"),
    columns=[Column("text", link=True, label=gettext_lazy("Decision")), Column("meeting", order_by="meeting__start"),
             Column("agenda_item")],
    fields=["meeting", "agenda_item", "text"],
    export_fields=[("meeting", "meeting.title"), ("meeting start", "meeting.start"), ("agenda item", "agenda_item"),
                   ("decision", "text")],
)

action_item = ModelViews(
    models.ActionItem, form=meeting_forms.ActionItemForm, filterset=filters.ActionItemFilterSet,
    detail_class=ActionItemDetailView,
    queryset=models.ActionItem.objects.select_related("meeting", "owner"),
    columns=[Column("title", link=True, order_by="title"), Column("owner", order_by="owner__family_name"),
             Column("due_date", order_by="due_date"), Column("status", order_by="status"),
             Column("meeting", order_by="meeting__start")],
    fields=["meeting", "decision", "title", "description", "owner", "due_date", "status", "closed_at", "closed_by",
            "closing_note"],
    export_fields=[("meeting", "meeting.title"), ("title", "title"), ("owner", "owner"), ("due date", "due_date"),
                   ("status", "status"), ("closed at", "closed_at"), ("closing note", "closing_note")],
)


# --- actions --------------------------------------------------------------------------------------


def _back(request, fallback: str):
    """Where to go after an action: the page it was made from (same site only), else `fallback`."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _explain(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_POST
def actionitem_close_view(request, pk):
    item = access.get_object_for(request.user, models.ActionItem.objects.all(), "view", pk=pk)
    form = meeting_forms.CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Note: %(errors)s") % {"errors": " ".join(form.errors.get("note", []))})
        return _back(request, item.get_absolute_url())
    try:
        services.actionitem_close(user=request.user, item=item, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, _("Action item “%(title)s” closed.") % {"title": item.title})
    return _back(request, item.get_absolute_url())


@login_required
@require_POST
def actionitem_reopen_view(request, pk):
    item = access.get_object_for(request.user, models.ActionItem.objects.all(), "view", pk=pk)
    try:
        services.actionitem_reopen(user=request.user, item=item)
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, _("Action item “%(title)s” reopened.") % {"title": item.title})
    return _back(request, item.get_absolute_url())


@login_required
@require_POST
def meeting_invite_focal_points_view(request, pk):
    instance = access.get_object_for(request.user, models.Meeting.objects.all(), "change", pk=pk)
    try:
        invited = services.meeting_invite_focal_points(user=request.user, meeting=instance)
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, _("%(count)s focal points invited.") % {"count": len(invited)})
    return redirect(instance.get_absolute_url())


@login_required
def actionitem_mine_view(request):
    """My action items: the to-do list of the signed-in user's person, overdue ones marked."""
    show_closed = request.GET.get("closed") == "1"
    items = list(selectors.actionitem_todo(user=request.user, include_closed=show_closed))
    return render(request, "meetings/actionitem_mine.html", {
        "items": items,
        "show_closed": show_closed,
        "has_person": access.user_context(request.user).person_id is not None,
        "close_form": meeting_forms.CloseForm(),
    })


@login_required
def presentation_download_view(request, pk):
    """The uploaded file, only for those who may read the meeting's records."""
    item = access.get_object_for(request.user, models.Presentation.objects.all(), "view", pk=pk)
    return file_response(item)


def file_response(item: models.Presentation):
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- calendar ---------------------------------------------------------------------------------------


class CalendarForm(forms.Form):
    month = forms.RegexField(
        label=gettext_lazy("Month"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
        error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2026-03.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    region = forms.ModelChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.all(), required=False,
                                    empty_label=gettext_lazy("All regions"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = access.restrict(Region.objects.select_related("network"), user, "view")


def _shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@login_required
def calendar_month_view(request):
    """A month of meetings and activities as a grid (Monday first), with links to the next and previous months."""
    form = CalendarForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    year, month, region, status = today.year, today.month, None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        if form.cleaned_data["month"]:
            year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
        region = form.cleaned_data["region"]
    if not 1 <= year <= 9998:
        year = today.year
    grid_weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    events = selectors.calendar_events(user=request.user, first=grid_weeks[0][0], last=grid_weeks[-1][-1], region=region)
    previous, following = _shift(year, month, -1), _shift(year, month, 1)
    query = f"&region={region.pk}" if region else ""
    return render(request, "meetings/calendar_month.html", {
        "form": form,
        "month_start": datetime.date(year, month, 1),
        "weeks": selectors.month_grid(events, year, month),
        "previous_url": f"?month={previous[0]:04d}-{previous[1]:02d}{query}",
        "next_url": f"?month={following[0]:04d}-{following[1]:02d}{query}",
        "today": today,
        "region": region,
    }, status=status)


@login_required
def calendar_upcoming_view(request):
    """Meetings and activities from today on, in date order."""
    form = CalendarForm(request.GET or None, user=request.user)
    region = form.cleaned_data["region"] if form.is_bound and form.is_valid() else None
    today = timezone.localdate()
    events = selectors.calendar_events(user=request.user, first=today, region=region, limit=200)
    return render(request, "meetings/calendar_upcoming.html", {"form": form, "events": events, "region": region},
                  status=400 if form.is_bound and not form.is_valid() else 200)


# --- iCalendar feeds --------------------------------------------------------------------------------


def _base_url(request) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/").rstrip("/")


def feed_urls(request, key: str) -> dict:
    """The addresses of the user's feeds for one key: personal, and one per region they may see."""
    regions = access.restrict(Region.objects.select_related("network").order_by("network__code", "code"), request.user)
    base = _base_url(request)
    return {
        "personal": base + reverse("meetings:feed_personal", args=[key]),
        "regions": [(region, base + reverse("meetings:feed_region", args=[key, region.pk])) for region in regions],
    }


@login_required
def calendar_feeds_view(request):
    """Create (or replace) and revoke the secret in the user's calendar feed addresses."""
    new_urls = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            count = services.calendar_feed_token_revoke(user=request.user)
            messages.success(request, _("Calendar feed addresses revoked.") if count else _("There was nothing to revoke."))
            return redirect("meetings:calendar_feeds")
        _token, key = services.calendar_feed_token_create(user=request.user)
        new_urls = feed_urls(request, key)
    tokens = models.CalendarFeedToken.objects.filter(user=request.user, revoked=False)
    return render(request, "meetings/calendar_feeds.html", {"tokens": list(tokens), "new_urls": new_urls})


FEED_PAST_DAYS = 365


def _feed_response(events, name: str, request) -> HttpResponse:
    body = ical.calendar_document(events, name=name, base_url=_base_url(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def feed_personal_view(request, key):
    """The user's own calendar for calendar applications: the key in the address stands for a
    session (read-only); an unknown or revoked key is 404, like a record one may not see."""
    user = services.calendar_feed_user(key)
    if user is None:
        raise Http404
    first = timezone.localdate() - datetime.timedelta(days=FEED_PAST_DAYS)
    events = selectors.personal_events(user=user, first=first)
    return _feed_response(events, _("My meetings, activities and action items"), request)


@require_safe
def feed_region_view(request, key, region_pk):
    """A region's meetings and activities, as the key's user may see them."""
    user = services.calendar_feed_user(key)
    if user is None:
        raise Http404
    region = access.get_object_for(user, Region.objects.all(), "view", pk=region_pk)
    first = timezone.localdate() - datetime.timedelta(days=FEED_PAST_DAYS)
    events = selectors.calendar_events(user=user, first=first, region=region)
    return _feed_response(events, str(region.name), request)

