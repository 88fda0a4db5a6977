"""JSON API of triage: signals (list, read, export, triage and link to an incident by PUT/PATCH, or the
verify, discard and reopen actions) and alerts (list, read, export, raise, change a draft, publish, withdraw, notify,
delete a draft, CAP 1.2).

crud_router does not fit: a signal is triaged through its services, not saved as a form, and
raising an alert needs the acting user and shares it. The endpoints keep crud_router's conventions
(same page shape, filters, form validation, problem details) and reuse its helpers. Signals are
created by detection only and never deleted: those two endpoints answer 403 with the reason (404
when the signal is invisible), so that the API has the same shape as every other model's.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Router, Schema, Status

from cbrnet import access
from cbrnet.api import Page, RecordId, form_data, form_errors, list_parameters, page_params
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.core.generic import restrict_form_fields
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import ShareApproval
from cbrnet.surveillance import filters, forms, selectors
from cbrnet.surveillance.models import Alert, decode_sectors
from cbrnet.surveillance.services import alerts as alert_services
from cbrnet.surveillance.services import triage as triage_services
from cbrnet.surveillance.views import triage as views

SIGNAL_ORDERING = ("week", "count", "status", "triaged_at")
ALERT_ORDERING = ("published_at", "created", "headline")


class SignalOut(Schema):
    id: int
    series: int
    dataset: int
    disease: int
    disease_name: str
    country: int
    country_iso2: str
    admin_area: str
    sector: str
    week: datetime.date
    method: str
    count: int
    threshold: float
    status: str
    reason: str
    triaged_by: int | None
    triaged_at: datetime.datetime | None
    incident: int | None
    created: datetime.datetime
    updated: datetime.datetime

    @staticmethod
    def resolve_series(obj):
        return obj.series_id

    @staticmethod
    def resolve_incident(obj):
        # Null also when the reader may not see the incident (annotated by selectors.signals_with_incident;
        # without the annotation, null).
        return obj.incident_id if getattr(obj, "incident_visible", False) else None

    @staticmethod
    def resolve_dataset(obj):
        return obj.series.dataset_id

    @staticmethod
    def resolve_disease(obj):
        return obj.series.disease_id

    @staticmethod
    def resolve_disease_name(obj):
        return obj.series.disease.name

    @staticmethod
    def resolve_country(obj):
        return obj.series.dataset.country_id

    @staticmethod
    def resolve_country_iso2(obj):
        return obj.series.dataset.country.iso2

    @staticmethod
    def resolve_admin_area(obj):
        return obj.series.admin_area

    @staticmethod
    def resolve_sector(obj):
        return obj.series.dataset.sector

    @staticmethod
    def resolve_triaged_by(obj):
        return obj.triaged_by_id


class SignalIn(Schema):
    status: str | None = None
    reason: str | None = None
    incident: RecordId | None = None


class ReasonIn(Schema):
    reason: str = ""


class AlertOut(Schema):
    id: int
    uid: uuid.UUID
    signal: int | None
    disease: int
    country: int
    admin_area: str
    headline: str
    description: str
    instruction: str
    urgency: str
    severity: str
    certainty: str
    sectors: list[str]
    exercise: bool
    tlp: str
    status: str
    embargo_until: datetime.datetime | None
    published_at: datetime.datetime | None
    owner_organisation: int
    author: int | None
    cap: str
    created: datetime.datetime
    updated: datetime.datetime

    @staticmethod
    def resolve_signal(obj):
        return obj.signal_id

    @staticmethod
    def resolve_disease(obj):
        return obj.disease_id

    @staticmethod
    def resolve_country(obj):
        return obj.country_id

    @staticmethod
    def resolve_sectors(obj):
        return decode_sectors(obj.sectors)

    @staticmethod
    def resolve_owner_organisation(obj):
        return obj.owner_organisation_id

    @staticmethod
    def resolve_author(obj):
        return obj.author_id

    @staticmethod
    def resolve_cap(obj):
        return f"/api/surveillance/alerts/{obj.pk}/cap"


class AlertIn(Schema):
    signal: RecordId | None = None
    disease: RecordId | None = None
    country: RecordId | None = None
    admin_area: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    urgency: str | None = None
    severity: str | None = None
    certainty: str | None = None
    exercise: bool | None = None
    tlp: str | None = None


class ApprovalOut(Schema):
    id: int
    action: str
    status: str


class NotifiedOut(Schema):
    notified: int


router = Router()
signals = Router(tags=["Signals"])
alerts = Router(tags=["Alerts"])
router.add_router("/signals", signals)
router.add_router("/alerts", alerts)


def _filtered(filterset_class, queryset, request):
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(message) for message in errors] for field, errors in filterset.errors.items()}
        )
    return filterset.qs


def _page(request, queryset, ordering, schema):
    order = request.GET.get("ordering", "")
    if order:
        if order.lstrip("-") not in ordering:
            raise ValidationError({"ordering": [f"Order by one of: {', '.join(ordering)}."]})
        queryset = queryset.order_by(order, "pk")
    limit, offset = page_params(request)
    rows = list(queryset[offset : offset + limit])
    return rows, {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "results": [schema.from_orm(row).model_dump() for row in rows],
    }


def _export(request, filterset_class, queryset, model_views, basename, file_format):
    if file_format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    fields = model_views.list.view_class.export_fields
    return export_response(
        _filtered(filterset_class, queryset, request),
        request.user,
        fields,
        basename=basename,
        file_format=file_format,
    )


# --- signals ----------------------------------------------------------------------------------------
def _signals(request):
    return selectors.signals_with_incident(views.signal_queryset(), user=request.user)


def _signal(request, pk, action="view"):
    return access.get_object_for(request.user, _signals(request), action, pk=pk)


@signals.get(
    "/",
    response=Page,
    operation_id="signal_list",
    summary="List signals (status defaults to “new”, the triage inbox; status= lists every status)",
    openapi_extra={"parameters": list_parameters(filters.SignalFilterSet, SIGNAL_ORDERING)},
)
def signal_list(request):
    queryset = access.restrict(_filtered(filters.SignalFilterSet, _signals(request), request), request.user)
    return _page(request, queryset, SIGNAL_ORDERING, SignalOut)[1]


@signals.get(
    "/export",
    operation_id="signal_export",
    summary="Export signals as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.SignalFilterSet, ())},
)
def signal_export(request, format: str = "csv"):
    return _export(request, filters.SignalFilterSet, views.signal_queryset(), views.signal, "signal", format)


@signals.get("/{int:pk}", response=SignalOut, operation_id="signal_read", summary="Read a signal")
def signal_read(request, pk: int):
    return _signal(request, pk)


@signals.post(
    "/",
    response={201: SignalOut},
    operation_id="signal_create",
    summary="Not available: signals are created by detection only (403)",
)
def signal_create(request, payload: SignalIn):
    raise PermissionDenied(str(views.SIGNAL_CREATE_REFUSED))


def _triage(request, pk, payload: dict, *, partial: bool):
    instance = _signal(request, pk, "change")
    if partial:
        data = form_data(forms.SignalTriageForm, payload, instance)
        if payload.get("status") not in (None, instance.status) and "reason" not in payload:
            data["reason"] = ""  # a new status needs its own reason, not the previous triage's
        if "incident" not in payload:  # kept as it is (the stored id may be one the user may not see)
            data["incident"] = instance.incident_id if instance.incident_visible else ""
    else:  # a replacement: every field given, no defaults filled in (no incident: unlinked)
        data = {name: payload.get(name) or "" for name in forms.SignalTriageForm._meta.fields}
    form = forms.SignalTriageForm(data=data, instance=instance, user=request.user)  # incidents it may see
    if not form.is_valid():
        raise form_errors(form)
    stored = views.signal_queryset().get(pk=pk)
    triage_services.signal_triage(
        user=request.user,
        signal=stored,
        status=form.cleaned_data["status"],
        reason=form.cleaned_data["reason"],
        incident=form.cleaned_data["incident"] if "incident" in payload else triage_services.KEEP,
    )
    return _signal(request, pk)


@signals.put(
    "/{int:pk}",
    response=SignalOut,
    operation_id="signal_update",
    summary="Triage a signal: status (new, verified, discarded), reason (required to discard) and incident "
    "(id of an incident you may see; null or left out: unlinked)",
)
def signal_update(request, pk: int, payload: SignalIn):
    return _triage(request, pk, payload.model_dump(), partial=False)


@signals.patch(
    "/{int:pk}",
    response=SignalOut,
    operation_id="signal_partial_update",
    summary="Change a signal's status, reason or incident (null: unlink)",
)
def signal_partial_update(request, pk: int, payload: SignalIn):
    return _triage(request, pk, payload.model_dump(exclude_unset=True), partial=True)


@signals.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="signal_delete",
    summary="Not available: a signal is discarded with a reason, not deleted (403)",
)
def signal_delete(request, pk: int):
    _signal(request, pk)  # invisible: 404
    raise PermissionDenied(str(views.SIGNAL_DELETE_REFUSED))


@signals.post("/{int:pk}/verify", response=SignalOut, operation_id="signal_verify", summary="Verify a signal")
def signal_verify(request, pk: int, payload: ReasonIn):
    triage_services.signal_verify(user=request.user, signal=_signal(request, pk), reason=payload.reason)
    return _signal(request, pk)


@signals.post(
    "/{int:pk}/discard",
    response=SignalOut,
    operation_id="signal_discard",
    summary="Discard a signal (reason required)",
)
def signal_discard(request, pk: int, payload: ReasonIn):
    triage_services.signal_discard(user=request.user, signal=_signal(request, pk), reason=payload.reason)
    return _signal(request, pk)


@signals.post(
    "/{int:pk}/reopen",
    response=SignalOut,
    operation_id="signal_reopen",
    summary="Put a signal back in the inbox",
)
def signal_reopen(request, pk: int):
    triage_services.signal_reopen(user=request.user, signal=_signal(request, pk))
    return _signal(request, pk)


# --- alerts -----------------------------------------------------------------------------------------
def _alert(request, pk, action="view"):
    return access.get_object_for(request.user, views.alert_queryset(), action, pk=pk)


def _draft(request, pk):
    instance = _alert(request, pk, "change")
    if instance.status != "draft":
        raise PermissionDenied(str(views.ALERT_EDIT_REFUSED))
    return instance


@alerts.get(
    "/",
    response=Page,
    operation_id="alert_list",
    summary="List alerts",
    openapi_extra={"parameters": list_parameters(filters.AlertFilterSet, ALERT_ORDERING)},
)
def alert_list(request):
    queryset = access.restrict(
        _filtered(filters.AlertFilterSet, views.alert_queryset(), request), request.user
    )
    rows, page = _page(request, queryset, ALERT_ORDERING, AlertOut)
    sharing.shared_items_record_reads(user=request.user, items=rows, channel="api")  # the text is a read (R7)
    return page


@alerts.get(
    "/export",
    operation_id="alert_export",
    summary="Export alerts as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.AlertFilterSet, ())},
)
def alert_export(request, format: str = "csv"):
    return _export(request, filters.AlertFilterSet, views.alert_queryset(), views.alert, "alert", format)


@alerts.get("/{int:pk}", response=AlertOut, operation_id="alert_read", summary="Read an alert")
def alert_read(request, pk: int):
    alert = _alert(request, pk)
    sharing.shared_item_record_read(user=request.user, item=alert, channel="api")
    return alert


@alerts.post(
    "/",
    response={201: AlertOut},
    operation_id="alert_create",
    summary="Raise an alert to the authorities of every sector the disease concerns (One Health)",
)
def alert_create(request, payload: AlertIn):
    if not access.may_add(request.user, Alert):
        raise PermissionDenied("Your role may not raise alerts.")
    form = forms.AlertRaiseForm(
        data=form_data(forms.AlertRaiseForm, payload.model_dump(exclude_unset=True), None), user=request.user
    )
    restrict_form_fields(form, request.user)
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    alert = alert_services.alert_raise(
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
    return Status(201, views.alert_queryset().get(pk=alert.pk))


def _change(request, pk, payload: dict, *, partial: bool):
    instance = _draft(request, pk)
    form = forms.AlertForm(
        data=form_data(forms.AlertForm, payload, instance if partial else None),
        instance=instance,
        user=request.user,
    )
    if not form.is_valid():
        raise form_errors(form)
    alert_services.alert_save(user=request.user, alert=form.save(commit=False))
    return views.alert_queryset().get(pk=pk)


@alerts.put(
    "/{int:pk}", response=AlertOut, operation_id="alert_update", summary="Replace a draft alert's text"
)
def alert_update(request, pk: int, payload: AlertIn):
    return _change(request, pk, payload.model_dump(exclude={"signal", "disease", "country"}), partial=False)


@alerts.patch(
    "/{int:pk}",
    response=AlertOut,
    operation_id="alert_partial_update",
    summary="Change some fields of a draft alert",
)
def alert_partial_update(request, pk: int, payload: AlertIn):
    data = payload.model_dump(exclude_unset=True, exclude={"signal", "disease", "country"})
    return _change(request, pk, data, partial=True)


@alerts.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="alert_delete",
    summary="Delete a draft or withdrawn alert",
)
def alert_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_alert(request, pk, "delete"))
    return Status(204, None)


@alerts.post(
    "/{int:pk}/publish",
    response={200: AlertOut, 202: ApprovalOut},
    operation_id="alert_publish",
    summary="Publish a draft alert and notify its recipients (AMBER may wait for a second editor)",
)
def alert_publish(request, pk: int):
    result = alert_services.alert_publish(user=request.user, alert=_alert(request, pk))
    if isinstance(result, ShareApproval):
        return Status(202, result)
    return Status(200, views.alert_queryset().get(pk=pk))


@alerts.post(
    "/{int:pk}/withdraw", response=AlertOut, operation_id="alert_withdraw", summary="Withdraw an alert"
)
def alert_withdraw(request, pk: int):
    alert_services.alert_withdraw(user=request.user, alert=_alert(request, pk))
    return views.alert_queryset().get(pk=pk)


@alerts.post(
    "/{int:pk}/notify",
    response=NotifiedOut,
    operation_id="alert_notify",
    summary="Notify recipients not yet notified (after a four-eyes approval)",
)
def alert_notify(request, pk: int):
    alert = _alert(request, pk, "change")
    return {"notified": alert_services.alert_notify(alert=alert)}


@alerts.get("/{int:pk}/cap", operation_id="alert_cap", summary="The alert as an OASIS CAP 1.2 message (XML)")
def alert_cap(request, pk: int):
    alert = _alert(request, pk)
    sharing.shared_item_record_read(user=request.user, item=alert, channel="api")
    response = HttpResponse(
        alert_services.alert_cap(alert=alert), content_type="application/cap+xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="alert-{alert.pk}.cap.xml"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
