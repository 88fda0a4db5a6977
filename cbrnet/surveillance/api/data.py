"""JSON API of surveillance data, under /api/surveillance/:

    /diseases, /authorities, /series        CRUD of diseases, sector authorities and series (crud_router)
    /series/{id}/counts                     GET the weekly counts of a series; POST or PUT counts of one
                                            or many weeks (late reports and corrections replace a count
                                            and raise its revision; audited)
    /datasets                               list, read, create, change, delete, export, and the sharing
                                            actions of bulletins (publish, withdraw, TLP, audience, grants)
    /datasets/{id}/counts                   POST aggregate rows (disease, admin_area, week, count)
    /datasets/{id}/cases                    POST a case line list (disease, admin_area, onset_date,
                                            report_date, case_id), counted per ISO week

Ingestion checks every row first: any problem answers 422 problem+json with one error per row and
field ("rows.3.week"; rows count from 0) and writes nothing; `dry_run` checks and reports what would
be written. Files (CSV, XLSX) go through /api/imports/surveillance-counts and surveillance-cases.

Datasets do not fit crud_router: creating one needs the acting user (owner organisation and
author), as for bulletins (cbrnet/exchange/api.py, whose conventions these endpoints keep).
"""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status
from pydantic import Field

from cbrnet import access
from cbrnet.api import Page, RecordId, form_data, form_errors, list_parameters, page_params, problem
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.registry.api import router_for
from cbrnet.sharing import selectors as sharing_selectors
from cbrnet.sharing import services as sharing
from cbrnet.sharing.models import Grant, ShareApproval, content_type_id
from cbrnet.surveillance import filters, forms
from cbrnet.surveillance.models import Dataset, Disease, SectorAuthority, Series, WeeklyCount
from cbrnet.surveillance.services import ingest
from cbrnet.surveillance.services.datasets import dataset_save
from cbrnet.surveillance.views import data as views

MAX_ROWS = 100_000  # per request; bigger batches go as files through the imports API
DATASET_ORDERING = ("title", "published_at", "created")

router = Router()
router.add_router("/diseases", router_for(
    Disease, forms.DiseaseForm, filters.DiseaseFilterSet, views.disease, ("code", "name"),
    tag="Surveillance: diseases"))
router.add_router("/authorities", router_for(
    SectorAuthority, forms.SectorAuthorityForm, filters.SectorAuthorityFilterSet, views.sector_authority,
    ("sector",), select_related=("country", "organisation"), tag="Surveillance: sector authorities"))
series_router = router_for(
    Series, forms.SeriesForm, filters.SeriesFilterSet, views.series, ("first_week", "last_week", "admin_area"),
    select_related=("dataset", "disease"), tag="Surveillance: series")
datasets = Router(tags=["Surveillance: datasets"])


# --- schemas -------------------------------------------------------------------------------------
class DatasetOut(Schema):
    id: int
    uid: uuid.UUID
    title: str
    country: int
    sector: str
    method: str
    description: str
    tlp: str
    status: str
    embargo_until: datetime.datetime | None
    published_at: datetime.datetime | None
    owner_organisation: int
    author: int | None
    networks: list[int]
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


class DatasetIn(Schema):
    title: str | None = None
    country: RecordId | None = None
    sector: str | None = None
    method: str | None = None
    description: str | None = None
    tlp: str | None = None
    networks: list[RecordId] | None = None
    embargo_until: datetime.datetime | None = None


class ApprovalOut(Schema):
    id: int
    action: str
    status: str
    payload: dict

    @staticmethod
    def resolve_payload(obj):
        return obj.payload or {}


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


class AudienceOut(Schema):
    full: bool
    summary: str
    others: int | None
    whole_networks: bool
    networks: list[int]
    grants: list[GrantOut]


class RowsIn(Schema):
    rows: list[dict[str, Any]] = Field(
        ..., max_length=MAX_ROWS,
        description="Aggregate rows {disease, admin_area, week, count}, line-list rows {disease, admin_area, "
                    "onset_date, report_date, case_id}, or for a series {week, count}. Weeks: the ISO date of "
                    "the Monday (2026-01-12) or the ISO week (2026-W03).")
    dry_run: bool = False


class IngestOut(Schema):
    dataset: int
    dry_run: bool
    committed: bool
    created: int
    changed: int
    unchanged: int
    series_created: int
    series: list[int]


class CountOut(Schema):
    week: datetime.date
    iso_week: str
    count: int
    revision: int
    updated: datetime.datetime

    @staticmethod
    def resolve_iso_week(obj):
        return ingest.iso_week_label(obj.week)


# --- ingestion -----------------------------------------------------------------------------------
def _ingest(request, run):
    """Run an ingest service; its row problems become one error per row and field."""
    try:
        result = run()
    except ingest.IngestError as error:
        errors = [
            {"field": (f"rows.{item.row}.{item.column}" if item.column else f"rows.{item.row}")
             if item.row is not None else (item.column or None),
             "row": item.row, "column": item.column or None, "message": item.message}
            for item in error.problems
        ]
        return problem(request, 422, "Invalid rows",
                       f"{len(errors)} problem(s) found; nothing was written. Rows count from 0.", errors)
    return Status(200, result.as_dict())


@datasets.post("/{int:pk}/counts", response={200: IngestOut}, operation_id="dataset_counts_ingest",
               summary="Ingest aggregate weekly counts into a dataset (all rows or none; dry_run to check)")
def dataset_counts_ingest(request, pk: int, payload: RowsIn):
    dataset = _get(request, pk, "change")
    return _ingest(request, lambda: ingest.counts_ingest(user=request.user, dataset=dataset, rows=payload.rows,
                                                         dry_run=payload.dry_run))


@datasets.post("/{int:pk}/cases", response={200: IngestOut}, operation_id="dataset_cases_ingest",
               summary="Ingest a case line list into a dataset, counted per ISO week (all rows or none)")
def dataset_cases_ingest(request, pk: int, payload: RowsIn):
    dataset = _get(request, pk, "change")
    return _ingest(request, lambda: ingest.cases_ingest(user=request.user, dataset=dataset, rows=payload.rows,
                                                        dry_run=payload.dry_run))


def _series(request, pk, action="view") -> Series:
    return access.get_object_for(request.user, Series.objects.select_related("dataset__owner_organisation"),
                                 action, pk=pk)


@series_router.get("/{int:pk}/counts", response=Page, operation_id="series_counts_list",
                   summary="The weekly counts of a series, oldest first (since/until: ISO dates of weeks)")
def series_counts_list(request, pk: int, since: datetime.date | None = None, until: datetime.date | None = None):
    series = _series(request, pk)
    counts = access.restrict(WeeklyCount.objects.filter(series=series), request.user).order_by("week")
    if since:
        counts = counts.filter(week__gte=since)
    if until:
        counts = counts.filter(week__lte=until)
    limit, offset = page_params(request)
    rows = counts[offset:offset + limit]
    return {"count": counts.count(), "limit": limit, "offset": offset,
            "results": [CountOut.from_orm(row).model_dump() for row in rows]}


def _series_upsert(request, pk: int, payload: RowsIn):
    series = _series(request, pk, "change")
    return _ingest(request, lambda: ingest.series_counts_ingest(user=request.user, series=series, rows=payload.rows,
                                                                dry_run=payload.dry_run))


@series_router.post("/{int:pk}/counts", response={200: IngestOut}, operation_id="series_counts_upsert",
                    summary="Store the counts of one or many weeks of a series ({week, count} rows)")
def series_counts_upsert(request, pk: int, payload: RowsIn):
    return _series_upsert(request, pk, payload)


@series_router.put("/{int:pk}/counts", response={200: IngestOut}, operation_id="series_counts_put",
                   summary="The same as POST: weeks given replace their counts, other weeks stay")
def series_counts_put(request, pk: int, payload: RowsIn):
    return _series_upsert(request, pk, payload)


router.add_router("/series", series_router)


# --- datasets ------------------------------------------------------------------------------------
def _queryset():
    return Dataset.objects.select_related("owner_organisation").prefetch_related("networks")


def _filtered(request):
    filterset = filters.DatasetFilterSet(request.GET, queryset=_queryset(), request=request)
    if not filterset.is_valid():
        raise ValidationError({field: [str(message) for message in errors] for field, errors in filterset.errors.items()})
    return filterset.qs


def _get(request, pk, action="view") -> Dataset:
    return access.get_object_for(request.user, _queryset(), action, pk=pk)


def _out(dataset) -> Dataset:
    return _queryset().get(pk=dataset.pk)


def _save(request, instance, data: dict) -> Dataset:
    form = forms.DatasetApiForm(data=data, instance=instance, user=request.user)
    if not form.is_valid():
        raise form_errors(form)
    return dataset_save(user=request.user, dataset=form.save(commit=False), networks=form.cleaned_data["networks"])


@datasets.get("/", response=Page, operation_id="dataset_list", summary="List surveillance datasets",
              openapi_extra={"parameters": list_parameters(filters.DatasetFilterSet, DATASET_ORDERING)})
def dataset_list(request):
    queryset = access.restrict(_filtered(request), request.user, "view")
    order = request.GET.get("ordering", "")
    if order:
        if order.lstrip("-") not in DATASET_ORDERING:
            raise ValidationError({"ordering": [f"Order by one of: {', '.join(DATASET_ORDERING)}."]})
        queryset = queryset.order_by(order, "pk")
    limit, offset = page_params(request)
    rows = list(queryset[offset:offset + limit])
    sharing.shared_items_record_reads(user=request.user, items=rows, channel="api")  # R7
    return {"count": queryset.count(), "limit": limit, "offset": offset,
            "results": [DatasetOut.from_orm(row).model_dump() for row in rows]}


@datasets.get("/export", operation_id="dataset_export", summary="Export surveillance datasets as CSV or XLSX",
              openapi_extra={"parameters": list_parameters(filters.DatasetFilterSet, ())})
def dataset_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    fields = views.dataset.list.view_class.export_fields
    return export_response(_filtered(request), request.user, fields, basename="dataset", file_format=format)


@datasets.get("/{int:pk}", response=DatasetOut, operation_id="dataset_read", summary="Read a surveillance dataset")
def dataset_read(request, pk: int):
    dataset = _get(request, pk)
    sharing.shared_item_record_read(user=request.user, item=dataset, channel="api")
    return dataset


@datasets.post("/", response={201: DatasetOut}, operation_id="dataset_create",
               summary="Create a draft dataset of your organisation")
def dataset_create(request, payload: DatasetIn):
    if not access.may_add(request.user, Dataset):
        raise PermissionDenied("You may not add a surveillance dataset.")
    data = form_data(forms.DatasetApiForm, payload.model_dump(exclude_unset=True), None)
    return Status(201, _out(_save(request, Dataset(), data)))


@datasets.put("/{int:pk}", response=DatasetOut, operation_id="dataset_update", summary="Replace a dataset's fields")
def dataset_replace(request, pk: int, payload: DatasetIn):
    instance = _get(request, pk, "change")
    data = form_data(forms.DatasetApiForm, {**payload.model_dump(), "networks": payload.networks or []}, None)
    return _out(_save(request, instance, data))


@datasets.patch("/{int:pk}", response=DatasetOut, operation_id="dataset_partial_update",
                summary="Change some fields of a dataset")
def dataset_patch(request, pk: int, payload: DatasetIn):
    instance = _get(request, pk, "change")
    changes = payload.model_dump(exclude_unset=True)
    data = form_data(forms.DatasetApiForm, changes, instance)
    if "networks" not in changes:
        data["networks"] = [network.pk for network in instance.networks.all()]
    return _out(_save(request, instance, data))


@datasets.delete("/{int:pk}", response={204: None}, operation_id="dataset_delete",
                 summary="Delete a draft or withdrawn dataset with its series and counts")
def dataset_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_get(request, pk, "delete"))
    return Status(204, None)


def _result(result):
    return Status(202, result) if isinstance(result, ShareApproval) else Status(200, _out(result))


@datasets.post("/{int:pk}/publish", response={200: DatasetOut, 202: ApprovalOut}, operation_id="dataset_publish",
               summary="Publish (AMBER/RED may wait for a second editor)")
def dataset_publish(request, pk: int):
    return _result(sharing.shared_item_publish(user=request.user, item=_get(request, pk)))


@datasets.post("/{int:pk}/withdraw", response=DatasetOut, operation_id="dataset_withdraw", summary="Withdraw")
def dataset_withdraw(request, pk: int):
    return _out(sharing.shared_item_withdraw(user=request.user, item=_get(request, pk)))


@datasets.post("/{int:pk}/tlp", response={200: DatasetOut, 202: ApprovalOut}, operation_id="dataset_change_tlp",
               summary="Change the TLP label (tightening at once, loosening by owner editors)")
def dataset_change_tlp(request, pk: int, payload: TlpIn):
    return _result(sharing.shared_item_change_tlp(user=request.user, item=_get(request, pk), tlp=payload.tlp))


@datasets.get("/{int:pk}/audience", response=AudienceOut, operation_id="dataset_audience",
              summary="Who the dataset is shared with, as far as you may know (R13)")
def dataset_audience(request, pk: int):
    dataset = _get(request, pk)
    audience = sharing_selectors.shared_item_audience(user=request.user, item=dataset)
    return {**audience, "networks": [network.pk for network in audience["networks"]]}


@datasets.post("/{int:pk}/grants", response={201: GrantOut, 202: ApprovalOut}, operation_id="dataset_grant_add",
               summary="Share with a network, region, country, organisation or person")
def dataset_grant_add(request, pk: int, payload: GrantIn):
    result = sharing.shared_item_grant_add(user=request.user, item=_get(request, pk), scope=payload.scope,
                                           target=payload.target, roles=payload.roles)
    return Status(202, result) if isinstance(result, ShareApproval) else Status(201, result)


@datasets.delete("/{int:pk}/grants/{int:grant_pk}", response={204: None}, operation_id="dataset_grant_remove",
                 summary="Stop sharing with one recipient")
def dataset_grant_remove(request, pk: int, grant_pk: int):
    dataset = _get(request, pk)
    grants = Grant.objects.filter(content_type_id=content_type_id(Dataset), object_id=dataset.pk)
    grant = access.get_object_for(request.user, grants, "view", pk=grant_pk)
    sharing.shared_item_grant_remove(user=request.user, item=dataset, grant=grant)
    return Status(204, None)


router.add_router("/datasets", datasets)
