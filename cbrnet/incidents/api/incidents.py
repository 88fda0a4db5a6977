"""Incidents in the API: CRUD (through the sharing services: the owner and author are the caller's),
publish, withdraw, label, grants and audience, phase, close, the restricted details' audience, the
dashboard and the CAP 1.2 export. Restricted details are null for those who may not see them."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import Router, Schema, Status

from cbrnet import access
from cbrnet.api import Page, RecordId, form_data, form_errors, list_parameters
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.incidents import filters, forms, selectors, services, views
from cbrnet.incidents.api.common import blank, filtered, page
from cbrnet.incidents.models import Incident
from cbrnet.sharing import selectors as sharing_selectors
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id

router = Router(tags=["Incidents"])
ORDERING = ("started_at", "title", "severity", "published_at")


class IncidentOut(Schema):
    id: int
    uid: uuid.UUID
    title: str
    cbrn_type: str
    agent: str | None
    country: int
    place: str
    latitude: float | None
    longitude: float | None
    started_at: datetime.datetime
    severity: str
    deaths: int | None
    injured: int | None
    description: str | None
    phase: str
    closed_at: datetime.datetime | None
    is_exercise: bool
    tlp: str
    status: str
    embargo_until: datetime.datetime | None
    published_at: datetime.datetime | None
    owner_organisation: int
    author: int | None
    networks: list[int]
    detail_organisations: list[int] | None
    details_visible: bool
    created: datetime.datetime
    updated: datetime.datetime

    @staticmethod
    def resolve_country(obj):
        return obj.country_id

    @staticmethod
    def resolve_owner_organisation(obj):
        return obj.owner_organisation_id

    @staticmethod
    def resolve_author(obj):
        return obj.author_id

    @staticmethod
    def resolve_networks(obj):
        return sorted(network.pk for network in obj.networks.all())

    @staticmethod
    def resolve_detail_organisations(obj):
        return (
            sorted(organisation.pk for organisation in obj.detail_organisations.all())
            if obj.contact_visible
            else None
        )

    @staticmethod
    def resolve_details_visible(obj):
        return bool(obj.contact_visible)


class IncidentIn(Schema):
    title: str | None = None
    cbrn_type: str | None = None
    agent: str | None = None
    country: RecordId | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    started_at: datetime.datetime | None = None
    severity: str | None = None
    deaths: int | None = None
    injured: int | None = None
    description: str | None = None
    is_exercise: bool | None = None
    tlp: str | None = None
    networks: list[RecordId] | None = None
    embargo_until: datetime.datetime | None = None
    detail_organisations: list[RecordId] | None = None


class TlpIn(Schema):
    tlp: str


class GrantIn(Schema):
    scope: str
    target: RecordId | None = None
    roles: list[str] = []


class GrantOut(Schema):
    id: int
    scope: str
    target: int | None
    target_name: str
    roles: list[str]

    @staticmethod
    def resolve_target(obj):
        return obj.target_id

    @staticmethod
    def resolve_target_name(obj):
        return str(obj.target) if obj.target is not None else ""

    @staticmethod
    def resolve_roles(obj):
        return obj.role_list


class PhaseIn(Schema):
    phase: str


class CloseIn(Schema):
    note: str = ""


class OrganisationsIn(Schema):
    organisations: list[RecordId]


class ApprovalOut(Schema):
    id: int
    action: str
    status: str


class FiguresOut(Schema):
    open_incidents: int
    active_requests: int
    offers_waiting: int
    teams_deployed: int
    exclude_exercises: bool


class TimelineOut(Schema):
    at: datetime.datetime
    kind: str
    title: str
    url: str


class DashboardOut(Schema):
    incident: IncidentOut
    requests: list[int]
    offers: list[int]
    deployments: list[int]
    sitreps: list[int]
    timeline: list[TimelineOut]


def _queryset():
    return Incident.objects.select_related("country", "owner_organisation").prefetch_related(
        "networks", "detail_organisations"
    )


def _get(request, pk, action="view") -> Incident:
    return access.get_object_for(request.user, _queryset(), action, pk=pk)


def _shown(request, incident: Incident) -> Incident:
    """The incident with its restricted details blanked when the caller may not see them."""
    if getattr(incident, "contact_visible", None) is None:
        incident.contact_visible = selectors.incident_details_visible(request.user, incident)
    return blank(incident, Incident.restricted_fields, incident.contact_visible)


def _out(request, incident):
    return _shown(request, _queryset().get(pk=incident.pk))


def _save(request, instance, payload: dict):
    form = forms.IncidentApiForm(
        data=form_data(forms.IncidentApiForm, payload, instance), instance=instance, user=request.user
    )
    if not form.is_valid():
        raise form_errors(form)
    return services.incident_save(
        user=request.user,
        incident=form.save(commit=False),
        networks=form.cleaned_data["networks"],
        detail_organisations=form.cleaned_data["detail_organisations"],
    )


@router.get(
    "/",
    response=Page,
    operation_id="incident_list",
    summary="List incidents",
    openapi_extra={"parameters": list_parameters(filters.IncidentFilterSet, ORDERING)},
)
def incident_list(request):
    queryset = filtered(request, filters.IncidentFilterSet, _queryset())
    return page(
        request,
        queryset,
        IncidentOut,
        ORDERING,
        annotate_contact=True,
        hide=lambda row: blank(row, Incident.restricted_fields, row.contact_visible),
        after=lambda rows: sharing.shared_items_record_reads(user=request.user, items=rows, channel="api"),
    )


@router.get(
    "/export",
    operation_id="incident_export",
    summary="Export incidents as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.IncidentFilterSet, ())},
)
def incident_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    queryset = filtered(request, filters.IncidentFilterSet, _queryset())
    fields = views.incident.list.view_class.export_fields
    return export_response(queryset, request.user, fields, basename="incident", file_format=format)


@router.get(
    "/figures",
    response=FiguresOut,
    operation_id="incident_figures",
    summary="Open incidents, active requests, offers waiting and teams deployed (exercises left out unless asked)",
)
def incident_figures(request, include_exercises: bool = False):
    return selectors.incident_figures(user=request.user, exclude_exercises=not include_exercises)


@router.get("/{int:pk}", response=IncidentOut, operation_id="incident_read", summary="Read an incident")
def incident_read(request, pk: int):
    incident = _get(request, pk)
    sharing.shared_item_record_read(user=request.user, item=incident, channel="api")
    return _shown(request, incident)


@router.post(
    "/", response={201: IncidentOut}, operation_id="incident_create", summary="Report an incident (a draft)"
)
def incident_create(request, payload: IncidentIn):
    if not access.may_add(request.user, Incident):
        raise PermissionDenied("You may not report an incident.")
    incident = _save(request, Incident(), payload.model_dump(exclude_unset=True))
    return Status(201, _out(request, incident))


@router.put(
    "/{int:pk}", response=IncidentOut, operation_id="incident_update", summary="Replace an incident's content"
)
def incident_replace(request, pk: int, payload: IncidentIn):
    data = payload.model_dump()
    data["networks"] = payload.networks or []
    data["detail_organisations"] = payload.detail_organisations or []
    return _out(request, _save(request, _get(request, pk, "change"), data))


@router.patch(
    "/{int:pk}",
    response=IncidentOut,
    operation_id="incident_partial_update",
    summary="Change some fields of an incident",
)
def incident_patch(request, pk: int, payload: IncidentIn):
    instance = _get(request, pk, "change")
    data = payload.model_dump(exclude_unset=True)
    for name in ("networks", "detail_organisations"):
        if name not in data:
            data[name] = [item.pk for item in getattr(instance, name).all()]
    return _out(request, _save(request, instance, data))


@router.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="incident_delete",
    summary="Delete a draft or withdrawn incident",
)
def incident_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_get(request, pk, "delete"))
    return Status(204, None)


def _result(request, result):
    if isinstance(result, ShareApproval):
        return Status(202, result)
    return Status(200, _out(request, result))


@router.post(
    "/{int:pk}/publish",
    response={200: IncidentOut, 202: ApprovalOut},
    operation_id="incident_publish",
    summary="Publish to the incident's audience and notify the people concerned",
)
def incident_publish(request, pk: int):
    return _result(request, services.incident_publish(user=request.user, incident=_get(request, pk)))


@router.post("/{int:pk}/withdraw", response=IncidentOut, operation_id="incident_withdraw", summary="Withdraw")
def incident_withdraw(request, pk: int):
    return _out(request, sharing.shared_item_withdraw(user=request.user, item=_get(request, pk)))


@router.post(
    "/{int:pk}/tlp",
    response={200: IncidentOut, 202: ApprovalOut},
    operation_id="incident_change_tlp",
    summary="Change the TLP label",
)
def incident_change_tlp(request, pk: int, payload: TlpIn):
    return _result(
        request, sharing.shared_item_change_tlp(user=request.user, item=_get(request, pk), tlp=payload.tlp)
    )


@router.post(
    "/{int:pk}/grants",
    response={201: GrantOut, 202: ApprovalOut},
    operation_id="incident_grant_add",
    summary="Share with a network, region, country, organisation or person",
)
def incident_grant_add(request, pk: int, payload: GrantIn):
    result = sharing.shared_item_grant_add(
        user=request.user,
        item=_get(request, pk),
        scope=payload.scope,
        target=payload.target,
        roles=payload.roles,
    )
    return Status(202, result) if isinstance(result, ShareApproval) else Status(201, result)


@router.delete(
    "/{int:pk}/grants/{int:grant_pk}",
    response={204: None},
    operation_id="incident_grant_remove",
    summary="Stop sharing with one recipient",
)
def incident_grant_remove(request, pk: int, grant_pk: int):
    incident = _get(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Incident), object_id=incident.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    sharing.shared_item_grant_remove(user=request.user, item=incident, grant=grant)
    return Status(204, None)


@router.get(
    "/{int:pk}/audience",
    response=dict,
    operation_id="incident_audience",
    summary="Who the incident is shared with, as far as you may know (R13)",
)
def incident_audience(request, pk: int):
    audience = sharing_selectors.shared_item_audience(user=request.user, item=_get(request, pk))
    return {
        "full": audience["full"],
        "summary": str(audience["summary"]),
        "whole_networks": audience["whole_networks"],
        "networks": [network.pk for network in audience["networks"]],
        "grants": [GrantOut.from_orm(grant).model_dump() for grant in audience["grants"]],
    }


@router.post(
    "/{int:pk}/phase",
    response=IncidentOut,
    operation_id="incident_phase",
    summary="Move the response to another phase",
)
def incident_phase(request, pk: int, payload: PhaseIn):
    return _out(
        request,
        services.incident_set_phase(user=request.user, incident=_get(request, pk), phase=payload.phase),
    )


@router.post(
    "/{int:pk}/close",
    response=IncidentOut,
    operation_id="incident_close",
    summary="Close the incident and its open requests",
)
def incident_close(request, pk: int, payload: CloseIn):
    return _out(
        request, services.incident_close(user=request.user, incident=_get(request, pk), note=payload.note)
    )


@router.post(
    "/{int:pk}/details",
    response=IncidentOut,
    operation_id="incident_details_share",
    summary="Show the restricted details to more organisations (the affected country's choice)",
)
def incident_details_share(request, pk: int, payload: OrganisationsIn):
    from cbrnet.registry.models import Organisation

    incident = _get(request, pk)
    organisations = list(
        access.restrict(Organisation.objects.filter(pk__in=payload.organisations), request.user)
    )
    if len(organisations) != len(set(payload.organisations)):
        raise ValidationError({"organisations": ["Choose organisations that exist."]})
    return _out(
        request,
        services.incident_details_share(user=request.user, incident=incident, organisations=organisations),
    )


@router.get(
    "/{int:pk}/dashboard",
    response=DashboardOut,
    operation_id="incident_dashboard",
    summary="The incident with the ids of its requests, offers, deployments and sitreps, and its timeline",
)
def incident_dashboard(request, pk: int):
    incident = _get(request, pk)
    data = selectors.incident_page(user=request.user, incident=incident)
    return {
        "incident": _shown(request, incident),
        "requests": [row.pk for row in data["requests"]],
        "offers": [row.pk for row in data["offers"]],
        "deployments": [row.pk for row in data["deployments"]],
        "sitreps": [row.pk for row in data["sitreps"]],
        "timeline": [
            {"at": entry.at, "kind": entry.kind, "title": str(entry.title), "url": entry.url}
            for entry in data["timeline"]
        ],
    }


@router.get(
    "/{int:pk}/cap", operation_id="incident_cap", summary="The incident as an OASIS CAP 1.2 alert (XML)"
)
def incident_cap(request, pk: int):
    incident = _get(request, pk, "export")
    response = HttpResponse(
        selectors.incident_cap(user=request.user, incident=incident), content_type="application/cap+xml"
    )
    response["Cache-Control"] = "private, no-store"
    return response
