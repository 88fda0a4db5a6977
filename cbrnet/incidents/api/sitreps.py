"""Situation reports in the API: CRUD through the sharing services, publish and withdraw."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status

from cbrnet import access
from cbrnet.api import Page, RecordId, form_data, form_errors, list_parameters
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.incidents import filters, forms, services, views
from cbrnet.incidents.api.common import filtered, page
from cbrnet.incidents.models import Sitrep
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import ShareApproval

router = Router(tags=["Situation reports"])
ORDERING = ("situation_at", "published_at", "title")


class SitrepOut(Schema):
    id: int
    uid: uuid.UUID
    incident: int
    title: str
    situation_at: datetime.datetime
    body: str
    tlp: str
    status: str
    published_at: datetime.datetime | None
    owner_organisation: int
    author: int | None
    created: datetime.datetime

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_owner_organisation(obj):
        return obj.owner_organisation_id

    @staticmethod
    def resolve_author(obj):
        return obj.author_id


class SitrepIn(Schema):
    incident: RecordId | None = None
    title: str | None = None
    situation_at: datetime.datetime | None = None
    body: str | None = None
    tlp: str | None = None


class ApprovalOut(Schema):
    id: int
    action: str
    status: str


def _queryset():
    return Sitrep.objects.select_related("incident", "owner_organisation")


def _get(request, pk, action="view"):
    return access.get_object_for(request.user, _queryset(), action, pk=pk)


def _save(request, instance, payload):
    form = forms.SitrepForm(
        data=form_data(forms.SitrepForm, payload, instance if instance.pk else None),
        instance=instance,
        user=request.user,
    )
    if not form.is_valid():
        raise form_errors(form)
    return services.sitrep_save(user=request.user, sitrep=form.save(commit=False))


@router.get(
    "/",
    response=Page,
    operation_id="sitrep_list",
    summary="List situation reports",
    openapi_extra={"parameters": list_parameters(filters.SitrepFilterSet, ORDERING)},
)
def sitrep_list(request):
    return page(
        request,
        filtered(request, filters.SitrepFilterSet, _queryset()),
        SitrepOut,
        ORDERING,
        after=lambda rows: sharing.shared_items_record_reads(user=request.user, items=rows, channel="api"),
    )


@router.get(
    "/export",
    operation_id="sitrep_export",
    summary="Export situation reports as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.SitrepFilterSet, ())},
)
def sitrep_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    queryset = filtered(request, filters.SitrepFilterSet, _queryset())
    return export_response(
        queryset,
        request.user,
        views.sitrep.list.view_class.export_fields,
        basename="sitrep",
        file_format=format,
    )


@router.get("/{int:pk}", response=SitrepOut, operation_id="sitrep_read", summary="Read a situation report")
def sitrep_read(request, pk: int):
    item = _get(request, pk)
    sharing.shared_item_record_read(user=request.user, item=item, channel="api")
    return item


@router.post(
    "/", response={201: SitrepOut}, operation_id="sitrep_create", summary="Write a situation report (a draft)"
)
def sitrep_create(request, payload: SitrepIn):
    if not access.may_add(request.user, Sitrep):
        raise PermissionDenied("You may not write situation reports.")
    return Status(
        201, _queryset().get(pk=_save(request, Sitrep(), payload.model_dump(exclude_unset=True)).pk)
    )


@router.put(
    "/{int:pk}", response=SitrepOut, operation_id="sitrep_update", summary="Replace a situation report"
)
def sitrep_replace(request, pk: int, payload: SitrepIn):
    return _queryset().get(pk=_save(request, _get(request, pk, "change"), payload.model_dump()).pk)


@router.patch(
    "/{int:pk}",
    response=SitrepOut,
    operation_id="sitrep_partial_update",
    summary="Change some fields of a situation report",
)
def sitrep_patch(request, pk: int, payload: SitrepIn):
    return _queryset().get(
        pk=_save(request, _get(request, pk, "change"), payload.model_dump(exclude_unset=True)).pk
    )


@router.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="sitrep_delete",
    summary="Delete a draft or withdrawn situation report",
)
def sitrep_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_get(request, pk, "delete"))
    return Status(204, None)


@router.post(
    "/{int:pk}/publish",
    response={200: SitrepOut, 202: ApprovalOut},
    operation_id="sitrep_publish",
    summary="Publish to the incident's audience and notify it",
)
def sitrep_publish(request, pk: int):
    result = services.sitrep_publish(user=request.user, sitrep=_get(request, pk))
    return (
        Status(202, result)
        if isinstance(result, ShareApproval)
        else Status(200, _queryset().get(pk=result.pk))
    )


@router.post("/{int:pk}/withdraw", response=SitrepOut, operation_id="sitrep_withdraw", summary="Withdraw")
def sitrep_withdraw(request, pk: int):
    return sharing.shared_item_withdraw(user=request.user, item=_get(request, pk))
