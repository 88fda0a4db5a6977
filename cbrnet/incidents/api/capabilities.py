"""The capability registry in the API: the generic CRUD (crud_router), with codes and languages as lists."""

import datetime

from ninja import Schema

from cbrnet.api import RecordId, crud_router
from cbrnet.incidents import filters, forms, views
from cbrnet.incidents.models import Capability, decode_list


class CapabilityOut(Schema):
    id: int
    name: str
    kind: str
    codes: list[str]
    organisation: int
    country: int | None
    size: int
    readiness_hours: int
    self_sufficiency_days: int
    base_name: str
    base_latitude: float | None
    base_longitude: float | None
    languages: list[str]
    status: str
    description: str
    created: datetime.datetime
    updated: datetime.datetime

    @staticmethod
    def resolve_codes(obj):
        return decode_list(obj.codes)

    @staticmethod
    def resolve_languages(obj):
        return decode_list(obj.languages)

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation_id

    @staticmethod
    def resolve_country(obj):
        return obj.country_id


class CapabilityIn(Schema):
    name: str | None = None
    kind: str | None = None
    codes: list[str] | None = None
    organisation: RecordId | None = None
    size: int | None = None
    readiness_hours: int | None = None
    self_sufficiency_days: int | None = None
    base_name: str | None = None
    base_latitude: float | None = None
    base_longitude: float | None = None
    languages: list[str] | None = None
    status: str | None = None
    description: str | None = None


router = crud_router(
    model=Capability,
    schema_out=CapabilityOut,
    schema_in=CapabilityIn,
    form_class=forms.CapabilityForm,
    filterset_class=filters.CapabilityFilterSet,
    ordering=("name", "readiness_hours", "size"),
    export_fields=views.capability.list.view_class.export_fields,
    select_related=("organisation", "country"),
    tag="Capabilities",
)
