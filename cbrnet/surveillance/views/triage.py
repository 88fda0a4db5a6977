"""Web UI of triage: the signal inbox and page (verify, discard, reopen, link to an incident, raise an
alert) and the alerts (raise, edit a draft, publish, withdraw, CAP download).

Every view fetches through the access engine (invisible: 404; visible but not allowed: 403) and calls
one service; a refused input comes back as a message naming the field, with nothing changed.
Signals are created by detection only and never deleted (they are discarded with a reason), so their
"add" and "delete" pages refuse with the reason.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cbrnet import access
from cbrnet.core.generic import (
    ModelViews,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    restrict_form_fields,
)
from cbrnet.core.tables import Column
from cbrnet.sharing import selectors as sharing_selectors
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import Status
from cbrnet.sharing.models import ShareApproval
from cbrnet.surveillance import filters, forms, selectors
from cbrnet.surveillance.choices import Sector
from cbrnet.surveillance.models import Alert, Signal, WeeklyCount, decode_sectors
from cbrnet.surveillance.services import alerts as alert_services
from cbrnet.surveillance.services import triage as triage_services

SIGNAL_CREATE_REFUSED = gettext_lazy(
    "Signals are created by detection only, when new counts of a series exceed the method's threshold."
)
SIGNAL_DELETE_REFUSED = gettext_lazy(
    "Signals are not deleted (the next detection run would find them again): discard it with a reason."
)
ALERT_EDIT_REFUSED = gettext_lazy(
    "Only a draft alert can be changed: its recipients keep what they were told. Withdraw it and raise a new one."
)
WEEKS_BEFORE, WEEKS_AFTER = 8, 4


# --- signals ----------------------------------------------------------------------------------------
def signal_queryset():
    return Signal.objects.select_related("series__disease", "series__dataset__country", "triaged_by")


def signal_context(*, user, signal: Signal) -> dict:
    """What the signal page shows besides the fields: the counts around the week, the alerts raised
    from it, and which triage actions to offer (the services check again)."""
    start = signal.week - datetime.timedelta(weeks=WEEKS_BEFORE)
    end = signal.week + datetime.timedelta(weeks=WEEKS_AFTER)
    stored = dict(
        WeeklyCount.objects.filter(series_id=signal.series_id, week__range=(start, end)).values_list(
            "week", "count"
        )
    )
    weeks = []
    week = start
    while week <= end:
        # A missing week counts as zero reported, as in detection; shown as such.
        weeks.append({"week": week, "count": stored.get(week), "current": week == signal.week})
        week += datetime.timedelta(weeks=1)
    can_triage = access.can(user, "change", signal)
    alerts = access.restrict(Alert.objects.filter(signal=signal), user, "view").order_by("-created")
    incident = selectors.signal_incident(user=user, signal=signal)
    return {
        "weeks": weeks,
        "alerts": list(alerts),
        # The incident only if the user may see it: to others the signal looks unlinked.
        "incident": incident,
        "link_form": forms.SignalLinkForm(user=user, initial={"incident": incident}) if can_triage else None,
        "history": selectors.signal_history(user=user, signal=signal),
        "can_triage": can_triage,
        "can_verify": can_triage and signal.status != "verified",
        "can_discard": can_triage and signal.status != "discarded",
        "can_reopen": can_triage and signal.status != "new",
        "can_raise_alert": can_triage and access.may_add(user, Alert),
        "verify_form": forms.SignalReasonForm(),
        "discard_form": forms.SignalDiscardForm(),
        # Never offered: a signal is discarded, not deleted.
        "can_delete": False,
    }


class SignalListView(ObjectListView):
    def extra_context(self, request):
        return {"can_add": False}  # signals come from detection


class SignalDetailView(ObjectDetailView):
    template_name = "surveillance/signal_detail.html"

    def extra_context(self, request, instance):
        return signal_context(user=request.user, signal=instance)


class SignalEditView(ObjectEditView):
    """The triage form (status and reason); there is no "add"."""

    model = Signal
    form_class = forms.SignalTriageForm

    def get_object(self, request, pk):
        if pk is None:
            raise PermissionDenied(SIGNAL_CREATE_REFUSED)
        return super().get_object(request, pk)

    def get_form(self, request, instance, data=None, files=None):
        # The form narrows its incident choices to those the user may see.
        return self.form_class(data=data, files=files, instance=instance, user=request.user)

    def save(self, request, form):
        stored = Signal.objects.get(pk=form.instance.pk)  # the form already changed its instance
        return triage_services.signal_triage(
            user=request.user,
            signal=stored,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            incident=form.cleaned_data["incident"],
        )


class SignalDeleteView(ObjectDeleteView):
    model = Signal

    def get_object(self, request, pk):
        access.get_object_for(request.user, Signal.objects.all(), "view", pk=pk)  # invisible: 404
        raise PermissionDenied(SIGNAL_DELETE_REFUSED)


signal = ModelViews(
    Signal,
    form=forms.SignalTriageForm,
    filterset=filters.SignalFilterSet,
    list_class=SignalListView,
    detail_class=SignalDetailView,
    queryset=signal_queryset(),
    columns=[
        Column("week", link=True, order_by="week"),
        Column("series.disease", label=gettext_lazy("Disease"), order_by="series__disease__name"),
        Column(
            "series.dataset.country", label=gettext_lazy("Country"), order_by="series__dataset__country__name"
        ),
        Column("series.admin_area", label=gettext_lazy("Area")),
        Column("series.dataset.sector", label=gettext_lazy("Sector"), order_by="series__dataset__sector"),
        Column("method", order_by="method"),
        Column("count", order_by="count"),
        Column("threshold"),
        Column("status", order_by="status"),
    ],
    fields=[],
    export_fields=[
        ("id", "pk"),
        ("week", "week"),
        ("disease", "series.disease.name"),
        ("country", "series.dataset.country.iso2"),
        ("admin_area", "series.admin_area"),
        ("sector", "series.dataset.sector"),
        ("method", "method"),
        ("count", "count"),
        ("threshold", "threshold"),
        ("status", "status"),
        ("reason", "reason"),
        ("triaged_at", "triaged_at"),
    ],
    title=gettext_lazy("Signals"),
)
signal.edit = SignalEditView.as_view()
signal.delete = SignalDeleteView.as_view()


def _explain(error: ValidationError) -> str:
    """One message naming each field, e.g. "Reason: Say why the signal is discarded."."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    labels = {
        "reason": _("Reason"),
        "status": _("Status"),
        "tlp": "TLP",
        "country": _("Country"),
        "disease": _("Disease"),
        "incident": _("Incident"),
    }
    parts = []
    for field, field_errors in error.message_dict.items():
        label = "" if field == "__all__" else str(labels.get(field, field.replace("_", " ").capitalize()))
        parts.extend(f"{label}: {message}" if label else message for message in field_errors)
    return " ".join(parts)


def _form_error(form) -> str:
    return " ".join(
        f"{form.fields[field].label}: {message}" if field in form.fields else str(message)
        for field, errors in form.errors.items()
        for message in errors
    )


def _signal(request, pk) -> Signal:
    return access.get_object_for(request.user, signal_queryset(), "view", pk=pk)


def _triage(request, item, run, success: str):
    try:
        run()
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(request, success)
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def signal_verify_view(request, pk):
    item = _signal(request, pk)
    form = forms.SignalReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(item.get_absolute_url())
    return _triage(
        request,
        item,
        lambda: triage_services.signal_verify(
            user=request.user, signal=item, reason=form.cleaned_data["reason"]
        ),
        _("Signal verified."),
    )


@require_POST
@login_required
def signal_discard_view(request, pk):
    item = _signal(request, pk)
    if not access.can(request.user, "change", item):
        raise PermissionDenied(
            _("Only the author and the editors of the dataset's owner organisation may triage its signals.")
        )
    form = forms.SignalDiscardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(item.get_absolute_url())
    return _triage(
        request,
        item,
        lambda: triage_services.signal_discard(
            user=request.user, signal=item, reason=form.cleaned_data["reason"]
        ),
        _("Signal discarded."),
    )


@require_POST
@login_required
def signal_reopen_view(request, pk):
    item = _signal(request, pk)
    return _triage(
        request,
        item,
        lambda: triage_services.signal_reopen(user=request.user, signal=item),
        _("Signal reopened."),
    )


@require_POST
@login_required
def signal_link_view(request, pk):
    """Link the signal to the incident chosen (an empty choice unlinks it)."""
    item = _signal(request, pk)
    if not access.can(request.user, "change", item):
        raise PermissionDenied(
            _("Only the author and the editors of the dataset's owner organisation may triage its signals.")
        )
    form = forms.SignalLinkForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(item.get_absolute_url())
    incident = form.cleaned_data["incident"]
    return _triage(
        request,
        item,
        lambda: triage_services.signal_link(user=request.user, signal=item, incident=incident),
        _("Signal linked to %(incident)s.") % {"incident": incident} if incident else _("Signal unlinked."),
    )


# --- alerts -----------------------------------------------------------------------------------------
def alert_queryset():
    return Alert.objects.select_related("disease", "country", "owner_organisation", "signal")


def alert_context(*, user, alert: Alert) -> dict:
    """The alert page besides its fields: who it went to, and which actions to offer."""
    recipient = sharing.visible_without_break_glass(user, alert)
    can_change = recipient and access.can(user, "change", alert)
    audience = sharing_selectors.shared_item_audience(user=user, item=alert)
    return {
        "sector_labels": [
            str(Sector(sector).label) for sector in decode_sectors(alert.sectors) if sector in Sector.values
        ],
        "audience": audience,
        "can_change": can_change and alert.status == Status.DRAFT,
        "can_publish": can_change and alert.status != Status.PUBLISHED,
        "can_withdraw": can_change and alert.status == Status.PUBLISHED,
        "can_notify": can_change and alert.status == Status.PUBLISHED,
        "signal_visible": alert.signal_id is not None and access.can(user, "view", alert.signal),
        "approvals": sharing_selectors.shared_item_pending_approvals(user=user, item=alert),
        "break_glass": not recipient,
    }


class AlertDetailView(ObjectDetailView):
    template_name = "surveillance/alert_detail.html"

    def extra_context(self, request, instance):
        sharing.shared_item_record_read(user=request.user, item=instance, channel="ui")  # R7, R11
        return alert_context(user=request.user, alert=instance)


class AlertEditView(ObjectEditView):
    """Add = raise an alert (optionally from ?signal=<id>); edit = change a draft."""

    model = Alert
    form_class = forms.AlertForm

    def get_object(self, request, pk):
        instance = super().get_object(request, pk)
        if pk is not None and instance.status != Status.DRAFT:
            raise PermissionDenied(ALERT_EDIT_REFUSED)
        return instance

    def get_form(self, request, instance, data=None, files=None):
        form_class = forms.AlertRaiseForm if instance._state.adding else forms.AlertForm
        form = form_class(
            data=data,
            files=files,
            instance=instance,
            initial=self.initial(request, instance),
            user=request.user,
        )
        restrict_form_fields(form, request.user)
        return form

    def initial(self, request, instance):
        initial = {
            key: value for key, value in request.GET.items() if key in forms.AlertRaiseForm.base_fields
        }
        signal_id = request.GET.get("signal", "")
        if instance._state.adding and signal_id.isdigit():
            found = access.restrict(signal_queryset().filter(pk=int(signal_id)), request.user, "view").first()
            if found is not None:
                series = found.series
                initial.update(
                    signal=found.pk,
                    disease=series.disease_id,
                    country=series.dataset.country_id,
                    admin_area=series.admin_area,
                    headline=_("%(disease)s above the expected level in %(place)s, week of %(week)s")
                    % {
                        "disease": series.disease,
                        "place": series.admin_area or series.dataset.country,
                        "week": found.week.isoformat(),
                    },
                )
        return initial

    def save(self, request, form):
        if not form.instance._state.adding:
            return alert_services.alert_save(user=request.user, alert=form.save(commit=False))
        data = form.cleaned_data
        return alert_services.alert_raise(
            user=request.user,
            signal=data.get("signal"),
            disease=data["disease"],
            country=data["country"],
            admin_area=data.get("admin_area", ""),
            headline=data["headline"],
            description=data["description"],
            instruction=data.get("instruction", ""),
            urgency=data["urgency"],
            severity=data["severity"],
            certainty=data["certainty"],
            exercise=data.get("exercise", False),
            tlp=data["tlp"],
        )


alert = ModelViews(
    Alert,
    form=forms.AlertForm,
    filterset=filters.AlertFilterSet,
    detail_class=AlertDetailView,
    queryset=alert_queryset(),
    columns=[
        Column("headline", link=True, order_by="headline"),
        Column("disease", order_by="disease__name"),
        Column("country", order_by="country__name"),
        Column("tlp_badge", label=gettext_lazy("TLP")),
        Column("status", order_by="status"),
        Column("exercise"),
        Column("published_at", order_by="published_at"),
    ],
    fields=[],
    export_fields=[
        ("headline", "headline"),
        ("disease", "disease.name"),
        ("country", "country.iso2"),
        ("admin_area", "admin_area"),
        ("sectors", "sectors"),
        ("urgency", "urgency"),
        ("severity", "severity"),
        ("certainty", "certainty"),
        ("exercise", "exercise"),
        ("tlp", "tlp"),
        ("status", "status"),
        ("published", "published_at"),
        ("description", "description"),
        ("instruction", "instruction"),
    ],
    title=gettext_lazy("Alerts"),
)
alert.edit = AlertEditView.as_view()


def _alert(request, pk) -> Alert:
    return access.get_object_for(request.user, alert_queryset(), "view", pk=pk)


def _shared(request, item, run, success: str):
    try:
        result = run()
    except ValidationError as error:
        messages.error(request, _explain(error))
    else:
        if isinstance(result, ShareApproval):
            messages.info(
                request,
                _(
                    "Waiting for a second editor of %(owner)s to approve (four eyes); the recipients are "
                    "notified once it is published."
                )
                % {"owner": item.owner_organisation},
            )
        else:
            messages.success(request, success)
    return redirect(item.get_absolute_url())


@require_POST
@login_required
def alert_publish_view(request, pk):
    item = _alert(request, pk)
    return _shared(
        request,
        item,
        lambda: alert_services.alert_publish(user=request.user, alert=item),
        _("Published; its recipients are notified."),
    )


@require_POST
@login_required
def alert_withdraw_view(request, pk):
    item = _alert(request, pk)
    return _shared(
        request, item, lambda: alert_services.alert_withdraw(user=request.user, alert=item), _("Withdrawn.")
    )


@require_POST
@login_required
def alert_notify_view(request, pk):
    """Announce a published alert to recipients not yet notified (after a four-eyes approval)."""
    item = _alert(request, pk)
    if not access.can(request.user, "change", item):
        raise PermissionDenied(
            _("Only the author and the editors of %(owner)s may do this.")
            % {"owner": item.owner_organisation}
        )
    return _shared(
        request, item, lambda: alert_services.alert_notify(alert=item), _("Its recipients are notified.")
    )


@login_required
def alert_cap_view(request, pk):
    """The alert as an OASIS CAP 1.2 message, for those who may read it."""
    item = _alert(request, pk)
    sharing.shared_item_record_read(user=request.user, item=item, channel="download")
    response = HttpResponse(
        alert_services.alert_cap(alert=item), content_type="application/cap+xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="alert-{item.pk}.cap.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    *signal.urls("signals", "signal"),
    path("signals/<int:pk>/verify/", signal_verify_view, name="signal_verify"),
    path("signals/<int:pk>/discard/", signal_discard_view, name="signal_discard"),
    path("signals/<int:pk>/reopen/", signal_reopen_view, name="signal_reopen"),
    path("signals/<int:pk>/link/", signal_link_view, name="signal_link"),
    *alert.urls("alerts", "alert"),
    path("alerts/<int:pk>/publish/", alert_publish_view, name="alert_publish"),
    path("alerts/<int:pk>/withdraw/", alert_withdraw_view, name="alert_withdraw"),
    path("alerts/<int:pk>/notify/", alert_notify_view, name="alert_notify"),
    path("alerts/<int:pk>/cap/", alert_cap_view, name="alert_cap"),
]
