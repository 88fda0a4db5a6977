"""Requests for assistance (with their lines, versions, matching and invitations), offers and their
decisions, deployments and their timeline, in the API. Conditions and contact points are null for
those who may not see the incident's restricted details."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema, Status

from cbrnet import access
from cbrnet.api import Page, RecordId, form_data, form_errors, list_parameters
from cbrnet.core import services as core_services
from cbrnet.core.exports import EXPORT_FORMATS, export_response
from cbrnet.core.generic import restrict_form_fields
from cbrnet.incidents import filters, forms, selectors, services, views
from cbrnet.incidents.api.common import filtered, page
from cbrnet.incidents.models import AssistanceRequest, Deployment, Offer, decode_list

requests_router = Router(tags=["Requests for assistance"])
offers_router = Router(tags=["Offers of assistance"])
deployments_router = Router(tags=["Deployments"])


# --- requests ------------------------------------------------------------------------------------------
class ItemIO(Schema):
    code: str
    quantity: int = 1
    note: str = ""


class RequestOut(Schema):
    id: int
    incident: int
    title: str
    location: str
    needed_from: datetime.datetime
    duration_days: int
    languages: list[str]
    entry_conditions: str | None
    customs_conditions: str | None
    liability_conditions: str | None
    cost_arrangement: str
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    status: str
    version: int
    requested_by: int | None
    items: list[ItemIO]
    created: datetime.datetime
    updated: datetime.datetime

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_languages(obj):
        return decode_list(obj.languages)

    @staticmethod
    def resolve_requested_by(obj):
        return obj.requested_by_id

    @staticmethod
    def resolve_items(obj):
        return [{"code": item.code, "quantity": item.quantity, "note": item.note} for item in obj.items.all()]

    @staticmethod
    def resolve_contact_name(obj):
        return obj.contact_name if obj.contact_visible else None

    @staticmethod
    def resolve_contact_email(obj):
        return obj.contact_email if obj.contact_visible else None

    @staticmethod
    def resolve_contact_phone(obj):
        return obj.contact_phone if obj.contact_visible else None

    @staticmethod
    def resolve_entry_conditions(obj):
        return obj.entry_conditions if obj.contact_visible else None

    @staticmethod
    def resolve_customs_conditions(obj):
        return obj.customs_conditions if obj.contact_visible else None

    @staticmethod
    def resolve_liability_conditions(obj):
        return obj.liability_conditions if obj.contact_visible else None


class RequestIn(Schema):
    incident: RecordId | None = None
    title: str | None = None
    location: str | None = None
    needed_from: datetime.datetime | None = None
    duration_days: int | None = None
    languages: list[str] | None = None
    entry_conditions: str | None = None
    customs_conditions: str | None = None
    liability_conditions: str | None = None
    cost_arrangement: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    items: list[ItemIO] | None = None
    reason: str | None = None


class VersionOut(Schema):
    number: int
    reason: str
    amended_by: int | None
    created: datetime.datetime
    changes: list[dict]


class MatchOut(Schema):
    capability: int
    name: str
    organisation: int
    country: int | None
    score: float
    need: str
    reasons: dict


class MatchesOut(Schema):
    candidates: int
    eligible: int
    matches: list[MatchOut]


class InviteIn(Schema):
    capabilities: list[RecordId]
    available_only: bool = False


class InvitationOut(Schema):
    id: int
    capability: int
    score: float
    status: str

    @staticmethod
    def resolve_capability(obj):
        return obj.capability_id


REQUEST_ORDERING = ("needed_from", "created", "title")


def _requests():
    return AssistanceRequest.objects.select_related("incident").prefetch_related("items")


def _request(request, pk, action="view"):
    return access.get_object_for(request.user, _requests(), action, pk=pk)


def _request_out(request, instance):
    row = access.with_contact_visibility(_requests().filter(pk=instance.pk), request.user).get()
    return row


def _request_save(request, instance, payload: dict):
    items = payload.pop("items", None)
    reason = payload.pop("reason", None) or ""
    form = forms.AssistanceRequestForm(
        data=form_data(forms.AssistanceRequestForm, payload, instance if instance.pk else None),
        instance=instance,
        user=request.user,
    )
    restrict_form_fields(form, request.user)
    if not form.is_valid():
        raise form_errors(form)
    record = form.save(commit=False)
    lines = (
        None
        if items is None
        else [item.model_dump() if hasattr(item, "model_dump") else item for item in items]
    )
    if record._state.adding:
        return services.request_create(user=request.user, request=record, items=lines or [])
    return services.request_amend(user=request.user, request=record, items=lines, reason=reason)


@requests_router.get(
    "/",
    response=Page,
    operation_id="assistancerequest_list",
    summary="List requests for assistance",
    openapi_extra={"parameters": list_parameters(filters.AssistanceRequestFilterSet, REQUEST_ORDERING)},
)
def assistancerequest_list(request):
    queryset = filtered(request, filters.AssistanceRequestFilterSet, _requests())
    return page(request, queryset, RequestOut, REQUEST_ORDERING, annotate_contact=True)


@requests_router.get(
    "/export",
    operation_id="assistancerequest_export",
    summary="Export requests as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.AssistanceRequestFilterSet, ())},
)
def assistancerequest_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    queryset = filtered(request, filters.AssistanceRequestFilterSet, _requests())
    fields = views.assistance_request.list.view_class.export_fields
    return export_response(queryset, request.user, fields, basename="assistancerequest", file_format=format)


@requests_router.get(
    "/{int:pk}", response=RequestOut, operation_id="assistancerequest_read", summary="Read a request"
)
def assistancerequest_read(request, pk: int):
    return _request_out(request, _request(request, pk))


@requests_router.post(
    "/",
    response={201: RequestOut},
    operation_id="assistancerequest_create",
    summary="Ask for assistance (the affected country's focal point or team, the incident's owners)",
)
def assistancerequest_create(request, payload: RequestIn):
    if not access.may_add(request.user, AssistanceRequest):
        raise PermissionDenied("You may not ask for assistance.")
    data = payload.model_dump(exclude_unset=True)
    data["items"] = payload.items or []
    return Status(201, _request_out(request, _request_save(request, AssistanceRequest(), data)))


@requests_router.put(
    "/{int:pk}",
    response=RequestOut,
    operation_id="assistancerequest_update",
    summary="Amend a request, all fields (a new version; earlier ones are kept)",
)
def assistancerequest_replace(request, pk: int, payload: RequestIn):
    instance = _request(request, pk, "change")
    data = payload.model_dump()
    data["items"] = payload.items or []
    return _request_out(request, _request_save(request, instance, data))


@requests_router.patch(
    "/{int:pk}",
    response=RequestOut,
    operation_id="assistancerequest_partial_update",
    summary="Amend some fields of a request (a new version; earlier ones are kept)",
)
def assistancerequest_patch(request, pk: int, payload: RequestIn):
    instance = _request(request, pk, "change")
    return _request_out(request, _request_save(request, instance, payload.model_dump(exclude_unset=True)))


@requests_router.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="assistancerequest_delete",
    summary="Delete a request nobody offered against yet",
)
def assistancerequest_delete(request, pk: int):
    services.request_delete(user=request.user, request=_request(request, pk, "delete"))
    return Status(204, None)


@requests_router.get(
    "/{int:pk}/versions",
    response=list[VersionOut],
    operation_id="assistancerequest_versions",
    summary="Every version of the request, newest first, with what changed",
)
def assistancerequest_versions(request, pk: int):
    item = _request(request, pk)
    return [
        {
            "number": diff.version.number,
            "reason": diff.version.reason,
            "amended_by": diff.version.amended_by_id,
            "created": diff.version.created,
            "changes": [
                {"field": label, "before": before, "after": after} for label, before, after in diff.changes
            ],
        }
        for diff in selectors.request_versions(user=request.user, request=item)
    ]


def _coordinated(request, pk):
    item = _request(request, pk)
    if not selectors.incident_is_coordinator(request.user, item.incident):
        raise PermissionDenied(
            "Only the affected country, the incident's owners and the secretariat match requests."
        )
    return item


@requests_router.get(
    "/{int:pk}/matches",
    response=MatchesOut,
    operation_id="assistancerequest_matches",
    summary="Registered capabilities that could meet the request, best first, with the reasons",
)
def assistancerequest_matches(request, pk: int, limit: int = 50, available_only: bool = False):
    item = _coordinated(request, pk)
    result = selectors.request_matches(
        user=request.user, request=item, limit=max(1, min(limit, 500)), available_only=available_only
    )
    return {
        "candidates": result.candidates,
        "eligible": result.eligible,
        "matches": [
            {
                "capability": match.capability.pk,
                "name": match.capability.name,
                "organisation": match.capability.organisation_id,
                "country": match.capability.country_id,
                "score": round(match.score, 4),
                "need": match.need_code,
                "reasons": match.reasons_json(),
            }
            for match in result.matches
        ],
    }


@requests_router.post(
    "/{int:pk}/invitations",
    response={201: list[InvitationOut]},
    operation_id="assistancerequest_invite",
    summary="Invite offers from the chosen capabilities of the ranked list, in one step",
)
def assistancerequest_invite(request, pk: int, payload: InviteIn):
    item = _coordinated(request, pk)
    result = selectors.request_matches(
        user=request.user, request=item, limit=500, available_only=payload.available_only
    )
    listed = {match.capability.pk: match for match in result.matches}
    unknown = sorted(set(payload.capabilities) - set(listed))
    if unknown:
        raise ValidationError(
            {"capabilities": [f"Not among the matching capabilities: {', '.join(map(str, unknown))}."]}
        )
    choices = [
        (pk_, listed[pk_].score, listed[pk_].reasons_json()) for pk_ in dict.fromkeys(payload.capabilities)
    ]
    return Status(201, services.offers_invite(user=request.user, request=item, choices=choices))


# --- offers --------------------------------------------------------------------------------------------
class OfferOut(Schema):
    id: int
    request: int
    code: str
    capability: int | None
    offering_organisation: int
    offering_country: int | None
    description: str
    quantity: int
    available_from: datetime.datetime
    duration_days: int
    conditions: str
    status: str
    offered_by: int | None
    decided_by: int | None
    decided_at: datetime.datetime | None
    decision_note: str
    deployment: int | None
    created: datetime.datetime

    @staticmethod
    def resolve_request(obj):
        return obj.request_id

    @staticmethod
    def resolve_capability(obj):
        return obj.capability_id

    @staticmethod
    def resolve_offering_organisation(obj):
        return obj.offering_organisation_id

    @staticmethod
    def resolve_offering_country(obj):
        return obj.offering_country_id

    @staticmethod
    def resolve_offered_by(obj):
        return obj.offered_by_id

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by_id

    @staticmethod
    def resolve_deployment(obj):
        deployment = getattr(obj, "deployment", None) if obj.status == "accepted" else None
        return deployment.pk if deployment is not None else None


class OfferIn(Schema):
    request: RecordId | None = None
    code: str | None = None
    capability: RecordId | None = None
    description: str | None = None
    quantity: int | None = None
    available_from: datetime.datetime | None = None
    duration_days: int | None = None
    conditions: str | None = None


class DecisionIn(Schema):
    decision: str
    note: str = ""


OFFER_ORDERING = ("created", "available_from", "status")


def _offers():
    return Offer.objects.select_related(
        "request__incident", "capability", "offering_organisation", "deployment"
    )


def _offer(request, pk, action="view"):
    return access.get_object_for(request.user, _offers(), action, pk=pk)


def _offer_save(request, instance, payload: dict):
    form = forms.OfferForm(
        data=form_data(forms.OfferForm, payload, instance if instance.pk else None),
        instance=instance,
        user=request.user,
    )
    if not form.is_valid():
        raise form_errors(form)
    offer = form.save(commit=False)
    if offer._state.adding:
        return services.offer_create(user=request.user, offer=offer)
    return services.offer_update(user=request.user, offer=offer)


@offers_router.get(
    "/",
    response=Page,
    operation_id="offer_list",
    summary="List offers of assistance",
    openapi_extra={"parameters": list_parameters(filters.OfferFilterSet, OFFER_ORDERING)},
)
def offer_list(request):
    return page(request, filtered(request, filters.OfferFilterSet, _offers()), OfferOut, OFFER_ORDERING)


@offers_router.get(
    "/export",
    operation_id="offer_export",
    summary="Export offers as CSV or XLSX",
    openapi_extra={"parameters": list_parameters(filters.OfferFilterSet, ())},
)
def offer_export(request, format: str = "csv"):
    if format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    queryset = filtered(request, filters.OfferFilterSet, _offers())
    return export_response(
        queryset,
        request.user,
        views.offer.list.view_class.export_fields,
        basename="offer",
        file_format=format,
    )


@offers_router.get("/{int:pk}", response=OfferOut, operation_id="offer_read", summary="Read an offer")
def offer_read(request, pk: int):
    return _offer(request, pk)


@offers_router.post(
    "/", response={201: OfferOut}, operation_id="offer_create", summary="Offer assistance against a request"
)
def offer_create(request, payload: OfferIn):
    if not access.may_add(request.user, Offer):
        raise PermissionDenied("You may not offer assistance.")
    offer = _offer_save(request, Offer(), payload.model_dump(exclude_unset=True))
    return Status(201, _offers().get(pk=offer.pk))


@offers_router.put(
    "/{int:pk}",
    response=OfferOut,
    operation_id="offer_update",
    summary="Replace an offer that waits for a decision",
)
def offer_replace(request, pk: int, payload: OfferIn):
    offer = _offer_save(request, _offer(request, pk, "change"), payload.model_dump())
    return _offers().get(pk=offer.pk)


@offers_router.patch(
    "/{int:pk}",
    response=OfferOut,
    operation_id="offer_partial_update",
    summary="Change some fields of an offer that waits for a decision",
)
def offer_patch(request, pk: int, payload: OfferIn):
    offer = _offer_save(request, _offer(request, pk, "change"), payload.model_dump(exclude_unset=True))
    return _offers().get(pk=offer.pk)


@offers_router.delete(
    "/{int:pk}",
    response={204: None},
    operation_id="offer_delete",
    summary="Delete an offer that waits for a decision",
)
def offer_delete(request, pk: int):
    core_services.record_delete(user=request.user, instance=_offer(request, pk, "delete"))
    return Status(204, None)


@offers_router.post(
    "/{int:pk}/decide",
    response=OfferOut,
    operation_id="offer_decide",
    summary="Accept (a deployment is planned) or decline an offer: the requesting side",
)
def offer_decide(request, pk: int, payload: DecisionIn):
    offer = services.offer_decide(
        user=request.user, offer=_offer(request, pk), decision=payload.decision, note=payload.note
    )
    return _offers().get(pk=offer.pk)


@offers_router.post(
    "/{int:pk}/withdraw",
    response=OfferOut,
    operation_id="offer_withdraw",
    summary="Withdraw an offer that waits for a decision: the offering side",
)
def offer_withdraw(request, pk: int):
    offer = services.offer_withdraw(user=request.user, offer=_offer(request, pk))
    return _offers().get(pk=offer.pk)


# --- deployments ---------------------------------------------------------------------------------------
class EventOut(Schema):
    id: int
    stage: str
    at: datetime.datetime
    note: str


class DeploymentOut(Schema):
    id: int
    offer: int
    incident: int
    stage: str
    team_lead: str
    personnel: int
    events: list[EventOut]

    @staticmethod
    def resolve_offer(obj):
        return obj.offer_id

    @staticmethod
    def resolve_incident(obj):
        return obj.offer.request.incident_id

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


class EventIn(Schema):
    stage: str
    at: datetime.datetime | None = None
    note: str = ""


def _deployments():
    return Deployment.objects.select_related("offer__request").prefetch_related("events")


@deployments_router.get("/", response=Page, operation_id="deployment_list", summary="List deployments")
def deployment_list(request, exclude_exercises: bool = False, incident: RecordId | None = None):
    queryset = _deployments()
    if exclude_exercises:
        queryset = queryset.filter(offer__request__incident__is_exercise=False)
    if incident:
        queryset = queryset.filter(offer__request__incident_id=incident)
    return page(request, queryset, DeploymentOut, ("created",))


@deployments_router.get(
    "/{int:pk}", response=DeploymentOut, operation_id="deployment_read", summary="Read a deployment"
)
def deployment_read(request, pk: int):
    return access.get_object_for(request.user, _deployments(), "view", pk=pk)


@deployments_router.post(
    "/{int:pk}/events",
    response={201: EventOut},
    operation_id="deployment_advance",
    summary="Record the next step of the timeline (mobilised, arrived, operating, demobilised)",
)
def deployment_advance(request, pk: int, payload: EventIn):
    deployment = access.get_object_for(request.user, _deployments(), "view", pk=pk)
    event = services.deployment_advance(
        user=request.user, deployment=deployment, stage=payload.stage, at=payload.at, note=payload.note
    )
    return Status(201, event)
