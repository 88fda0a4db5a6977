"""Every write of incidents and mutual assistance: capabilities, incidents (through the sharing
engine), requests for assistance and their versions, invitations, offers and decisions,
deployments and their timeline, situation reports, and the announcements that notify people.

Callers fetch records through the access engine first (invisible: 404); these services check what
the user may do, validate (ValidationError naming the field), write in one transaction and confirm
the result is still in the user's scope. Announcements are written in the same transaction and
announced by a task after the commit (cbrnet.incidents.tasks): a request never sends anything.
"""

import datetime
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.access.context import user_context
from cbrnet.core import services as core_services
from cbrnet.incidents import selectors
from cbrnet.incidents.choices import (
    ACTIVE_REQUEST_STATUSES,
    DEPLOYMENT_ORDER,
    AnnouncementEvent,
    CapabilityStatus,
    DeploymentStage,
    InvitationStatus,
    OfferDecision,
    OfferStatus,
    Phase,
    RequestStatus,
)
from cbrnet.incidents.models import (
    Announcement,
    AssistanceRequest,
    Capability,
    Deployment,
    DeploymentEvent,
    Incident,
    Offer,
    OfferInvitation,
    RequestItem,
    RequestVersion,
    Sitrep,
)
from cbrnet.sharing import services as sharing
from cbrnet.sharing.choices import Status
from cbrnet.sharing.models import ShareApproval


# --- announcements -------------------------------------------------------------------------------
def announce(event: str, object_id: int, *, actor=None) -> Announcement:
    """Record that `event` happened to `object_id`, in the caller's transaction; its notifications
    are written by a task once the transaction commits (or by the periodic sweep if that task is lost)."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    announcement = Announcement.objects.create(event=event, object_id=object_id, actor_id=actor_id)
    transaction.on_commit(partial(enqueue_announcement, announcement.pk), robust=True)
    return announcement


def enqueue_announcement(announcement_id: int) -> None:
    import logging

    from cbrnet.incidents import tasks

    try:
        tasks.announcement_send.enqueue(announcement_id)
    except Exception:
        logging.getLogger(__name__).exception(
            "could not queue announcement %s; the periodic sweep will send it", announcement_id
        )


def announcement_send(*, announcement_id: int) -> int:
    """Write the notifications of one announcement (inbox and e-mail outbox) and mark it done, in one
    transaction: a worker that dies half-way leaves it pending for the sweep, and the notification
    key makes a second run notify nobody twice. Returns how many people were notified now."""
    from cbrnet.notifications.services import notify

    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.done_at is not None:
            return 0
        message = selectors.announcement_message(announcement)
        written = []
        if message is not None:
            written = notify(
                message.recipients,
                kind="incident",
                title=message.title[:200],
                body=message.body,
                url=message.url,
                obj=message.obj,
                key=f"incidents-announcement:{announcement.pk}",
            )
        announcement.done_at = timezone.now()
        announcement.notified = len(written)
        announcement.save(update_fields=["done_at", "notified"])
    return len(written)


def announcements_pending(*, older_than: datetime.timedelta = datetime.timedelta(minutes=1)) -> list[int]:
    """Announcements still not done a while after they were written (their task was lost, or their
    worker died): the periodic sweep queues them again."""
    cutoff = timezone.now() - older_than
    return list(
        Announcement.objects.filter(done_at__isnull=True, created__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- capabilities --------------------------------------------------------------------------------
def capability_save(*, user, capability: Capability) -> Capability:
    """Register or change a capability of a country or organisation the user manages."""
    return core_services.record_save(user=user, instance=capability)


# --- incidents -----------------------------------------------------------------------------------
def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def incident_save(
    *,
    user,
    incident: Incident,
    networks: Iterable | None = None,
    detail_organisations: Iterable | None = None,
) -> Incident:
    """Report (a draft owned by the user's organisation) or change an incident. A new incident is
    reported for a country the user serves: their own, one they are focal point or team member of,
    or one of their secretariat's region."""
    context = user_context(user)
    if incident._state.adding and incident.country_id is not None:
        scope = context.view_country_ids | ({context.country_id} if context.country_id else set())
        if incident.country_id not in scope:
            raise ValidationError(
                {"country": _("Report incidents in your own country or in the countries you serve.")}
            )
    with transaction.atomic():
        incident = sharing.shared_item_save(user=user, instance=incident, networks=networks)
        if detail_organisations is not None:
            incident.detail_organisations.set(list(detail_organisations))
    return incident


def incident_publish(*, user, incident: Incident) -> Incident | ShareApproval:
    """Publish an incident to its audience and notify the people concerned (four-eyes may hold it)."""
    with transaction.atomic():
        result = sharing.shared_item_publish(user=user, item=incident)
        if isinstance(result, Incident):
            announce(AnnouncementEvent.INCIDENT_PUBLISHED, incident.pk, actor=user)
    return result


def incident_close(*, user, incident: Incident, note: str = "") -> Incident:
    """Close the response: the phase becomes closed and every request still open is closed with it.
    Responders only."""
    _require(
        selectors.incident_is_responder(user, incident),
        _("Only the affected country and the incident's owners may close it."),
    )
    if incident.phase == Phase.CLOSED:
        raise ValidationError({"phase": _("This incident is already closed.")})
    with transaction.atomic():
        incident.phase = Phase.CLOSED
        incident.closed_at = timezone.now()
        incident.full_clean()
        incident.save()
        for request in incident.requests.filter(status__in=ACTIVE_REQUEST_STATUSES):
            request.status = RequestStatus.CLOSED
            _request_version(user=user, request=request, reason=note or _("Incident closed."))
    return incident


def incident_set_phase(*, user, incident: Incident, phase: str) -> Incident:
    """Move the response to another phase (closing goes through incident_close)."""
    if phase not in Phase.values:
        raise ValidationError(
            {"phase": _("Choose one of: %(phases)s.") % {"phases": ", ".join(Phase.values)}}
        )
    if phase == Phase.CLOSED:
        return incident_close(user=user, incident=incident)
    _require(
        selectors.incident_is_responder(user, incident),
        _("Only the affected country and the incident's owners may do this."),
    )
    with transaction.atomic():
        incident.phase = phase
        incident.closed_at = None
        incident.full_clean()
        incident.save()
    return incident


def incident_details_share(*, user, incident: Incident, organisations: Iterable) -> Incident:
    """Show the restricted details to more organisations (the affected country's choice)."""
    _require(
        selectors.incident_is_responder(user, incident),
        _("Only the affected country and the incident's owners choose who sees the details."),
    )
    with transaction.atomic():
        incident.detail_organisations.add(*organisations)
    return incident


# --- requests for assistance -----------------------------------------------------------------------
def _clean_items(items) -> list[dict]:
    """[{code, quantity, note}] -> validated dicts; errors name the field `items`."""
    from cbrnet.incidents import taxonomy

    cleaned, seen = [], set()
    for number, item in enumerate(items or (), start=1):
        code = str(item.get("code") or "").strip()
        if not code:
            continue
        if taxonomy.get(code) is None:
            raise ValidationError(
                {"items": _("Line %(n)s: unknown capability code %(code)s.") % {"n": number, "code": code}}
            )
        if code in seen:
            raise ValidationError(
                {
                    "items": _("Line %(n)s: %(code)s is asked for twice; raise the quantity instead.")
                    % {"n": number, "code": code}
                }
            )
        try:
            quantity = int(item.get("quantity") or 1)
        except (TypeError, ValueError):
            quantity = 0
        if not 1 <= quantity <= 1000:
            raise ValidationError(
                {"items": _("Line %(n)s: the quantity must be between 1 and 1000.") % {"n": number}}
            )
        seen.add(code)
        cleaned.append({"code": code, "quantity": quantity, "note": str(item.get("note") or "")[:250]})
    if not cleaned:
        raise ValidationError({"items": _("Ask for at least one capability.")})
    return cleaned


def _snapshot(request: AssistanceRequest) -> dict:
    values = {}
    for name in AssistanceRequest.versioned_fields:
        value = getattr(request, name)
        values[name] = value.isoformat() if isinstance(value, datetime.datetime) else value
    values["items"] = [
        {"code": item.code, "quantity": item.quantity, "note": item.note}
        for item in request.items.order_by("pk")
    ]
    return values


def _request_version(*, user, request: AssistanceRequest, reason: str) -> RequestVersion:
    """Save the request (and its lines, already written) as its next version."""
    request.version = (request.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    request.full_clean()
    request.save()
    version = RequestVersion(
        request=request,
        number=request.version,
        snapshot=_snapshot(request),
        reason=reason[:500],
        amended_by=user if user and user.is_authenticated else None,
    )
    version.full_clean()
    version.save()
    return version


def request_create(*, user, request: AssistanceRequest, items) -> AssistanceRequest:
    """Ask for assistance for an open incident, as one of its responders (the affected country's
    focal point or team, or the incident's owners). Version 1 is kept; the people concerned are told."""
    incident = request.incident
    _require(
        selectors.incident_is_responder(user, incident),
        _("Only the affected country and the incident's owners may ask for assistance."),
    )
    if not incident.is_open:
        raise ValidationError({"incident": _("This incident is closed.")})
    cleaned = _clean_items(items)
    with transaction.atomic():
        request.requested_by = user
        request.status = RequestStatus.OPEN
        request.version = 1
        request.full_clean()
        request.save()
        for item in cleaned:
            RequestItem(request=request, **item).save()
        version = RequestVersion(
            request=request, number=1, snapshot=_snapshot(request), amended_by=user, reason=_("Request made.")
        )
        version.full_clean()
        version.save()
        access.ensure_in_scope(user, request, "add")
        announce(AnnouncementEvent.REQUEST_CREATED, request.pk, actor=user)
    return request


def request_amend(*, user, request: AssistanceRequest, items=None, reason: str = "") -> AssistanceRequest:
    """Amend a request (its fields as set on `request`, and its lines when `items` is given): the
    new content becomes the next version, every earlier one is kept. A line with accepted offers
    cannot be dropped."""
    stored = AssistanceRequest.objects.get(pk=request.pk)
    if stored.incident_id != request.incident_id:
        raise ValidationError({"incident": _("A request cannot be moved to another incident.")})
    _require(
        access.can(user, "change", stored),
        _("Only the affected country and the incident's owners may amend it."),
    )
    if stored.status in (RequestStatus.CLOSED,) and request.status == RequestStatus.CLOSED:
        raise ValidationError({"status": _("This request is closed.")})
    with transaction.atomic():
        if items is not None:
            cleaned = _clean_items(items)
            wanted = {item["code"] for item in cleaned}
            accepted = set(request.offers.filter(status=OfferStatus.ACCEPTED).values_list("code", flat=True))
            if accepted - wanted:
                raise ValidationError(
                    {
                        "items": _("Offers were accepted for %(codes)s: keep those lines.")
                        % {"codes": ", ".join(sorted(accepted - wanted))}
                    }
                )
            existing = {item.code: item for item in request.items.all()}
            for item in cleaned:
                line = existing.pop(item["code"], None) or RequestItem(request=request, code=item["code"])
                if line.pk is None or (line.quantity, line.note) != (item["quantity"], item["note"]):
                    line.quantity, line.note = item["quantity"], item["note"]
                    line.full_clean()
                    line.save()
            for line in existing.values():
                line.delete()
        _request_version(user=user, request=request, reason=reason)
        access.ensure_in_scope(user, request, "change")
        announce(AnnouncementEvent.REQUEST_AMENDED, request.pk, actor=user)
    return request


def request_delete(*, user, request: AssistanceRequest) -> None:
    """Delete a request made by mistake: only while nobody has offered against it."""
    if request.offers.exists():
        raise ValidationError({"status": _("Offers were made against this request: cancel it instead.")})
    core_services.record_delete(user=user, instance=request)


def _refresh_request_status(request: AssistanceRequest) -> None:
    """Open, partly met or met, from the quantities of the accepted offers per requested line."""
    if request.status not in ACTIVE_REQUEST_STATUSES:
        return
    accepted = dict(
        request.offers.filter(status=OfferStatus.ACCEPTED)
        .values("code")
        .annotate(total=Sum("quantity"))
        .values_list("code", "total")
    )
    items = list(request.items.all())
    if items and all(accepted.get(item.code, 0) >= item.quantity for item in items):
        status = RequestStatus.MET
    elif accepted:
        status = RequestStatus.PARTLY_MET
    else:
        status = RequestStatus.OPEN
    if status != request.status:
        request.status = status
        request.save()


# --- invitations and offers ----------------------------------------------------------------------
def offers_invite(
    *, user, request: AssistanceRequest, choices: Iterable[tuple[int, float, dict]]
) -> list[OfferInvitation]:
    """Invite offers from the chosen capabilities (id, score, reasons) in one step: an invitation per
    capability (once), its organisation added to those who see the restricted details, and its
    managers notified. For the incident's responders and the secretariat of its region."""
    incident = request.incident
    _require(
        selectors.incident_is_coordinator(user, incident),
        _("Only the affected country, the incident's owners and the secretariat may invite offers."),
    )
    if not request.is_active or not incident.is_open:
        raise ValidationError({"status": _("Offers can only be invited for an open request.")})
    choices = list(choices)
    ids = [capability_id for capability_id, _score, _reasons in choices]
    capabilities = {
        capability.pk: capability
        for capability in access.restrict(Capability.objects.filter(pk__in=ids), user)
    }
    if not choices or len(capabilities) != len(set(ids)):
        raise ValidationError({"capabilities": _("Choose at least one of the listed capabilities.")})
    created = []
    with transaction.atomic():
        already = set(
            request.invitations.filter(capability_id__in=ids).values_list("capability_id", flat=True)
        )
        for capability_id, score, reasons in choices:
            if capability_id in already:
                continue
            invitation = OfferInvitation(
                request=request,
                capability=capabilities[capability_id],
                score=round(float(score), 4),
                reasons=reasons or {},
                invited_by=user,
            )
            invitation.full_clean()
            invitation.save()
            already.add(capability_id)
            created.append(invitation)
            announce(AnnouncementEvent.OFFER_INVITED, invitation.pk, actor=user)
        organisations = {capabilities[capability_id].organisation_id for capability_id in ids}
        incident.detail_organisations.add(*organisations)
    return created


def offer_create(*, user, offer: Offer) -> Offer:
    """Offer assistance against an open request, on behalf of the user's organisation or of the
    organisation of a registered capability the user manages. The requesting side is notified."""
    request = offer.request
    incident = request.incident
    if not access.can(user, "view", request):
        raise PermissionDenied(_("You may not see this request."))
    if not request.is_active or not incident.is_open:
        raise ValidationError({"request": _("This request no longer takes offers.")})
    if offer.code not in set(request.items.values_list("code", flat=True)):
        raise ValidationError({"code": _("Choose one of the capabilities the request asks for.")})
    context = user_context(user)
    if offer.capability_id:
        if not access.can(user, "change", offer.capability):
            raise ValidationError({"capability": _("Offer only capabilities you manage.")})
        offer.offering_organisation = offer.capability.organisation
        offer.offering_country_id = offer.capability.country_id
    else:
        if context.organisation_id is None:
            raise PermissionDenied(_("Your account belongs to no organisation that could offer."))
        offer.offering_organisation_id = context.organisation_id
        offer.offering_country_id = offer.offering_organisation.country_id
    if offer.offering_country_id is not None and offer.offering_country_id == incident.country_id:
        raise ValidationError(
            {
                "capability": _(
                    "Assistance is offered by other countries and partners, not by the affected country."
                )
            }
        )
    with transaction.atomic():
        offer.status = OfferStatus.OFFERED
        offer.offered_by = user
        offer.full_clean()
        offer.save()
        access.ensure_in_scope(user, offer, "add")
        if offer.capability_id:
            request.invitations.filter(capability_id=offer.capability_id).update(
                status=InvitationStatus.OFFERED
            )
        announce(AnnouncementEvent.OFFER_MADE, offer.pk, actor=user)
    return offer


def offer_update(*, user, offer: Offer) -> Offer:
    """Change an offer that waits for a decision (the offering side)."""
    stored = Offer.objects.get(pk=offer.pk)
    for name in ("request_id", "offering_organisation_id", "offering_country_id", "status", "offered_by_id"):
        setattr(offer, name, getattr(stored, name))
    if offer.code not in set(stored.request.items.values_list("code", flat=True)):
        raise ValidationError({"code": _("Choose one of the capabilities the request asks for.")})
    if offer.capability_id != stored.capability_id:
        raise ValidationError(
            {"capability": _("Withdraw this offer and make a new one for another capability.")}
        )
    return core_services.record_save(user=user, instance=offer)


def offer_withdraw(*, user, offer: Offer) -> Offer:
    """The offering side takes back an offer that was not decided yet."""
    _require(
        access.can(user, "change", offer),
        _("Only the offering side may withdraw an offer that waits for a decision."),
    )
    with transaction.atomic():
        offer.status = OfferStatus.WITHDRAWN
        offer.full_clean()
        offer.save()
    return offer


def offer_decide(*, user, offer: Offer, decision: str, note: str = "") -> Offer:
    """The requesting side accepts or declines an offer. Accepting makes a deployment, shows the
    incident's restricted details to the offering organisation and updates the request's status.
    The offering side is notified."""
    if decision not in OfferDecision.values:
        raise ValidationError({"decision": _("Choose accept or decline.")})
    request = offer.request
    _require(
        selectors.incident_is_responder(user, request.incident),
        _("Only the requesting country and the incident's owners decide on offers."),
    )
    if offer.status != OfferStatus.OFFERED:
        raise ValidationError(
            {
                "status": _("This offer was already %(status)s.")
                % {"status": offer.get_status_display().lower()}
            }
        )
    with transaction.atomic():
        offer.status = OfferStatus.ACCEPTED if decision == OfferDecision.ACCEPT else OfferStatus.DECLINED
        offer.decided_by = user
        offer.decided_at = timezone.now()
        offer.decision_note = (note or "")[:500]
        offer.full_clean()
        offer.save()
        if offer.status == OfferStatus.ACCEPTED:
            deployment = Deployment(
                offer=offer, personnel=offer.capability.size if offer.capability_id else 0
            )
            deployment.full_clean()
            deployment.save()
            request.incident.detail_organisations.add(offer.offering_organisation_id)
            _refresh_request_status(request)
        announce(AnnouncementEvent.OFFER_DECIDED, offer.pk, actor=user)
    return offer


# --- deployments -----------------------------------------------------------------------------------
def deployment_advance(
    *, user, deployment: Deployment, stage: str, at: datetime.datetime | None = None, note: str = ""
) -> DeploymentEvent:
    """Record the next step of a deployment's timeline (mobilised, arrived, operating, demobilised):
    never a step already recorded or one before the current, never earlier than the last step. A
    registered capability shows as deployed from mobilisation until demobilisation."""
    _require(
        access.can(user, "change", deployment),
        _("Only the offering side and the incident's responders keep the timeline."),
    )
    if stage not in DEPLOYMENT_ORDER[1:]:
        raise ValidationError(
            {"stage": _("Choose one of: %(stages)s.") % {"stages": ", ".join(DEPLOYMENT_ORDER[1:])}}
        )
    if DEPLOYMENT_ORDER.index(stage) <= DEPLOYMENT_ORDER.index(deployment.stage):
        raise ValidationError(
            {
                "stage": _("The deployment is already %(stage)s.")
                % {"stage": deployment.get_stage_display().lower()}
            }
        )
    at = at or timezone.now()
    last = deployment.events.order_by("-at").first()
    if last is not None and at < last.at:
        raise ValidationError(
            {"at": _("This is before the previous step (%(when)s).") % {"when": f"{last.at:%Y-%m-%d %H:%M}"}}
        )
    with transaction.atomic():
        event = DeploymentEvent(
            deployment=deployment, stage=stage, at=at, note=(note or "")[:500], recorded_by=user
        )
        event.full_clean()
        event.save()
        deployment.stage = stage
        deployment.save()
        capability = deployment.offer.capability
        if capability is not None:
            # The capability is another country's registry record: its status follows the deployment
            # whoever records the step, so it is set here rather than through capability_save.
            wanted = {
                DeploymentStage.MOBILISED: CapabilityStatus.DEPLOYED,
                DeploymentStage.DEMOBILISED: CapabilityStatus.AVAILABLE,
            }.get(stage)
            if wanted and capability.status != wanted:
                capability.status = wanted
                capability.save()
    return event


# --- situation reports -------------------------------------------------------------------------------
def sitrep_save(*, user, sitrep: Sitrep) -> Sitrep:
    """Write (a draft) or change a situation report. New ones are written by those who see the
    incident's restricted details: the affected country, its owners, the secretariat and the partners
    it chose (deployed teams report too)."""
    if sitrep._state.adding:
        _require(
            selectors.incident_details_visible(user, sitrep.incident),
            _(
                "Only the affected country, the secretariat and the partners it chose report on this incident."
            ),
        )
    return sharing.shared_item_save(user=user, instance=sitrep)


def sitrep_publish(*, user, sitrep: Sitrep) -> Sitrep | ShareApproval:
    """Publish a situation report to its audience (never wider than the incident's) and notify it."""
    if sitrep.incident.status != Status.PUBLISHED:
        raise ValidationError({"status": _("Publish the incident first.")})
    with transaction.atomic():
        result = sharing.shared_item_publish(user=user, item=sitrep)
        if isinstance(result, Sitrep):
            announce(AnnouncementEvent.SITREP_PUBLISHED, sitrep.pk, actor=user)
    return result
