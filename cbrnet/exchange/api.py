"""JSON API of the exchange: bulletins (list, read, create, change, delete, export) and the sharing
actions (publish, withdraw, change TLP, grants, audience, updates, approvals, break-glass, download).

crud_router does not fit bulletins: creating one needs the acting user (owner organisation and
author), which crud_router's form-and-record_save path does not pass. The endpoints below keep its
conventions (same page shape, filters, form validation, problem details) and reuse its helpers.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from cbrnet import access
from cbrnet.api import (
    SAFE_METHODS,
    Page,
    RecordId,
    SessionAuth,
    TokenAuth,
    form_data,
    form_errors,
    list_parameters,
    page_params,
)
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.exchange import filters, forms, services, views
from cbrnet.exchange.models import Bulletin, BulletinUpdate
from cbrnet.sharing import conf
from cbrnet.sharing import selectors as sharing_selectors
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id


def public_portal(request):
    """R3: with a public portal, anonymous GETs pass; the engine then returns TLP:CLEAR only."""
    if conf.public_portal() and request.method in SAFE_METHODS:
        return request.user
    return None


READ_AUTH = [TokenAuth(), SessionAuth(), public_portal]
ORDERING = ("published_at", "created", "title")


class BulletinOut(Schema):
    id: int
    uid: uuid.UUID
    title: str
    body: str
    tlp: str
    status: str
    embargo_until: datetime.datetime | None
    published_at: datetime.datetime | None
    owner_organisation: int
    author: int | None
    networks: list[int]
    attachment: str | None
    created: datetime.datetime
    updated: datetime.datetime

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
    def resolve_attachment(obj):
        return f"/api/exchange/bulletins/{obj.pk}/attachment" if obj.attachment else None


class BulletinIn(Schema):
    title: str | None = None
    body: str | None = None
    tlp: str | None = None
    networks: list[RecordId] | None = None
    embargo_until: datetime.datetime | None = None


class ApprovalOut(Schema):
    id: int
    action: str
    status: str
    payload: dict
    requested_by: int | None
    decided_by: int | None
    item: str

    @staticmethod
    def resolve_requested_by(obj):
        return obj.requested_by_id

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by_id

    @staticmethod
    def resolve_item(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}:{obj.object_id}"


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


class MemberOut(Schema):
    organisation: int | None
    user: int | None
    roles: list[str]

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation_id

    @staticmethod
    def resolve_user(obj):
        return obj.user_id

    @staticmethod
    def resolve_roles(obj):
        from cbrnet.sharing.models import decode_roles

        return decode_roles(obj.roles)


class AudienceOut(Schema):
    full: bool
    summary: str
    others: int | None
    whole_networks: bool
    networks: list[int]
    grants: list[GrantOut]
    members: list[MemberOut]


class UpdateIn(Schema):
    body: str = ""
    tlp: str | None = None


class UpdateOut(Schema):
    id: int
    bulletin: int
    body: str
    tlp: str
    status: str
    owner_organisation: int
    author: int | None
    created: datetime.datetime

    @staticmethod
    def resolve_bulletin(obj):
        return obj.bulletin_id

    @staticmethod
    def resolve_owner_organisation(obj):
        return obj.owner_organisation_id

    @staticmethod
    def resolve_author(obj):
        return obj.author_id


class BreakGlassIn(Schema):
    reason: str = ""


class BreakGlassOut(Schema):
    id: int
    expires_at: datetime.datetime


class DecisionIn(Schema):
    note: str = ""


router = Router()
bulletins = Router(tags=["Bulletins"])
approvals = Router(tags=["Bulletins"])
router.add_router("/bulletins", bulletins)
router.add_router("/approvals", approvals)


def _queryset():
    return Bulletin.objects.select_related("owner_organisation").prefetch_related("networks")


def _filtered(request):
    filterset = filters.BulletinFilterSet(request.GET, queryset=_queryset(), request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(message) for message in errors] for field, errors in filterset.errors.items()}
        )
    return filterset.qs


def _get(request, pk, action="view") -> Bulletin:
    return access.get_object_for(request.user, _queryset(), action, pk=pk)


def _out(bulletin) -> Bulletin:
    """The bulletin as stored after a write, with what BulletinOut reads."""
    return _queryset().get(pk=bulletin.pk)


def _save(request, instance, payload: dict):
    form = forms.BulletinApiForm(
        data=form_data(forms.BulletinApiForm, payload, instance), instance=instance, user=request.user
    )
    if not form.is_valid():
        raise form_errors(form)
    return services.bulletin_save(
        user=request.user, bulletin=form.save(commit=False), networks=form.cleaned_data["networks"]
    )


@bulletins.get(
    "/",
    response=Page,
    auth=READ_AUTH,
    operation_id="bulletin_list",
    summary="List bulletins",
    openapi_extra={"parameters": list_parameters(filters.BulletinFilterSet, ORDERING)},
)
def bulletin_list(request):
    queryset = access.restrict(_filtered(request), request.user, "view")
    order = request.GET.get("ordering", "")
    if order:
        if order.lstrip("-") not in ORDERING:
            raise ValidationError({"ordering": [f"Order by one of: {', '.join(ORDERING)}."]})
        queryset = queryset.order_by(order, "pk")
    limit, offset = page_params(request)
    rows = list(queryset[offset : offset + limit])
    sharing.shared_items_record_reads(user=request.user, items=rows, channel="api")  # the body is a read (R7)
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "results": [BulletinOut.from_orm(row).model_dump() for row in rows],
    }


@bulletins.get(
    "/export",
    auth=READ_AUTH,
    operation_id="bulletin_export",
    summary="Export bulletins as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.BulletinFilterSet, ())},
)
def bulletin_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    fields = views.bulletin.list.view_class.export_fields
    return export_response(_filtered(request), request.user, fields, basename="bulletin", file_format=format)


@bulletins.get(
    "/{int:pk}", response=BulletinOut, auth=READ_AUTH, operation_id="bulletin_read", summary="Read a bulletin"
)
def bulletin_read(request, pk: int):
    bulletin = _get(request, pk)
    sharing.shared_item_record_read(user=request.user, item=bulletin, channel="api")
    return bulletin


@bulletins.post(
    "/", response={201: BulletinOut}, operation_id="bulletin_create", summary="Create a draft bulletin"
)
def bulletin_create(request, payload: BulletinIn):
    if not access.may_add(request.user, Bulletin):
        raise PermissionDenied("You may not add a bulletin.")
    bulletin = _save(request, Bulletin(), payload.model_dump(exclude_unset=True))
    return Status(201, _out(bulletin))


@bulletins.put(
    "/{int:pk}", response=BulletinOut, operation_id="bulletin_update", summary="Replace a bulletin's content"
)
def bulletin_replace(request, pk: int, payload: BulletinIn):
    bulletin = _save(
        request, _get(request, pk, "change"), {**payload.model_dump(), "networks": payload.networks or []}
    )
    return _out(bulletin)


@bulletins.patch(
    "/{int:pk}",
    response=BulletinOut,
    operation_id="bulletin_partial_update",
    summary="Change some fields of a bulletin",
)
def bulletin_patch(request, pk: int, payload: BulletinIn):
    instance = _get(request, pk, "change")
    data = payload.model_dump(exclude_unset=True)
    merged = form_data(forms.BulletinApiForm, data, instance)
    if "networks" not in data:
        merged["networks"] = [network.pk for network in instance.networks.all()]
    form = forms.BulletinApiForm(data=merged, instance=instance, user=request.user)
    if not form.is_valid():
        raise form_errors(form)
    bulletin = services.bulletin_save(
        user=request.user, bulletin=form.save(commit=False), networks=form.cleaned_data["networks"]
    )
    return _out(bulletin)


@bulletins.delete(
    "/{int:pk}", response={204: None}, operation_id="bulletin_delete", summary="Delete a draft bulletin"
)
def bulletin_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_get(request, pk, "delete"))
    return Status(204, None)


def _result(result):
    if isinstance(result, ShareApproval):
        return Status(202, result)
    return Status(200, _out(result))


@bulletins.post(
    "/{int:pk}/publish",
    response={200: BulletinOut, 202: ApprovalOut},
    operation_id="bulletin_publish",
    summary="Publish (AMBER/RED may wait for a second editor)",
)
def bulletin_publish(request, pk: int):
    return _result(sharing.shared_item_publish(user=request.user, item=_get(request, pk)))


@bulletins.post(
    "/{int:pk}/withdraw", response=BulletinOut, operation_id="bulletin_withdraw", summary="Withdraw"
)
def bulletin_withdraw(request, pk: int):
    return _out(sharing.shared_item_withdraw(user=request.user, item=_get(request, pk)))


@bulletins.post(
    "/{int:pk}/tlp",
    response={200: BulletinOut, 202: ApprovalOut},
    operation_id="bulletin_change_tlp",
    summary="Change the TLP label (tightening at once, loosening by owner editors)",
)
def bulletin_change_tlp(request, pk: int, payload: TlpIn):
    return _result(sharing.shared_item_change_tlp(user=request.user, item=_get(request, pk), tlp=payload.tlp))


@bulletins.get(
    "/{int:pk}/audience",
    response=AudienceOut,
    auth=READ_AUTH,
    operation_id="bulletin_audience",
    summary="Who the bulletin is shared with, as far as you may know (R13)",
)
def bulletin_audience(request, pk: int):
    bulletin = _get(request, pk)
    audience = sharing_selectors.shared_item_audience(user=request.user, item=bulletin)
    return {**audience, "networks": [network.pk for network in audience["networks"]]}


@bulletins.post(
    "/{int:pk}/grants",
    response={201: GrantOut, 202: ApprovalOut},
    operation_id="bulletin_grant_add",
    summary="Share with a network, region, country, organisation or person",
)
def bulletin_grant_add(request, pk: int, payload: GrantIn):
    bulletin = _get(request, pk)
    result = sharing.shared_item_grant_add(
        user=request.user, item=bulletin, scope=payload.scope, target=payload.target, roles=payload.roles
    )
    return Status(202, result) if isinstance(result, ShareApproval) else Status(201, result)


@bulletins.delete(
    "/{int:pk}/grants/{int:grant_pk}",
    response={204: None},
    operation_id="bulletin_grant_remove",
    summary="Stop sharing with one recipient",
)
def bulletin_grant_remove(request, pk: int, grant_pk: int):
    bulletin = _get(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Bulletin), object_id=bulletin.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    sharing.shared_item_grant_remove(user=request.user, item=bulletin, grant=grant)
    return Status(204, None)


@bulletins.get(
    "/{int:pk}/updates",
    response=list[UpdateOut],
    auth=READ_AUTH,
    operation_id="bulletin_update_list",
    summary="Updates and comments you may read (R10)",
)
def bulletin_update_list(request, pk: int):
    bulletin = _get(request, pk)
    updates = access.restrict(BulletinUpdate.objects.filter(bulletin=bulletin), request.user).order_by(
        "created", "pk"
    )
    rows = list(updates)
    sharing.shared_items_record_reads(user=request.user, items=rows, channel="api")
    return rows


@bulletins.post(
    "/{int:pk}/updates",
    response={201: UpdateOut, 202: ApprovalOut},
    operation_id="bulletin_update_add",
    summary="Post an update or comment",
)
def bulletin_update_add(request, pk: int, payload: UpdateIn):
    bulletin = _get(request, pk)
    form = forms.BulletinUpdateForm(
        data={"body": payload.body, "tlp": payload.tlp or bulletin.tlp}, bulletin=bulletin
    )
    if not form.is_valid():
        raise form_errors(form)
    result = services.bulletin_update_create(
        user=request.user, bulletin=bulletin, body=form.cleaned_data["body"], tlp=form.cleaned_data["tlp"]
    )
    return Status(202, result) if isinstance(result, ShareApproval) else Status(201, result)


@bulletins.get(
    "/{int:pk}/attachment",
    auth=READ_AUTH,
    operation_id="bulletin_download",
    summary="Download the attachment",
)
def bulletin_download(request, pk: int):
    bulletin = _get(request, pk)
    if not bulletin.attachment:
        raise Http404
    sharing.shared_item_record_read(user=request.user, item=bulletin, channel="download")
    response = FileResponse(
        bulletin.attachment.open("rb"),
        as_attachment=True,
        filename=bulletin.attachment.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@bulletins.post(
    "/{int:pk}/break-glass",
    response={201: BreakGlassOut},
    operation_id="bulletin_break_glass",
    summary="Platform administrators: open a bulletin for reading, with a reason (R11)",
)
def bulletin_break_glass(request, pk: int, payload: BreakGlassIn):
    if not access.user_context(request.user).platform_admin:
        raise Http404  # as for any bulletin the caller cannot see
    bulletin = get_object_or_404(Bulletin, pk=pk)
    grant = sharing.shared_item_break_glass(
        user=request.user, item=bulletin, reason=payload.reason, channel="api"
    )
    return Status(201, grant)


@approvals.get(
    "/", response=list[ApprovalOut], operation_id="approval_list", summary="Four-eyes requests you may see"
)
def approval_list(request):
    queryset = access.restrict(ShareApproval.objects.select_related("content_type"), request.user)
    return list(queryset.filter(status="pending")[:200])


@approvals.post(
    "/{int:pk}/approve", response=ApprovalOut, operation_id="approval_approve", summary="Approve and apply"
)
def approval_approve(request, pk: int):
    approval = access.get_object_for(
        request.user, ShareApproval.objects.select_related("content_type"), "view", pk=pk
    )
    return sharing.shared_item_approve(user=request.user, approval=approval)


@approvals.post("/{int:pk}/reject", response=ApprovalOut, operation_id="approval_reject", summary="Reject")
def approval_reject(request, pk: int, payload: DecisionIn):
    approval = access.get_object_for(
        request.user, ShareApproval.objects.select_related("content_type"), "view", pk=pk
    )
    return sharing.shared_item_reject(user=request.user, approval=approval, note=payload.note)
